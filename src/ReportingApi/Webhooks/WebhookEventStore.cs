using System.Text;
using Dapper;
using ReportingApi.Data;

namespace ReportingApi.Webhooks;

/// <summary>Where an event stands; stored, so the names never change meaning.</summary>
public static class WebhookEventStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";

    /// <summary>Every attempt of the retry schedule failed.</summary>
    public const string Failed = "failed";

    /// <summary>The receiver answered 410 Gone.</summary>
    public const string Gone = "gone";

    /// <summary>Not sent: the endpoint was removed, or no longer takes this type of event.</summary>
    public const string Dropped = "dropped";
}

/// <summary>An event waiting to be sent: its stored body is what is signed and sent on every attempt.</summary>
public sealed record DueWebhookEvent(string Id, int PartnerId, string Type, byte[] Body, int Attempts);

/// <summary>An event with its attempts, for the delivery log.</summary>
public sealed record LoggedWebhookEvent(
    string Id, string Type, string Status, int Attempts, DateTime CreatedAt, DateTime? NextAttemptAt, DateTime? DeliveredAt, string? LastReason,
    IReadOnlyList<LoggedWebhookAttempt> AttemptLog);

public sealed record LoggedWebhookAttempt(int Attempt, string Url, DateTime StartedAt, int DurationMs, string Outcome, int? StatusCode, string Reason, string? ResponseExcerpt);

/// <summary>
/// The <c>webhook_events</c> table (each event stored before it is sent, so a crash loses none) and the delivery log
/// <c>webhook_attempts</c>. Sending takes a short lease on an event, so two senders (instances, or a tick beside a
/// worker) do not send it at the same time.
/// </summary>
public sealed class WebhookEventStore(DbConnectionFactory connections)
{
    /// <summary>Stores a new event, due now; an event already stored under <paramref name="sourceKey"/> is left as it is.</summary>
    public async Task<bool> AddAsync(int partnerId, WebhookEventBody body, string sourceKey, string? runId, DateTime now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        await using var connection = await connections.OpenAsync(cancellationToken);
        // A run's outcome is published once; the check keeps a repeated publication from storing a second event
        // (the unique source_key stops the rare race between two).
        if (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM webhook_events WHERE source_key = @sourceKey", new { sourceKey }) > 0)
        {
            return false;
        }

        await connection.ExecuteAsync(
            """
            INSERT INTO webhook_events (id, partner_id, type, source_key, run_id, body, status, attempts, next_attempt_at, created_at)
            VALUES (@id, @partnerId, @type, @sourceKey, @runId, @json, @pending, 0, @now, @now)
            """,
            new { id = body.Id, partnerId, type = body.Type, sourceKey, runId, json = Encoding.UTF8.GetString(body.Json), pending = WebhookEventStatus.Pending, now });
        return true;
    }

    /// <summary>
    /// Runs that ended between <paramref name="since"/> and <paramref name="until"/> for a partner with an endpoint, with no
    /// event stored since they ended: what a crash between saving a run's outcome and storing its event leaves behind.
    /// </summary>
    public async Task<IReadOnlyList<string>> RunsWithoutEventAsync(DateTime since, DateTime until, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var runs = await connection.QueryAsync<(string Id, DateTime EndedAt, DateTime EndpointCreatedAt)>(
            """
            SELECT r.id, COALESCE(r.delivered_at, r.failed_at, r.updated_at), w.created_at FROM report_runs r
            JOIN webhook_endpoints w ON w.partner_id = r.partner_id
            WHERE r.updated_at >= @since AND r.status IN ('delivered', 'failed')
              AND COALESCE(r.delivered_at, r.failed_at, r.updated_at) <= @until
              AND NOT EXISTS (SELECT 1 FROM webhook_events e WHERE e.run_id = r.id
                AND e.created_at >= CASE WHEN r.status = 'delivered' THEN r.delivered_at ELSE r.failed_at END)
            """,
            new { since, until });

        // Only runs that ended once the endpoint existed. Run times are kept to the second and endpoint times finer, so
        // a run that ended in the second the endpoint was made counts (compared in C#, the same on both databases).
        return [.. runs.Where(run => run.EndedAt >= WholeSecond(run.EndpointCreatedAt)).Select(run => run.Id)];
    }

    private static DateTime WholeSecond(DateTime time) => time.AddTicks(-(time.Ticks % TimeSpan.TicksPerSecond));

    /// <summary>Pending events whose time has come and that no sender holds, the longest waiting first.</summary>
    public async Task<IReadOnlyList<DueWebhookEvent>> DueAsync(DateTime now, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Id, int PartnerId, string Type, string Body, int Attempts)>(
            """
            SELECT id, partner_id, type, body, attempts FROM webhook_events
            WHERE status = @pending AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
            ORDER BY next_attempt_at, id
            LIMIT @limit
            """,
            new { pending = WebhookEventStatus.Pending, now, limit });
        return rows.Select(row => new DueWebhookEvent(row.Id, row.PartnerId, row.Type, Encoding.UTF8.GetBytes(row.Body), row.Attempts)).ToList();
    }

    /// <summary>Takes the event for one attempt until <paramref name="until"/>; false when another sender has it or it is no longer due.</summary>
    public async Task<bool> TryLeaseAsync(string eventId, DateTime now, DateTime until, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            """
            UPDATE webhook_events SET lease_until = @until
            WHERE id = @eventId AND status = @pending AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
            """,
            new { eventId, now, until, pending = WebhookEventStatus.Pending }) > 0;
    }

    /// <summary>Logs an attempt and moves the event on (status, next attempt), giving its lease back, in one transaction.</summary>
    public async Task RecordAttemptAsync(DueWebhookEvent webhookEvent, string url, WebhookAttempt attempt, string status, DateTime? nextAttemptAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webhookEvent);
        ArgumentNullException.ThrowIfNull(attempt);
        var number = webhookEvent.Attempts + 1;
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            INSERT INTO webhook_attempts (event_id, attempt, url, started_at, duration_ms, outcome, status_code, reason, response_excerpt)
            VALUES (@eventId, @number, @url, @startedAt, @durationMs, @outcome, @statusCode, @reason, @excerpt)
            """,
            new
            {
                eventId = webhookEvent.Id, number, url, startedAt = attempt.StartedAt.UtcDateTime, durationMs = (int)Math.Min(attempt.Duration.TotalMilliseconds, int.MaxValue),
                outcome = attempt.Outcome.ToString(), statusCode = attempt.StatusCode, reason = Cut(attempt.Reason), excerpt = attempt.ResponseExcerpt is { } e ? Cut(e) : null,
            },
            transaction);
        await connection.ExecuteAsync(
            """
            UPDATE webhook_events SET status = @status, attempts = @number, next_attempt_at = @nextAttemptAt, lease_until = NULL, last_reason = @reason,
              delivered_at = @deliveredAt
            WHERE id = @eventId
            """,
            new
            {
                eventId = webhookEvent.Id, status, number, nextAttemptAt, reason = Cut(attempt.Reason),
                deliveredAt = status == WebhookEventStatus.Delivered ? attempt.StartedAt.UtcDateTime + attempt.Duration : (DateTime?)null,
            },
            transaction);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Gives up an event without sending it (the endpoint is gone or no longer takes its type).</summary>
    public async Task DropAsync(string eventId, string reason, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE webhook_events SET status = @dropped, next_attempt_at = NULL, lease_until = NULL, last_reason = @reason WHERE id = @eventId AND status = @pending",
            new { eventId, reason = Cut(reason), dropped = WebhookEventStatus.Dropped, pending = WebhookEventStatus.Pending });
    }

    /// <summary>A partner's events, newest first (ids are time-ordered), with their attempts; <paramref name="beforeId"/> is the keyset cursor.</summary>
    public async Task<IReadOnlyList<LoggedWebhookEvent>> LogAsync(int partnerId, string? beforeId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var events = (await connection.QueryAsync<EventRow>(
            """
            SELECT id AS Id, type AS Type, status AS Status, attempts AS Attempts, created_at AS CreatedAt, next_attempt_at AS NextAttemptAt,
                   delivered_at AS DeliveredAt, last_reason AS LastReason
            FROM webhook_events
            WHERE partner_id = @partnerId AND (@beforeId IS NULL OR id < @beforeId)
            ORDER BY id DESC
            LIMIT @limit
            """,
            new { partnerId, beforeId, limit })).ToList();
        var ids = events.Select(e => e.Id).ToList();
        var attempts = ids.Count == 0
            ? Array.Empty<AttemptRow>().ToLookup(a => a.EventId)
            : (await connection.QueryAsync<AttemptRow>(
                """
                SELECT event_id AS EventId, attempt AS Attempt, url AS Url, started_at AS StartedAt, duration_ms AS DurationMs, outcome AS Outcome,
                       status_code AS StatusCode, reason AS Reason, response_excerpt AS ResponseExcerpt
                FROM webhook_attempts WHERE event_id IN @ids ORDER BY attempt
                """,
                new { ids })).ToLookup(a => a.EventId);
        return events.Select(e => new LoggedWebhookEvent(
            e.Id, e.Type, e.Status, e.Attempts, e.CreatedAt, e.NextAttemptAt, e.DeliveredAt, e.LastReason,
            [.. attempts[e.Id].Select(a => new LoggedWebhookAttempt(a.Attempt, a.Url, a.StartedAt, a.DurationMs, a.Outcome, a.StatusCode, a.Reason, a.ResponseExcerpt))])).ToList();
    }

    // The columns hold 600 characters; reasons and excerpts are shorter in practice, a URL in a reason could make one longer.
    private static string Cut(string text) => text.Length <= 600 ? text : text[..599] + "…";

    private sealed class EventRow
    {
        public string Id { get; set; } = "";

        public string Type { get; set; } = "";

        public string Status { get; set; } = "";

        public int Attempts { get; set; }

        public DateTime CreatedAt { get; set; }

        public DateTime? NextAttemptAt { get; set; }

        public DateTime? DeliveredAt { get; set; }

        public string? LastReason { get; set; }
    }

    private sealed class AttemptRow
    {
        public string EventId { get; set; } = "";

        public int Attempt { get; set; }

        public string Url { get; set; } = "";

        public DateTime StartedAt { get; set; }

        public int DurationMs { get; set; }

        public string Outcome { get; set; } = "";

        public int? StatusCode { get; set; }

        public string Reason { get; set; } = "";

        public string? ResponseExcerpt { get; set; }
    }
}
