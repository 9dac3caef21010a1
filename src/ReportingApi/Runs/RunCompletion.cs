using Microsoft.Extensions.Options;
using ReportingApi.Data;
using ReportingApi.Delivery;
using ReportingApi.Partners;
using ReportingApi.Runs.Outcomes;
using ReportingApi.Runs.Sources;
using ReportingApi.Storage;

namespace ReportingApi.Runs;

/// <summary>
/// How a run's attempt ends, whether its delivery finished in line or a handed-over one ended later: delivered, or
/// failed with a reason, then retried with exponential backoff until the attempts run out.
/// </summary>
public sealed class RunCompletion(
    RunStore store,
    RunFileSources sources,
    RunOutcomes outcomes,
    IOptions<RunsOptions> options,
    TimeProvider clock,
    ILogger<RunCompletion> logger)
{
    /// <summary>The one way a run becomes delivered.</summary>
    public async Task DeliveredAsync(ReportRun run, PartnerProfile partner, CancellationToken cancellationToken)
    {
        run.FailureReason = null;
        await store.TransitionAsync(run, RunStatus.Delivered, $"{run.FileName} and its .sha256 in {partner.Target!.RemoteDirectory}", cancellationToken);
        await outcomes.PublishAsync(run, delivered: true, cancellationToken);
        await sources.For(run).AfterDeliveryAsync(run, partner, cancellationToken);
    }

    /// <summary>Records a failed attempt: another one after a backoff when it may pass and attempts are left, else the run fails.</summary>
    public async Task FailedAsync(string runId, Exception exception)
    {
        var (reason, transient) = Describe(exception);
        try
        {
            // From the record as saved: the failure may have struck between changing the run in memory and saving it.
            if (await store.GetAsync(runId) is not { } run)
            {
                return;
            }

            if (run.State != RunStatus.Sending)
            {
                // Delivery counts its own attempts; a failure before it (render, store) is an attempt too.
                run.Attempts++;
            }

            logger.LogWarning(exception, "Run {RunId} attempt {Attempt} failed: {Reason}", run.Id, run.Attempts, reason);
            if (transient && run.Attempts < options.Value.MaxDeliveryAttempts)
            {
                run.NextAttemptAt = clock.GetUtcNow().UtcDateTime + Backoff(run.Attempts);
                run.FailureReason = $"Attempt {run.Attempts} failed: {reason}";
                await store.SaveAsync(run, "retry-scheduled", $"{run.FailureReason} Next attempt at {run.NextAttemptAt:O}.");
            }
            else
            {
                await store.TransitionAsync(run, RunStatus.Failed, transient ? $"{reason} (after {run.Attempts} attempts)" : reason);
                await outcomes.PublishAsync(run, delivered: false, CancellationToken.None);
            }
        }
        catch (Exception recordError) when (DatabaseFailures.IsUnavailable(recordError))
        {
            // The database itself is down: the run stays unfinished in it and the worker's sweep takes it up again.
            logger.LogError(recordError, "Run {RunId}: could not record the failure ({Reason})", runId, reason);
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var seconds = Math.Min(options.Value.RetryBaseDelaySeconds * Math.Pow(2, attempt - 1), options.Value.RetryMaxDelaySeconds);
        return TimeSpan.FromSeconds(seconds * (0.8 + Random.Shared.NextDouble() * 0.4));
    }

    /// <summary>A reason fit for the run's record and the partner's eyes: no hosts, credentials or stack traces.</summary>
    private static (string Reason, bool Transient) Describe(Exception exception) => exception switch
    {
        RunStepException step => (step.Message, step.Transient),
        DeliveryException delivery => (delivery.Message, delivery.Transient),
        _ when DatabaseFailures.IsUnavailable(exception) => ("The report database could not be read.", true),
        ObjectNotFoundException => ("The stored file is missing from the object store.", false),
        IOException => ("Writing the file failed (storage unavailable or full).", true),
        _ => ("An internal error stopped the run.", true),
    };
}
