using System.Net;
using System.Net.Sockets;

namespace ReportingApi.IntegrationTests.Infrastructure;

/// <summary>What happens to the first connection through a <see cref="FaultyTcpRelay"/>.</summary>
public enum RelayFault
{
    /// <summary>Both sides are reset, as when a route or a NAT entry is lost.</summary>
    Drop,

    /// <summary>Nothing more is forwarded either way, but both sides stay open: the peer has gone silent.</summary>
    Stall,
}

/// <summary>
/// A TCP relay from a loopback port of its own to <c>127.0.0.1:targetPort</c> whose first connection fails once
/// <c>faultAfterBytes</c> have gone from the client to the server (so mid-upload, past the SSH handshake); later
/// connections pass untouched, as on a retry after a network fault.
/// </summary>
public sealed class FaultyTcpRelay : IAsyncDisposable
{
    private const int BufferSize = 16 * 1024;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly TaskCompletionSource _faulted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _connections = [];
    private readonly int _targetPort;
    private readonly long _faultAfterBytes;
    private readonly RelayFault _fault;
    private readonly Task _accepting;
    private int _accepted;

    public FaultyTcpRelay(int targetPort, long faultAfterBytes, RelayFault fault)
    {
        _targetPort = targetPort;
        _faultAfterBytes = faultAfterBytes;
        _fault = fault;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>Completes when the first connection has been cut or stalled.</summary>
    public Task Faulted => _faulted.Task;

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections);
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stopping.Token);
                var faulty = Interlocked.Increment(ref _accepted) == 1;
                lock (_connections)
                {
                    _connections.Add(RelayAsync(client, faulty));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task RelayAsync(TcpClient client, bool faulty)
    {
        using (client)
        using (var server = new TcpClient())
        using (var connection = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
        {
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _targetPort, connection.Token);
                var upstream = PumpAsync(client, server, faulty ? _faultAfterBytes : long.MaxValue, connection.Token);
                var downstream = PumpAsync(server, client, long.MaxValue, connection.Token);
                await Task.WhenAny(upstream, downstream);
                if (upstream.IsCompletedSuccessfully && upstream.Result)
                {
                    await FailAsync(client, server, connection);
                }

                await connection.CancelAsync();
                await Task.WhenAll(upstream, downstream);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException or InvalidOperationException)
            {
                // Stopped, cut, or one side went away: the connection ends as it would without the relay.
            }
        }
    }

    private async Task FailAsync(TcpClient client, TcpClient server, CancellationTokenSource connection)
    {
        // Completed before the cut: the client may see the reset, fail and check Faulted before this thread runs again.
        _faulted.TrySetResult();
        if (_fault == RelayFault.Drop)
        {
            // Linger 0: close with a reset, not an orderly end of stream.
            client.Client.LingerState = new LingerOption(true, 0);
            server.Client.LingerState = new LingerOption(true, 0);
            client.Client.Close();
            server.Client.Close();
            return;
        }

        await connection.CancelAsync();

        // Stalled: hold both sockets open, forwarding nothing, until the relay is disposed.
        await Task.Delay(Timeout.Infinite, _stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>Copies <paramref name="from"/> to <paramref name="to"/>; true when it stopped at <paramref name="limit"/> bytes (the fault), false at the end of the stream.</summary>
    private static async Task<bool> PumpAsync(TcpClient from, TcpClient to, long limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[BufferSize];
        long total = 0;
        while (total < limit)
        {
            var read = await from.GetStream().ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - total)), cancellationToken);
            if (read == 0)
            {
                to.Client.Shutdown(SocketShutdown.Send);
                return false;
            }

            await to.GetStream().WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            total += read;
        }

        return true;
    }
}
