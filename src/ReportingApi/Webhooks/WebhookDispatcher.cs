using Microsoft.Extensions.Options;

namespace ReportingApi.Webhooks;

/// <summary>
/// Sends stored events to their endpoints: each endpoint's events one after the other (at most
/// <see cref="WebhooksOptions.MaxEventsPerEndpoint"/> in one go), endpoints side by side, each attempt bounded by
/// <see cref="WebhooksOptions.AttemptTimeout"/>. An endpoint that fails an attempt gets no more attempts in that go
/// (its other events wait for their own due time), so a dead endpoint costs one timeout per go and never holds up
/// another partner's events. Failed attempts are retried on <see cref="WebhookRetrySchedule"/>.
/// </summary>
public sealed class WebhookDispatcher(
    WebhookEventStore events,
    WebhookEndpointStore endpoints,
    WebhookSecretKeys keys,
    WebhookSender sender,
    IOptions<WebhooksOptions> options,
    TimeProvider clock,
    ILogger<WebhookDispatcher> logger)
{
    private readonly WebhookRetrySchedule _schedule = options.Value.RetrySchedule();

    /// <summary>Due events grouped by endpoint (partner), the longest waiting first.</summary>
    public async Task<IReadOnlyList<IGrouping<int, DueWebhookEvent>>> DueByEndpointAsync(CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxParallelEndpoints * options.Value.MaxEventsPerEndpoint * 4;
        var due = await events.DueAsync(clock.GetUtcNow().UtcDateTime, limit, cancellationToken);
        return [.. due.GroupBy(e => e.PartnerId)];
    }

    /// <summary>One go: every endpoint with due events, <see cref="WebhooksOptions.MaxParallelEndpoints"/> at a time; none started after <paramref name="deadline"/>.</summary>
    public async Task<int> SendDueAsync(DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var sent = 0;
        var groups = await DueByEndpointAsync(cancellationToken);
        await Parallel.ForEachAsync(
            groups,
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxParallelEndpoints, CancellationToken = cancellationToken },
            async (group, token) => Interlocked.Add(ref sent, await SendToEndpointAsync(group.Key, [.. group], deadline, token)));
        return sent;
    }

    /// <summary>Attempts the endpoint's events in order until one fails, the go's share is used up, or the deadline nears; returns the attempts made.</summary>
    public async Task<int> SendToEndpointAsync(int partnerId, IReadOnlyList<DueWebhookEvent> due, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var endpoint = await endpoints.FindAsync(partnerId, cancellationToken);
        var attempts = 0;
        foreach (var webhookEvent in due.Take(options.Value.MaxEventsPerEndpoint))
        {
            var now = clock.GetUtcNow();
            if (deadline - now < options.Value.AttemptTimeout)
            {
                break;
            }

            if (endpoint is null || !endpoint.Subscribes(webhookEvent.Type))
            {
                await events.DropAsync(webhookEvent.Id, DropReason(endpoint, webhookEvent.Type), cancellationToken);
                continue;
            }

            // Held for twice the attempt's timeout: long enough to record the outcome, short enough that a crash delays little.
            if (!await events.TryLeaseAsync(webhookEvent.Id, now.UtcDateTime, (now + (2 * options.Value.AttemptTimeout)).UtcDateTime, cancellationToken))
            {
                continue;
            }

            var outcome = await AttemptAsync(endpoint, webhookEvent, cancellationToken);
            attempts++;
            if (outcome == WebhookAttemptOutcome.EndpointGone)
            {
                endpoint = endpoint with { GoneReason = "gone" };
            }
            else if (outcome != WebhookAttemptOutcome.Delivered)
            {
                break;
            }
        }

        return attempts;
    }

    private async Task<WebhookAttemptOutcome> AttemptAsync(WebhookEndpoint endpoint, DueWebhookEvent webhookEvent, CancellationToken cancellationToken)
    {
        var protector = await keys.GetProtectorAsync(cancellationToken);
        var context = WebhookEndpoint.SecretContext(endpoint.PartnerId);
        List<string> secrets = [protector.Unprotect(endpoint.ProtectedSecret, context)];
        if (endpoint.PreviousSecretValidAt(clock.GetUtcNow().UtcDateTime))
        {
            secrets.Add(protector.Unprotect(endpoint.ProtectedPreviousSecret!, context));
        }

        var attempt = await sender.SendAsync(new WebhookRequest(new Uri(endpoint.Url), webhookEvent.Id, webhookEvent.Body, secrets), cancellationToken);
        var attemptsMade = webhookEvent.Attempts + 1;
        var (status, next) = attempt.Outcome switch
        {
            WebhookAttemptOutcome.Delivered => (WebhookEventStatus.Delivered, null),
            WebhookAttemptOutcome.EndpointGone => (WebhookEventStatus.Gone, null),
            _ => _schedule.NextAttemptAt(attempt.StartedAt + attempt.Duration, attemptsMade, Random.Shared.NextDouble(), attempt.RetryAfter) is { } at
                ? (WebhookEventStatus.Pending, at.UtcDateTime)
                : (WebhookEventStatus.Failed, (DateTime?)null),
        };
        await events.RecordAttemptAsync(webhookEvent, endpoint.Url, attempt, status, next, CancellationToken.None);
        if (attempt.Outcome == WebhookAttemptOutcome.EndpointGone)
        {
            await endpoints.MarkGoneAsync(endpoint.PartnerId, attempt.Reason, CancellationToken.None);
        }

        logger.Log(
            attempt.Outcome == WebhookAttemptOutcome.Delivered ? LogLevel.Information : LogLevel.Warning,
            "Webhook {EventId} ({Type}) to partner {PartnerId}, attempt {Attempt}: {Outcome}, {Reason}; now {Status}",
            webhookEvent.Id, webhookEvent.Type, endpoint.PartnerId, attemptsMade, attempt.Outcome, attempt.Reason, status);
        return attempt.Outcome;
    }

    private static string DropReason(WebhookEndpoint? endpoint, string type) => endpoint switch
    {
        null => "The partner has no webhook endpoint.",
        { GoneReason: not null } => "The endpoint answered 410 Gone; nothing is sent until it is configured again.",
        _ => $"The endpoint no longer takes {type} events.",
    };
}
