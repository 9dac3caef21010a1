using System.Globalization;
using ReportingApi.Schedules;

namespace ReportingApi.Tests.Schedules;

internal static class ScheduleTestData
{
    public const string Berlin = "Europe/Berlin";

    public static Schedule Valid(string cron, string timeZone = Berlin, TimeSpan? minimumInterval = null)
    {
        var (schedule, errors) = Schedule.Parse(cron, timeZone, minimumInterval ?? TimeSpan.FromHours(1));
        Assert.Empty(errors);
        return Assert.IsType<Schedule>(schedule);
    }

    /// <summary>An instant from ISO 8601 text with its offset, e.g. <c>2026-03-29T03:00:00+02:00</c>.</summary>
    public static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.None);

    public static string Iso(DateTimeOffset instant) => instant.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
