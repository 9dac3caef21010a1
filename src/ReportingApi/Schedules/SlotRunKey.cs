using System.Globalization;

namespace ReportingApi.Schedules;

/// <summary>
/// The idempotency key of the run a subscription makes for one slot:
/// <c>schedule:{subscriptionId}:{slot in UTC, yyyy-MM-ddTHH:mm:ssZ}</c>, e.g.
/// <c>schedule:sub_42:2026-03-02T05:00:00Z</c>. The instant, not the local time, so the two 02:00 slots of an
/// hourly schedule on the autumn change get two keys, and the same slot always gets the same key whichever offset
/// it is given in.
/// </summary>
public static class SlotRunKey
{
    /// <summary>Every slot run's key starts with this; keys chosen by callers must not.</summary>
    public const string Prefix = "schedule:";

    public static string For(string subscriptionId, DateTimeOffset slot)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subscriptionId);
        if (slot.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            // Cron slots fall on whole minutes; a fraction here means the instant was not a slot, and would be cut off.
            throw new ArgumentException($"A slot is a whole second; {slot:O} is not.", nameof(slot));
        }

        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}{subscriptionId}:{slot.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}");
    }
}
