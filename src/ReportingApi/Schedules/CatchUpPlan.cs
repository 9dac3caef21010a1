namespace ReportingApi.Schedules;

/// <summary>Due slots a plan does not run, summarised: always the oldest ones, consecutive.</summary>
public sealed record SkippedSlots(int Count, Slot First, Slot Last);

/// <summary>
/// What one scheduler pass does for one subscription. Every slot after the last one processed up to now is either
/// run or skipped, so applying the plan (runs created, skipped recorded, cursor moved to
/// <see cref="ProcessedThrough"/>) decides each slot exactly once, however late or often the passes come.
/// </summary>
/// <param name="Run">The slots to run, oldest first: due slots at most the catch-up window old, and of those at most the bound, the newest.</param>
/// <param name="Skipped">The due slots older than the window, plus those beyond the bound; null when none.</param>
/// <param name="ProcessedThrough">The new cursor: the newest due slot's instant, or the old cursor when nothing was due.</param>
/// <param name="Next">The first slot after now and after the cursor: when the subscription is next due. Null if the expression has no later occurrence.</param>
public sealed record CatchUpPlan(IReadOnlyList<Slot> Run, SkippedSlots? Skipped, DateTimeOffset ProcessedThrough, Slot? Next)
{
    /// <summary>
    /// Plans the slots after <paramref name="processedThrough"/> (the last slot processed, or when the subscription
    /// was created or resumed) up to and including <paramref name="now"/>. A slot is within the window when
    /// <c>now - slot &lt;= window</c>. After a 3-hour outage an hourly schedule runs its 3 missed slots; after a
    /// 3-day outage it runs those of the last <paramref name="window"/> (at most <paramref name="maxRuns"/>) and
    /// reports the older ones as skipped instead of flooding the partner.
    /// </summary>
    public static CatchUpPlan Create(Schedule schedule, DateTimeOffset processedThrough, DateTimeOffset now, TimeSpan window, int maxRuns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRuns, 1);

        var oldestToRun = now - window;
        var run = new Queue<Slot>();
        var cursor = processedThrough;
        var skipped = 0;
        Slot? firstSkipped = null;
        Slot? lastSkipped = null;
        Slot? next = null;
        foreach (var slot in schedule.SlotsAfter(processedThrough))
        {
            if (slot.Utc > now)
            {
                next = slot;
                break;
            }

            cursor = slot.Utc;
            run.Enqueue(slot);
            if (slot.Utc < oldestToRun || run.Count > maxRuns)
            {
                lastSkipped = run.Dequeue();
                firstSkipped ??= lastSkipped;
                skipped++;
            }
        }

        var skippedSlots = skipped > 0 ? new SkippedSlots(skipped, firstSkipped!.Value, lastSkipped!.Value) : null;
        return new CatchUpPlan([.. run], skippedSlots, cursor, next);
    }
}
