using ReportingApi.Delivery;
using ReportingApi.Partners;

namespace ReportingApi.Runs;

/// <summary>
/// Runs whose delivery was handed over (to the Transfer connector): the delivery's state is kept with the run, which
/// stays <c>sending</c> until the delivery's events, or a resume when they do not come, end it. Implements the
/// <see cref="IHandoverStore"/> the deliveries report to, so that they know nothing of runs.
/// </summary>
public sealed class RunHandovers(RunStore store, PartnerStore partners, RunCompletion completion, TimeProvider clock) : IHandoverStore
{
    /// <summary>The run's pending handover, or null.</summary>
    public static PendingHandover? Pending(ReportRun run) => run.HandoverState is { } state ? new PendingHandover(run.Id, state) : null;

    /// <summary>Saves the handover a delivery just started; the run stays <c>sending</c>.</summary>
    public Task StartAsync(ReportRun run, HandoverProgress progress, CancellationToken cancellationToken) =>
        TrySaveAsync(run, progress, cancellationToken);

    /// <summary>Drops the run's handover without another word to the delivery (its target changed to a kind that hands nothing over).</summary>
    public Task AbandonAsync(ReportRun run, CancellationToken cancellationToken) => TrySaveAsync(run, null, cancellationToken);

    public async Task<PendingHandover?> FindAsync(string eventKey, CancellationToken cancellationToken) =>
        await store.FindByHandoverKeyAsync(eventKey, cancellationToken) is { } run && !RunStatuses.IsFinished(run.State) ? Pending(run) : null;

    public async Task<bool> TrySaveAsync(PendingHandover current, HandoverProgress? progress, CancellationToken cancellationToken) =>
        await store.GetAsync(current.OwnerId, cancellationToken) is { } run
        && run.HandoverState == current.State
        && await TrySaveAsync(run, progress, cancellationToken);

    public async Task DeliveredAsync(PendingHandover ended, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(ended.OwnerId, cancellationToken) is { } run)
        {
            await completion.DeliveredAsync(run, await partners.GetAsync(run.PartnerId, cancellationToken), cancellationToken);
        }
    }

    public Task FailedAsync(PendingHandover ended, Exception failure) => completion.FailedAsync(ended.OwnerId, failure);

    /// <summary>Saves <paramref name="next"/> (null: ended) only if the saved state is still the one in <paramref name="run"/>.</summary>
    private Task<bool> TrySaveAsync(ReportRun run, HandoverProgress? next, CancellationToken cancellationToken)
    {
        var expected = run.HandoverState;
        run.HandoverState = next?.State;
        run.HandoverKey = next?.WorkKey;
        run.HandoverStepKey = next?.StepKey;
        if (next?.CheckAfter is { } checkAfter)
        {
            run.NextAttemptAt = clock.GetUtcNow().UtcDateTime + checkAfter;
        }

        return store.TryUpdateHandoverAsync(run, expected, next?.Step, next?.Detail, cancellationToken);
    }
}
