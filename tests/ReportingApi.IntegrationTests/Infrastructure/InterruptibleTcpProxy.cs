using System.Net;
using System.Net.Sockets;

namespace ReportingApi.IntegrationTests.Infrastructure;

/// <summary>
/// A TCP relay from a loopback port of its own to <c>127.0.0.1:targetPort</c> that a test can cut like a server crash:
/// while <see cref="Cut"/>, every open connection and every new one is reset; <see cref="Restore"/> relays again. The
/// server behind it keeps running, and keeps its data. The relay keeps its port all along, so that no other test's
/// "free port" can be this one while it is cut.
/// </summary>
public sealed class InterruptibleTcpProxy : IDisposable
{
    private readonly int _targetPort;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _disposed = new();
    private readonly object _gate = new();
    private readonly List<Socket> _open = [];
    private bool _cut;

    public InterruptibleTcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptAsync();
    }

    public int Port { get; }

    public bool IsCut
    {
        get
        {
            lock (_gate)
            {
                return _cut;
            }
        }
    }

    /// <summary>Resets every open connection, and every new one until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        lock (_gate)
        {
            _cut = true;
            _open.ForEach(Reset);
            _open.Clear();
        }
    }

    public void Restore()
    {
        lock (_gate)
        {
            _cut = false;
        }
    }

    public void Dispose()
    {
        Cut();
        _disposed.Cancel();
        _listener.Stop();
        _disposed.Dispose();
    }

    /// <summary>Closes with linger 0: the peer gets a reset, as from a server that died.</summary>
    private static void Reset(Socket socket)
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptSocketAsync(_disposed.Token);
                _ = RelayAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Disposed.
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var target = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        lock (_gate)
        {
            if (_cut)
            {
                Reset(client);
                target.Dispose();
                return;
            }

            _open.Add(client);
            _open.Add(target);
        }

        try
        {
            await target.ConnectAsync(IPAddress.Loopback, _targetPort);
            await Task.WhenAll(PumpAsync(client, target), PumpAsync(target, client));
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
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
    private static async Task PumpAsync(Socket from, Socket to)
    {
        await using (var source = new NetworkStream(from, ownsSocket: false))
        await using (var destination = new NetworkStream(to, ownsSocket: false))
        {
            await source.CopyToAsync(destination);
        }

        to.Shutdown(SocketShutdown.Send);
    }
}
