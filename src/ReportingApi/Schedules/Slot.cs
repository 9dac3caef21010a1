using System.Globalization;

namespace ReportingApi.Schedules;

/// <summary>
/// One occurrence of a schedule: an instant, given in UTC and on the schedule zone's wall clock. A slot is
/// identified by its UTC instant (the two 02:00 slots of an hourly schedule on the autumn change are two instants);
/// period rules use its <see cref="LocalDate"/>.
/// </summary>
public readonly record struct Slot
{
    private Slot(DateTimeOffset utc, DateTimeOffset local)
    {
        Utc = utc;
        Local = local;
    }

    /// <summary>The instant, with offset zero.</summary>
    public DateTimeOffset Utc { get; }

    /// <summary>The same instant with the offset the schedule's zone has at that instant.</summary>
    public DateTimeOffset Local { get; }

    /// <summary>The calendar date in the schedule's zone (a slot at 00:30 in Berlin is the previous day in UTC).</summary>
    public DateOnly LocalDate => DateOnly.FromDateTime(Local.DateTime);

    internal static Slot At(DateTimeOffset instant, TimeZoneInfo zone) =>
        new(instant.ToUniversalTime(), TimeZoneInfo.ConvertTime(instant, zone));

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Utc:yyyy-MM-dd'T'HH:mm:ss'Z'} ({Local:yyyy-MM-dd'T'HH:mm:sszzz})");
}
