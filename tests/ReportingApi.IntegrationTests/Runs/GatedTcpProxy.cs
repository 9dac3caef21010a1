using System.Net;
using System.Net.Sockets;

namespace ReportingApi.IntegrationTests.Runs;

/// <summary>
/// A TCP relay from a loopback port of its own to <c>127.0.0.1:targetPort</c> that holds every connection until
/// <see cref="Open"/>: a test learns that a client has connected (<see cref="Connected"/>), so knows how far the
/// client got, and changes the world before the client may go on. With <c>bytesPerSecond</c>, each direction of each
/// connection is slowed to about that rate, so that a transfer through it takes long enough to be watched.
/// </summary>
internal sealed class GatedTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _relays = [];
    private readonly int _targetPort;
    private readonly int? _bytesPerSecond;
    private readonly Task _accepting;

    public GatedTcpProxy(int targetPort, int? bytesPerSecond = null)
    {
        _targetPort = targetPort;
        _bytesPerSecond = bytesPerSecond;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>Completes when the first client has connected.</summary>
    public Task Connected => _connected.Task;

    /// <summary>Lets the held connections, and every later one, through to the target.</summary>
    public void Open() => _open.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] relays;
        lock (_relays)
        {
            relays = [.. _relays];
        }

        await Task.WhenAll(relays);
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stopping.Token);
                _connected.TrySetResult();
                lock (_relays)
                {
                    _relays.Add(RelayAsync(client));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var target = new TcpClient())
        {
            try
            {
                await _open.Task.WaitAsync(_stopping.Token);
                await target.ConnectAsync(IPAddress.Loopback, _targetPort, _stopping.Token);
                await Task.WhenAll(PumpAsync(client, target), PumpAsync(target, client));
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
            {
                // Stopped, or one side went away: the connection ends as it would without the relay.
            }
        }
    }

    /// <summary>Copies one direction until its end, then passes the end on (half-close), as a plain TCP path would.</summary>
    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        var (source, destination) = (from.GetStream(), to.GetStream());
        if (_bytesPerSecond is not { } rate)
        {
            await source.CopyToAsync(destination, _stopping.Token);
        }
        else
        {
            // A tenth of a second's worth at a time, then the pause that makes it the rate.
            var buffer = new byte[Math.Max(1, rate / 10)];
            int read;
            while ((read = await source.ReadAsync(buffer, _stopping.Token)) > 0)
            {
                await destination.WriteAsync(buffer.AsMemory(0, read), _stopping.Token);
                await Task.Delay(TimeSpan.FromSeconds((double)read / rate), _stopping.Token);
            }
        }

        to.Client.Shutdown(SocketShutdown.Send);
    }
}
