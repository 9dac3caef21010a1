using Microsoft.Extensions.Options;

namespace ReportingApi.Runs;

/// <summary>
/// Executes queued runs in the background, a few at a time. At start and then every sweep interval it also
/// re-queues runs that are unfinished (interrupted by a crash or restart) or whose retry is due, so no run is forgotten.
/// </summary>
public sealed class RunWorker(
    InProcessRunDispatcher queue,
    RunExecutor executor,
    RunStore store,
    IOptions<RunsOptions> options,
    ILogger<RunWorker> logger) : BackgroundService
{
    private readonly HashSet<string> _inProgress = [];
    private readonly Lock _gate = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var workers = Enumerable.Range(0, options.Value.Concurrency).Select(_ => WorkAsync(stoppingToken)).ToList();
        workers.Add(SweepAsync(stoppingToken));
        await Task.WhenAll(workers);
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var runId in queue.Reader.ReadAllAsync(stoppingToken))
            {
                lock (_gate)
                {
                    if (!_inProgress.Add(runId))
                    {
                        continue;
                    }
                }

                try
                {
                    await executor.ExecuteAsync(runId, stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // The executor records failures on the run itself; this is a last resort so the worker lives on.
                    logger.LogError(exception, "Run {RunId} could not be executed; the sweep will retry it", runId);
                }
                finally
                {
                    lock (_gate)
                    {
                        _inProgress.Remove(runId);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: unfinished runs stay in the database and are picked up at the next start.
        }
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.SweepIntervalSeconds));
        do
        {
            try
            {
                foreach (var runId in await store.UnfinishedAsync(stoppingToken))
                {
                    bool running;
                    lock (_gate)
                    {
                        running = _inProgress.Contains(runId);
                    }

                    if (!running)
                    {
                        await queue.EnqueueAsync(runId, stoppingToken);
                    }
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "Looking for unfinished runs failed; trying again at the next sweep");
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
