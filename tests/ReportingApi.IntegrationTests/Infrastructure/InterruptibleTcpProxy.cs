using System.Net;
using System.Net.Sockets;

namespace ReportingApi.IntegrationTests.Infrastructure;

/// <summary>
/// A TCP relay from a loopback port of its own to <c>127.0.0.1:targetPort</c> that a test can cut like a server crash:
/// <see cref="Cut"/> stops listening (new connections are refused) and resets the open ones; <see cref="Restore"/>
/// listens on the same port again. The server behind it keeps running, and keeps its data.
/// </summary>
public sealed class InterruptibleTcpProxy : IDisposable
{
    private readonly int _targetPort;
    private readonly object _gate = new();
    private readonly List<Socket> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource _cut = new();

    public InterruptibleTcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        Listen(port: 0);
        Port = ((IPEndPoint)_listener!.LocalEndpoint).Port;
    }

    public int Port { get; }

    public bool IsCut => _listener is null;

    /// <summary>Refuses new connections and resets every open one.</summary>
    public void Cut()
    {
        lock (_gate)
        {
            _listener?.Stop();
            _listener = null;
            _cut.Cancel();
            foreach (var socket in _open)
            {
                // Linger 0: the peer gets a reset, as from a server that died.
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }

            _open.Clear();
        }
    }

    public void Restore()
    {
        lock (_gate)
        {
            if (_listener is null)
            {
                _cut.Dispose();
                _cut = new CancellationTokenSource();
                Listen(Port);
            }
        }
    }

    public void Dispose()
    {
        Cut();
        _cut.Dispose();
    }

    private void Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        _ = AcceptAsync(listener, _cut.Token);
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken cut)
    {
        try
        {
            while (true)
            {
                var client = await listener.AcceptSocketAsync(cut);
                _ = RelayAsync(client, cut);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Cut.
        }
    }

    private async Task RelayAsync(Socket client, CancellationToken cut)
    {
        var target = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        lock (_gate)
        {
            if (cut.IsCancellationRequested)
            {
                client.Close();
                target.Dispose();
                return;
            }

            _open.Add(client);
            _open.Add(target);
        }

        try
        {
            await target.ConnectAsync(IPAddress.Loopback, _targetPort, cut);
            await Task.WhenAll(PumpAsync(client, target, cut), PumpAsync(target, client, cut));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // Cut, or one side went away: the connection ends as it would without the relay.
        }
        finally
        {
            lock (_gate)
            {
                _open.Remove(client);
                _open.Remove(target);
            }

            client.Dispose();
            target.Dispose();
        }
    }

    /// <summary>Copies one direction until its end, then passes the end on (half-close), as a plain TCP path would.</summary>
    private static async Task PumpAsync(Socket from, Socket to, CancellationToken cut)
    {
        await using (var source = new NetworkStream(from, ownsSocket: false))
        await using (var destination = new NetworkStream(to, ownsSocket: false))
        {
            await source.CopyToAsync(destination, cut);
        }

        to.Shutdown(SocketShutdown.Send);
    }
}
