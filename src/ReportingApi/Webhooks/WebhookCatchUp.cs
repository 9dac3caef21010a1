using Microsoft.Extensions.Options;
using ReportingApi.Runs;

namespace ReportingApi.Webhooks;

/// <summary>
/// Stores the events of runs that ended without one: the run outcome listener stores an event right after the run's
/// end is saved, and a crash between the two would lose it. Looks back <see cref="WebhooksOptions.CatchUpWindow"/>,
/// skipping runs that ended within <see cref="WebhooksOptions.CatchUpDelay"/> (their listener may still be at work);
/// storing is idempotent by the event's source key, so a run seen twice makes one event.
/// </summary>
public sealed class WebhookCatchUp(WebhookEventStore events, RunStore runs, WebhookOutcomeListener listener, IOptions<WebhooksOptions> options, TimeProvider clock)
{
    /// <summary>Returns how many runs lacked their event.</summary>
    public async Task<int> StoreMissedAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var missed = await events.RunsWithoutEventAsync(now - options.Value.CatchUpWindow, now - options.Value.CatchUpDelay, cancellationToken);
        foreach (var runId in missed)
        {
            if (await runs.GetAsync(runId, cancellationToken) is { } run)
            {
                await listener.StoreAsync(run, cancellationToken);
            }
        }

        return missed.Count;
    }
}
