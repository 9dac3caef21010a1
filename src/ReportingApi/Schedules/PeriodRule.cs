using System.Globalization;

namespace ReportingApi.Schedules;

public enum PeriodKind
{
    PreviousDay,
    PreviousWeek,
    PreviousMonth,
    MonthToDate,
    PreviousQuarter,
    LastDays,
}

/// <summary>A report period: both dates included, as in <c>from</c>/<c>to</c> of a report request.</summary>
public readonly record struct DatePeriod(DateOnly From, DateOnly To)
{
    public int Days => To.DayNumber - From.DayNumber + 1;
}

/// <summary>
/// Which period a scheduled run reports on, relative to its slot's date in the schedule's zone
/// (<see cref="Slot.LocalDate"/>; a slot at 00:30 in Berlin on 1 March is the 28th in UTC, and reports February):
/// <list type="bullet">
/// <item><c>previous-day</c>: the day before the slot's date.</item>
/// <item><c>previous-week</c>: the ISO week (Monday to Sunday) before the slot's week.</item>
/// <item><c>previous-month</c>: the calendar month before the slot's month.</item>
/// <item><c>month-to-date</c>: the 1st of the slot's month up to and including the slot's date (a slot on the 1st reports that day alone).</item>
/// <item><c>previous-quarter</c>: the calendar quarter (Jan–Mar, Apr–Jun, Jul–Sep, Oct–Dec) before the slot's quarter.</item>
/// <item><c>last-N-days</c>: the N days before the slot's date (N from 1 to <see cref="MaxLastDays"/>); the slot's date is not included.</item>
/// </list>
/// </summary>
public sealed record PeriodRule
{
    public const string Field = "period";
    public const int MaxLastDays = 366;

    // Longer input is not repeated in the error: no rule's text is near this long.
    private const int MaxEchoedLength = 40;
    private const string LastDaysPrefix = "last-";
    private const string LastDaysSuffix = "-days";

    public static readonly PeriodRule PreviousDay = new(PeriodKind.PreviousDay, 1);
    public static readonly PeriodRule PreviousWeek = new(PeriodKind.PreviousWeek, 7);
    public static readonly PeriodRule PreviousMonth = new(PeriodKind.PreviousMonth, 31);
    public static readonly PeriodRule MonthToDate = new(PeriodKind.MonthToDate, 31);
    public static readonly PeriodRule PreviousQuarter = new(PeriodKind.PreviousQuarter, 92);

    private static readonly PeriodRule[] Named = [PreviousDay, PreviousWeek, PreviousMonth, MonthToDate, PreviousQuarter];

    private PeriodRule(PeriodKind kind, int maxDays)
    {
        Kind = kind;
        MaxDays = maxDays;
    }

    public PeriodKind Kind { get; }

    /// <summary>The longest period the rule produces, in days (31 for a month, 92 for a quarter, N for last-N-days): what a report's maximum period is checked against.</summary>
    public int MaxDays { get; }

    /// <summary>The N of <c>last-N-days</c>.</summary>
    public static PeriodRule LastDays(int days)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(days, MaxLastDays);
        return new PeriodRule(PeriodKind.LastDays, days);
    }

    /// <summary>Reads a rule's text (any letter case). Returns the rule, or an error for <see cref="Field"/>.</summary>
    public static (PeriodRule? Rule, Dictionary<string, string[]> Errors) Parse(string? text)
    {
        var rule = Named.FirstOrDefault(named => string.Equals(named.ToString(), text, StringComparison.OrdinalIgnoreCase))
            ?? ParseLastDays(text);
        if (rule is not null)
        {
            return (rule, new());
        }

        var problem = string.IsNullOrEmpty(text) ? $"'{Field}' is required"
            : text.Length <= MaxEchoedLength ? $"'{text}' is not a period rule"
            : $"'{Field}' is not a period rule";
        var choices = string.Join(", ", Named.Select(named => named.ToString()));
        return (null, new() { [Field] = [$"{problem}. Use one of: {choices}, {LastDaysPrefix}N{LastDaysSuffix} (N from 1 to {MaxLastDays})."] });
    }

    /// <summary>The period for a slot, from its date in the schedule's zone.</summary>
    public DatePeriod PeriodFor(Slot slot)
    {
        var date = slot.LocalDate;
        var monthStart = new DateOnly(date.Year, date.Month, 1);
        switch (Kind)
        {
            case PeriodKind.PreviousDay:
                return new(date.AddDays(-1), date.AddDays(-1));
            case PeriodKind.PreviousWeek:
                var monday = date.AddDays(-(((int)date.DayOfWeek + 6) % 7));
                return new(monday.AddDays(-7), monday.AddDays(-1));
            case PeriodKind.PreviousMonth:
                return new(monthStart.AddMonths(-1), monthStart.AddDays(-1));
            case PeriodKind.MonthToDate:
                return new(monthStart, date);
            case PeriodKind.PreviousQuarter:
                var quarterStart = new DateOnly(date.Year, (date.Month - 1) / 3 * 3 + 1, 1);
                return new(quarterStart.AddMonths(-3), quarterStart.AddDays(-1));
            case PeriodKind.LastDays:
                return new(date.AddDays(-MaxDays), date.AddDays(-1));
            default:
                throw new InvalidOperationException($"Unknown period kind {Kind}.");
        }
    }

    /// <summary>The rule's text: <c>previous-month</c>, <c>last-7-days</c>, ...</summary>
    public override string ToString() => Kind switch
    {
        PeriodKind.PreviousDay => "previous-day",
        PeriodKind.PreviousWeek => "previous-week",
        PeriodKind.PreviousMonth => "previous-month",
        PeriodKind.MonthToDate => "month-to-date",
        PeriodKind.PreviousQuarter => "previous-quarter",
        _ => string.Create(CultureInfo.InvariantCulture, $"{LastDaysPrefix}{MaxDays}{LastDaysSuffix}"),
    };

    private static PeriodRule? ParseLastDays(string? text) =>
        text is not null
        && text.Length > LastDaysPrefix.Length + LastDaysSuffix.Length
        && text.StartsWith(LastDaysPrefix, StringComparison.OrdinalIgnoreCase)
        && text.EndsWith(LastDaysSuffix, StringComparison.OrdinalIgnoreCase)
        && int.TryParse(text.AsSpan(LastDaysPrefix.Length..^LastDaysSuffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var days)
        && days is >= 1 and <= MaxLastDays
            ? LastDays(days)
            : null;
}
