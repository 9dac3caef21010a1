using Dapper;
using ReportingApi.Data;

namespace ReportingApi.Subscriptions;

/// <summary>Slots a scheduler pass recorded as skipped: how many, the oldest and the newest.</summary>
public sealed record SkippedRange(int Count, DateTime First, DateTime Last);

/// <summary>Reads and writes subscriptions. Moving a subscription's cursor is conditional, so two schedulers never both apply a pass.</summary>
public sealed class SubscriptionStore(DbConnectionFactory connections)
{
    public async Task<int> CountForPartnerAsync(int partnerId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM subscriptions WHERE partner_id = @partnerId", new { partnerId });
    }

    public async Task InsertAsync(Subscription subscription, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            INSERT INTO subscriptions (id, partner_id, report, format, filters, armored, cron, time_zone, period_rule, status, paused_by, blocked_reason,
              processed_through, next_slot_at, skipped_count, skipped_first, skipped_last, created_at, updated_at)
            VALUES (@Id, @PartnerId, @Report, @Format, @Filters, @Armored, @Cron, @TimeZone, @PeriodRule, @Status, @PausedBy, @BlockedReason,
              @ProcessedThrough, @NextSlotAt, @SkippedCount, @SkippedFirst, @SkippedLast, @CreatedAt, @UpdatedAt)
            """,
            subscription);
    }

    /// <summary>Saves what the partner or an operator set (definition, status, cursor); the skipped record stays.</summary>
    public async Task UpdateAsync(Subscription subscription, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            UPDATE subscriptions SET report = @Report, format = @Format, filters = @Filters, armored = @Armored, cron = @Cron, time_zone = @TimeZone,
              period_rule = @PeriodRule, status = @Status, paused_by = @PausedBy, blocked_reason = @BlockedReason,
              processed_through = @ProcessedThrough, next_slot_at = @NextSlotAt, updated_at = @UpdatedAt
            WHERE id = @Id
            """,
            subscription);
    }

    public async Task<Subscription?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<Subscription>($"SELECT {Subscription.Columns} FROM subscriptions WHERE id = @id", new { id });
    }

    public async Task<Subscription?> GetForPartnerAsync(int partnerId, string id, CancellationToken cancellationToken) =>
        await GetAsync(id, cancellationToken) is { } subscription && subscription.PartnerId == partnerId ? subscription : null;

    /// <summary>One partner's subscriptions, or every partner's (<paramref name="partnerId"/> null), oldest first.</summary>
    public async Task<IReadOnlyList<Subscription>> ListAsync(int? partnerId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<Subscription>(
            $"SELECT {Subscription.Columns} FROM subscriptions WHERE @partnerId IS NULL OR partner_id = @partnerId ORDER BY partner_id, created_at, id",
            new { partnerId })).ToList();
    }

    public async Task<bool> DeleteAsync(int partnerId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync("DELETE FROM subscriptions WHERE id = @id AND partner_id = @partnerId", new { id, partnerId }) == 1;
    }

    /// <summary>Active subscriptions whose next slot has come, most overdue first (one range of <c>ix_subscriptions_due</c>).</summary>
    public async Task<IReadOnlyList<Subscription>> DueAsync(DateTime now, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<Subscription>(
            $"""
            SELECT {Subscription.Columns} FROM subscriptions
            WHERE status = @active AND next_slot_at <= @now
            ORDER BY next_slot_at
            LIMIT @limit
            """,
            new { active = SubscriptionStatuses.Active, now, limit })).ToList();
    }

    /// <summary>
    /// Applies a scheduler pass: the cursor moves from <paramref name="processedThrough"/> to <paramref name="newProcessedThrough"/>,
    /// skipped slots are added to the record, the blocked reason is set (or cleared). Only if the cursor is still where the
    /// pass found it and the subscription is active: false when another scheduler, a pause or a change came first.
    /// </summary>
    public async Task<bool> AdvanceAsync(
        string id, DateTime processedThrough, DateTime newProcessedThrough, DateTime? nextSlotAt, SkippedRange? skipped, string? blockedReason, DateTime now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            """
            UPDATE subscriptions SET processed_through = @newProcessedThrough, next_slot_at = @nextSlotAt, blocked_reason = @blockedReason,
              skipped_count = skipped_count + @count, skipped_first = COALESCE(skipped_first, @first), skipped_last = COALESCE(@last, skipped_last),
              updated_at = @now
            WHERE id = @id AND processed_through = @processedThrough AND status = @active
            """,
            new
            {
                id, processedThrough, newProcessedThrough, nextSlotAt, blockedReason, now, active = SubscriptionStatuses.Active,
                count = skipped?.Count ?? 0, first = skipped?.First, last = skipped?.Last,
            }) == 1;
    }
}
