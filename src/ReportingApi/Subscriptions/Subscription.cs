using ReportingApi.Schedules;

namespace ReportingApi.Subscriptions;

public static class SubscriptionStatuses
{
    public const string Active = "active";
    public const string Paused = "paused";
}

/// <summary>Who paused a subscription: a partner may resume its own pause, not an operator's.</summary>
public static class SubscriptionPausers
{
    public const string Partner = "partner";
    public const string Operator = "operator";
}

/// <summary>
/// A partner's report on a schedule, as stored. Settable properties, not a record: Dapper converts MySQL's and
/// SQLite's column types into them alike. Times are UTC (DATETIME has no zone).
/// </summary>
public sealed class Subscription
{
    public const string Columns =
        "id AS Id, partner_id AS PartnerId, report AS Report, format AS Format, filters AS Filters, armored AS Armored, cron AS Cron, " +
        "time_zone AS TimeZone, period_rule AS PeriodRule, status AS Status, paused_by AS PausedBy, blocked_reason AS BlockedReason, " +
        "processed_through AS ProcessedThrough, next_slot_at AS NextSlotAt, skipped_count AS SkippedCount, skipped_first AS SkippedFirst, " +
        "skipped_last AS SkippedLast, created_at AS CreatedAt, updated_at AS UpdatedAt";

    public string Id { get; set; } = "";

    public int PartnerId { get; set; }

    public string Report { get; set; } = "";

    public string Format { get; set; } = "";

    /// <summary>The filters as JSON, e.g. <c>{"status":"active"}</c>.</summary>
    public string Filters { get; set; } = "{}";

    public bool Armored { get; set; }

    public string Cron { get; set; } = "";

    public string TimeZone { get; set; } = "";

    public string PeriodRule { get; set; } = "";

    public string Status { get; set; } = SubscriptionStatuses.Active;

    public string? PausedBy { get; set; }

    /// <summary>Why due slots make no run (the partner deactivated, a report no longer allowed, ...); null when they do.</summary>
    public string? BlockedReason { get; set; }

    /// <summary>The cursor: every slot up to this instant was run or recorded as skipped (at creation and resumption: that time).</summary>
    public DateTime ProcessedThrough { get; set; }

    /// <summary>The first slot after the cursor: when the scheduler next has work for this subscription.</summary>
    public DateTime? NextSlotAt { get; set; }

    public int SkippedCount { get; set; }

    public DateTime? SkippedFirst { get; set; }

    public DateTime? SkippedLast { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    public bool IsActive => Status == SubscriptionStatuses.Active;

    /// <summary>
    /// Moves the cursor to <paramref name="now"/> (whole seconds, as DATETIME keeps it): slots before it are neither run
    /// nor counted as skipped. At creation, on a change of the definition and on resumption.
    /// </summary>
    public void StartAt(DateTimeOffset now)
    {
        var cursor = now.UtcDateTime;
        ProcessedThrough = new DateTime(cursor.Ticks - cursor.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        NextSlotAt = Schedule.Parse(Cron, TimeZone, TimeSpan.Zero).Schedule?.NextSlots(Utc(ProcessedThrough), 1) is [var next] ? next.Utc.UtcDateTime : null;
        UpdatedAt = ProcessedThrough;
    }

    // Version 7 GUIDs sort by creation time, as run ids do.
    public static string NewId() => "sub_" + Guid.CreateVersion7().ToString("N");

    /// <summary>A stored time as the UTC instant it is.</summary>
    public static DateTimeOffset Utc(DateTime stored) => new(DateTime.SpecifyKind(stored, DateTimeKind.Utc));
}
