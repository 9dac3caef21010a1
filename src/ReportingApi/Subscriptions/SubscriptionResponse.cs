using ReportingApi.Runs;
using ReportingApi.Schedules;

namespace ReportingApi.Subscriptions;

/// <summary>A subscription as the API shows it.</summary>
/// <param name="Status">active or paused.</param>
/// <param name="PausedBy">partner or operator, while paused; a partner may not resume an operator's pause.</param>
/// <param name="BlockedReason">Why due slots make no run although the subscription is active (the partner deactivated, the report no longer allowed, onboarding incomplete); those slots are recorded as skipped. Null when runs are made.</param>
/// <param name="NextSlots">The next 3 slots, in UTC and on the subscription's zone's clock (while paused: those it would run once resumed).</param>
/// <param name="LastRun">The run of the latest slot that made one, with its status.</param>
/// <param name="SkippedSlots">Slots that made no run: missed for longer than the catch-up window, or blocked. Null when none.</param>
public sealed record SubscriptionResponse(
    string Id,
    int PartnerId,
    string Report,
    string Format,
    IReadOnlyDictionary<string, string> Filters,
    bool Armored,
    string Cron,
    string TimeZone,
    string Period,
    string Status,
    string? PausedBy,
    string? BlockedReason,
    IReadOnlyList<SlotTimes> NextSlots,
    SubscriptionRun? LastRun,
    SkippedSlotsRecord? SkippedSlots,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    public const int ShownSlots = 3;

    public static SubscriptionResponse Create(Subscription subscription, ReportRun? lastRun, DateTimeOffset now)
    {
        // Stored schedules were valid when saved; read back without the minimum interval, which may have changed since.
        var schedule = Schedule.Parse(subscription.Cron, subscription.TimeZone, TimeSpan.Zero).Schedule;
        var after = Max(now, Subscription.Utc(subscription.ProcessedThrough));
        return new SubscriptionResponse(
            subscription.Id,
            subscription.PartnerId,
            subscription.Report,
            subscription.Format,
            SubscriptionDefinition.ReadFilters(subscription),
            subscription.Armored,
            subscription.Cron,
            subscription.TimeZone,
            subscription.PeriodRule,
            subscription.Status,
            subscription.PausedBy,
            subscription.BlockedReason,
            schedule?.NextSlots(after, ShownSlots).Select(SlotTimes.From).ToList() ?? [],
            lastRun is null ? null : new SubscriptionRun(lastRun.Id, lastRun.Status, Subscription.Utc(lastRun.SlotAt!.Value).UtcDateTime, $"/v1/report-runs/{lastRun.Id}"),
            subscription is { SkippedCount: > 0, SkippedFirst: { } first, SkippedLast: { } last }
                ? new SkippedSlotsRecord(subscription.SkippedCount, Subscription.Utc(first).UtcDateTime, Subscription.Utc(last).UtcDateTime)
                : null,
            Subscription.Utc(subscription.CreatedAt).UtcDateTime,
            Subscription.Utc(subscription.UpdatedAt).UtcDateTime);
    }

    private static DateTimeOffset Max(DateTimeOffset left, DateTimeOffset right) => left > right ? left : right;
}

/// <summary>A slot in UTC and on the subscription's zone's clock (with that moment's offset).</summary>
public sealed record SlotTimes(DateTime Utc, DateTimeOffset Local)
{
    public static SlotTimes From(Slot slot) => new(slot.Utc.UtcDateTime, slot.Local);
}

/// <summary>A slot's run: its id, status and slot.</summary>
public sealed record SubscriptionRun(string Id, string Status, DateTime Slot, string Link);

/// <summary>How many slots were skipped, the oldest and the newest.</summary>
public sealed record SkippedSlotsRecord(int Count, DateTime First, DateTime Last);
