using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;
using ReportingApi.Data;

namespace ReportingApi.Runs;

/// <summary>
/// Who executes a run: a lease taken before executing it, renewed while it runs (however long rendering or sending
/// takes) and given back after, so that a sweep, the Lambda tick or another instance never executes it at the same time.
/// </summary>
public sealed class RunLeases(RunStore store, IOptions<RunsOptions> options, TimeProvider clock, ILogger<RunLeases> logger)
{
    /// <summary>
    /// The run, under a lease kept until the returned lease is disposed; null when the run is not due (finished, or its
    /// next attempt still to come) or another executor holds it.
    /// </summary>
    public async Task<RunLease?> TryTakeAsync(string runId, CancellationToken cancellationToken)
    {
        var duration = TimeSpan.FromSeconds(options.Value.LeaseSeconds);
        if (!IsDue(await store.GetAsync(runId, cancellationToken)) || !await store.TryLeaseAsync(runId, duration, cancellationToken))
        {
            return null;
        }

        var lease = new RunLease(runId, this, duration);
        // Read again under the lease: whoever held it before may have moved the run on.
        if (await store.GetAsync(runId, cancellationToken) is { } run && IsDue(run))
        {
            lease.Run = run;
        }

        return lease;
    }

    private bool IsDue([NotNullWhen(true)] ReportRun? run) =>
        run is not null && !RunStatuses.IsFinished(run.State) && !(run.NextAttemptAt > clock.GetUtcNow().UtcDateTime);

    internal async Task RenewAsync(string runId, TimeSpan duration, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(duration / 3, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    await store.RenewLeaseAsync(runId, duration, stop);
                }
                catch (Exception e) when (DatabaseFailures.IsUnavailable(e))
                {
                    logger.LogWarning(e, "Run {RunId}: could not renew its lease", runId);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run is done.
        }
    }

    internal async Task ReleaseAsync(string runId)
    {
        try
        {
            await store.ReleaseLeaseAsync(runId);
        }
        catch (Exception e) when (DatabaseFailures.IsUnavailable(e))
        {
            // The database is down: the lease expires by itself.
            logger.LogWarning(e, "Run {RunId}: could not give back its lease", runId);
        }
    }
}

/// <summary>A lease on a run, renewed until disposed, then given back.</summary>
public sealed class RunLease : IAsyncDisposable
{
    private readonly string _runId;
    private readonly RunLeases _leases;
    private readonly CancellationTokenSource _stopRenewing = new();
    private readonly Task _renewing;

    internal RunLease(string runId, RunLeases leases, TimeSpan duration)
    {
        _runId = runId;
        _leases = leases;
        _renewing = leases.RenewAsync(runId, duration, _stopRenewing.Token);
    }

    /// <summary>The run as read under the lease; null when it was no longer due by then.</summary>
    public ReportRun? Run { get; internal set; }

    public async ValueTask DisposeAsync()
    {
        await _stopRenewing.CancelAsync();
        await _renewing;
        _stopRenewing.Dispose();
        await _leases.ReleaseAsync(_runId);
    }
}
