namespace ReportingApi.Runs.Outcomes;

/// <summary>A run that ended: delivered, or failed after its last attempt.</summary>
/// <param name="Duration">From the run's creation to its end.</param>
public sealed record RunOutcome(ReportRun Run, bool Delivered, TimeSpan Duration);

/// <summary>
/// Told of every run that ends (metrics today; webhooks to partners, say, tomorrow). A new listener is a class
/// implementing this, registered with <see cref="RunsExtensions.AddRunOutcomeListener{TListener}"/>.
/// </summary>
public interface IRunOutcomeListener
{
    /// <summary>Called once the outcome is saved; it must not block long, and what it throws is logged, never the run's.</summary>
    Task RunEndedAsync(RunOutcome outcome, CancellationToken cancellationToken);
}

/// <summary>Publishes each run's outcome to every <see cref="IRunOutcomeListener"/>; a listener's failure changes nothing for the run.</summary>
public sealed class RunOutcomes(IEnumerable<IRunOutcomeListener> listeners, TimeProvider clock, ILogger<RunOutcomes> logger)
{
    private readonly IReadOnlyList<IRunOutcomeListener> _listeners = [.. listeners];

    public async Task PublishAsync(ReportRun run, bool delivered, CancellationToken cancellationToken)
    {
        var outcome = new RunOutcome(run, delivered, clock.GetUtcNow().UtcDateTime - DateTime.SpecifyKind(run.CreatedAt, DateTimeKind.Utc));
        foreach (var listener in _listeners)
        {
#pragma warning disable CA1031 // The run has ended whatever a listener does: its failure is logged, not thrown.
            try
            {
                await listener.RunEndedAsync(outcome, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.LogError(e, "Run {RunId}: {Listener} failed on its outcome", run.Id, listener.GetType().Name);
            }
#pragma warning restore CA1031
        }
    }
}
