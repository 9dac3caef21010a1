using ReportingApi.Runs;
using ReportingApi.Runs.Outcomes;

namespace ReportingApi.Webhooks;

/// <summary>
/// Turns a run's end into a <c>run.delivered</c> or <c>run.failed</c> event for the partner's endpoint, when it takes
/// that type: stored (the exact body), then sent by the background sender, never here, so a slow or dead endpoint
/// never holds up a run.
/// </summary>
public sealed class WebhookOutcomeListener(WebhookEndpointStore endpoints, WebhookEventStore events, WebhookSendSignal signal, TimeProvider clock) : IRunOutcomeListener
{
    public Task RunEndedAsync(RunOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return StoreAsync(outcome.Run, cancellationToken);
    }

    /// <summary>Stores the event of the run's end (delivered or failed), once per ending, when the partner's endpoint takes it.</summary>
    public async Task StoreAsync(ReportRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var delivered = run.Status == RunStatuses.Name(RunStatus.Delivered);
        var type = delivered ? WebhookEventTypes.RunDelivered : WebhookEventTypes.RunFailed;
        if (await endpoints.FindAsync(run.PartnerId, cancellationToken) is not { } endpoint || !endpoint.Subscribes(type))
        {
            return;
        }

        var endedAt = (delivered ? run.DeliveredAt : run.FailedAt) ?? run.UpdatedAt;
        var body = WebhookEvents.ForRun(type, Data(run), new DateTimeOffset(DateTime.SpecifyKind(endedAt, DateTimeKind.Utc)));
        // One event per ending: a run redelivered later ends again, at another time, and makes another event.
        var sourceKey = $"{run.Id}:{run.Status}:{endedAt.Ticks}";
        if (await events.AddAsync(run.PartnerId, body, sourceKey, run.Id, clock.GetUtcNow().UtcDateTime, cancellationToken))
        {
            signal.Notify();
        }
    }

    private static RunEventData Data(ReportRun run) => new(
        run.Id,
        run.Report,
        run.Format,
        run.PeriodFrom.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        run.PeriodTo.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        run.Status,
        run.Attempts,
        run.FailureReason,
        run.RowCount,
        run.ByteCount,
        run.Sha256,
        run.FileName,
        run.CreatedAt,
        run.DeliveredAt,
        $"/v1/report-runs/{run.Id}");
}
