using System.ComponentModel.DataAnnotations;

namespace ReportingApi.Schedules;

public sealed class SchedulesOptions
{
    public const string Section = "Schedules";

    /// <summary>The shortest gap allowed between two slots of a schedule, in minutes (see <see cref="Schedule.Parse"/> for how it is measured).</summary>
    [Range(1, 1440)]
    public int MinimumIntervalMinutes { get; set; } = 60;

    /// <summary>
    /// How old a missed slot may be and still run when the scheduler comes back, in hours; older ones are recorded
    /// as skipped. At least an hour, so that a tick that is a few minutes late never skips a slot.
    /// </summary>
    [Range(1, 744)]
    public int CatchUpWindowHours { get; set; } = 24;

    /// <summary>The most subscriptions one partner may have.</summary>
    [Range(1, 1000)]
    public int MaxSubscriptionsPerPartner { get; set; } = 20;

    /// <summary>The most runs one scheduler pass makes for one subscription; older due slots beyond it are skipped.</summary>
    [Range(1, 1000)]
    public int MaxCatchUpRuns { get; set; } = 24;
}
