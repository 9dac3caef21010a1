using System.Threading.Channels;

namespace ReportingApi.Runs;

/// <summary>
/// Hands runs to whatever executes them, off the request. In-process by default; on Lambda the function invokes
/// itself asynchronously instead. Enqueuing a run twice is harmless: the executor skips finished work.
/// </summary>
public interface IRunDispatcher
{
    ValueTask EnqueueAsync(string runId, CancellationToken cancellationToken = default);
}

/// <summary>An unbounded in-memory channel read by <see cref="RunWorker"/>. Runs lost with the process are recovered from the database at start.</summary>
public sealed class InProcessRunDispatcher : IRunDispatcher
{
    private readonly Channel<string> _channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = false });

    public ChannelReader<string> Reader => _channel.Reader;

    public ValueTask EnqueueAsync(string runId, CancellationToken cancellationToken = default) => _channel.Writer.WriteAsync(runId, cancellationToken);
}
