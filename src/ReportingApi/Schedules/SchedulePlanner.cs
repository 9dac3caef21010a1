using Microsoft.Extensions.Options;

namespace ReportingApi.Schedules;

/// <summary>
/// The schedule functions with the configured limits and the clock's "now", for endpoints and the scheduler tick.
/// </summary>
public sealed class SchedulePlanner(IOptions<SchedulesOptions> options, TimeProvider clock)
{
    /// <inheritdoc cref="Schedule.Parse"/>
    public (Schedule? Schedule, Dictionary<string, string[]> Errors) Parse(string? cron, string? timeZoneId) =>
        Schedule.Parse(cron, timeZoneId, TimeSpan.FromMinutes(options.Value.MinimumIntervalMinutes));

    public DateTimeOffset Now => clock.GetUtcNow();

    /// <summary>The next <paramref name="count"/> slots after now.</summary>
    public IReadOnlyList<Slot> Upcoming(Schedule schedule, int count) => schedule.NextSlots(clock.GetUtcNow(), count);

    /// <inheritdoc cref="CatchUpPlan.Create"/>
    public CatchUpPlan PlanCatchUp(Schedule schedule, DateTimeOffset processedThrough) => CatchUpPlan.Create(
        schedule,
        processedThrough,
        clock.GetUtcNow(),
        TimeSpan.FromHours(options.Value.CatchUpWindowHours),
        options.Value.MaxCatchUpRuns);
}
