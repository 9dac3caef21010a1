using Cronos;
using ReportingApi.Schedules;
using static ReportingApi.Tests.Schedules.ScheduleTestData;

namespace ReportingApi.Tests.Schedules;

public sealed class ScheduleParseTests
{
    private static readonly TimeSpan Hourly = TimeSpan.FromHours(1);

    private static string Error(Dictionary<string, string[]> errors, string field) => Assert.Single(errors[field]);

    [Fact]
    public void A_valid_expression_and_zone_give_a_schedule_with_the_canonical_values()
    {
        var (schedule, errors) = Schedule.Parse("  0 6 2 * *  ", "Europe/Berlin", Hourly);

        Assert.Empty(errors);
        Assert.NotNull(schedule);
        Assert.Equal("0 6 2 * *", schedule.Cron);
        Assert.Equal("Europe/Berlin", schedule.TimeZoneId);
        Assert.Equal("0 6 2 * * (Europe/Berlin)", schedule.ToString());
    }

    [Theory]
    [InlineData("61 * * * *", "Minutes: Value must be a number between 0 and 59")]
    [InlineData("0 24 * * *", "Hours: Value must be a number between 0 and 23")]
    [InlineData("0 6 * 13 *", "Months")]
    [InlineData("0 6 * * 8", "Days of week")]
    [InlineData("0 0 6 * * *", "Unexpected character")]
    [InlineData("every monday", "invalid format")]
    [InlineData("0 6 * *", "invalid format")]
    public void An_invalid_expression_is_an_error_on_cron_naming_what_is_wrong(string cron, string reason)
    {
        var (schedule, errors) = Schedule.Parse(cron, "Europe/Berlin", Hourly);

        Assert.Null(schedule);
        var message = Error(errors, Schedule.CronField);
        Assert.Contains($"'{cron}' is not a valid cron expression", message, StringComparison.Ordinal);
        Assert.Contains(reason, message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("five fields: minute hour day-of-month month day-of-week", message, StringComparison.Ordinal);
        Assert.False(errors.ContainsKey(Schedule.TimeZoneField));
    }

    [Fact]
    public void Jitter_is_refused_with_its_own_message()
    {
        var (schedule, errors) = Schedule.Parse("H 6 * * *", "UTC", Hourly);

        Assert.Null(schedule);
        Assert.Contains("uses H (jitter), which is not supported", Error(errors, Schedule.CronField), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_missing_expression_is_required(string? cron)
    {
        var (_, errors) = Schedule.Parse(cron, "UTC", Hourly);

        Assert.StartsWith("'cron' is required.", Error(errors, Schedule.CronField), StringComparison.Ordinal);
    }

    [Fact]
    public void An_overlong_expression_is_refused_without_being_repeated()
    {
        var cron = "0 6 * * " + new string('1', 200);

        var message = Error(Schedule.Parse(cron, "UTC", Hourly).Errors, Schedule.CronField);

        Assert.StartsWith("'cron' is at most 100 characters.", message, StringComparison.Ordinal);
        Assert.DoesNotContain(cron, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0 0 30 2 *")]
    [InlineData("0 0 31 4 *")]
    [InlineData("0 0 31 2,4,6,9,11 *")]
    public void An_expression_no_date_matches_never_fires(string cron)
    {
        var (schedule, errors) = Schedule.Parse(cron, "UTC", Hourly);

        Assert.Null(schedule);
        Assert.Equal($"'{cron}' never fires: no date matches it (such as 30 February).", Error(errors, Schedule.CronField));
    }

    [Theory]
    [InlineData("* * * * *", "1 minute")]
    [InlineData("*/5 * * * *", "5 minutes")]
    [InlineData("0,30 * * * *", "30 minutes")]
    [InlineData("0,59 6 * * *", "59 minutes")]
    [InlineData("@every_minute", "1 minute")]
    public void An_expression_firing_more_often_than_the_minimum_is_refused_with_its_smallest_gap(string cron, string gap)
    {
        var (schedule, errors) = Schedule.Parse(cron, "Europe/Berlin", Hourly);

        Assert.Null(schedule);
        Assert.Equal($"'{cron}' fires {gap} apart at its closest; schedules may fire at most once every 1 hour.", Error(errors, Schedule.CronField));
    }

    [Fact]
    public void The_gap_across_midnight_between_consecutive_days_counts()
    {
        // 23:00 and 00:00 the next day are 1 hour apart; within a day, 00:00 and 23:00 are 23 hours apart.
        var (schedule, errors) = Schedule.Parse("0 0,23 * * *", "UTC", TimeSpan.FromHours(2));

        Assert.Null(schedule);
        Assert.StartsWith("'0 0,23 * * *' fires 1 hour apart", Error(errors, Schedule.CronField), StringComparison.Ordinal);
    }

    [Fact]
    public void The_gap_between_days_that_are_consecutive_only_in_leap_years_counts()
    {
        // 28 and 29 February are consecutive matching days only in leap years: 23:00 then 01:00 the next day.
        var (schedule, errors) = Schedule.Parse("0 1,23 28,29 2 *", "UTC", TimeSpan.FromHours(3));

        Assert.Null(schedule);
        Assert.StartsWith("'0 1,23 28,29 2 *' fires 2 hours apart", Error(errors, Schedule.CronField), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0 * * * *")]
    [InlineData("@hourly")]
    [InlineData("30 1,2 * * *")]
    [InlineData("0 6 2 * *")]
    [InlineData("0 6 * * MON")]
    [InlineData("0 6 L * *")]
    [InlineData("0 6 29 2 *")]
    [InlineData("0 0 29 2 1")]
    [InlineData("0 8-18 * * MON-FRI")]
    public void Hourly_or_less_often_is_accepted_at_the_default_minimum(string cron)
    {
        var (schedule, errors) = Schedule.Parse(cron, "Europe/Berlin", Hourly);

        Assert.Empty(errors);
        Assert.NotNull(schedule);
    }

    [Fact]
    public void The_minimum_is_configurable()
    {
        Assert.Empty(Schedule.Parse("*/5 * * * *", "UTC", TimeSpan.FromMinutes(5)).Errors);
        Assert.NotEmpty(Schedule.Parse("*/5 * * * *", "UTC", TimeSpan.FromMinutes(6)).Errors);
        Assert.Equal(
            "'0 */6 * * *' fires 6 hours apart at its closest; schedules may fire at most once every 1 day.",
            Error(Schedule.Parse("0 */6 * * *", "UTC", TimeSpan.FromDays(1)).Errors, Schedule.CronField));
        Assert.Empty(Schedule.Parse("* * * * *", "UTC", TimeSpan.Zero).Errors);
    }

    /// <summary>
    /// The day-wise measurement against the plain one (every consecutive pair of occurrences over the 28-year cycle),
    /// for expressions whose closest gap lies within a day, across midnight, across months, or in leap years only.
    /// </summary>
    [Theory]
    [InlineData("0 * * * *")]
    [InlineData("0 0,23 * * *")]
    [InlineData("15,45 0,23 * * *")]
    [InlineData("0 1,23 28,29 2 *")]
    [InlineData("30 22 L * *")]
    [InlineData("0 5 1 * *")]
    [InlineData("10 0,23 1,31 1,12 *")]
    [InlineData("0 12 13 * FRI")]
    [InlineData("0 0 29 2 1")]
    [InlineData("0 9 * * 1#1")]
    [InlineData("0 18 LW * *")]
    public void The_smallest_gap_equals_the_one_found_by_walking_every_occurrence(string cron)
    {
        var expression = CronExpression.Parse(cron);
        var start = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var occurrences = expression.GetOccurrences(start, start.AddYears(28)).ToList();
        if (expression.GetNextOccurrence(start.AddYears(28), inclusive: true) is { } firstOfNextCycle)
        {
            occurrences.Add(firstOfNextCycle);
        }

        var walked = occurrences.Zip(occurrences.Skip(1), (earlier, later) => later - earlier).Min();

        Assert.Equal(walked, Schedule.SmallestGap(expression, TimeSpan.Zero));
    }

    [Theory]
    [InlineData("Europe/Berlin")]
    [InlineData("America/New_York")]
    [InlineData("Asia/Kolkata")]
    [InlineData("Australia/Lord_Howe")]
    [InlineData("UTC")]
    [InlineData("Etc/UTC")]
    public void Iana_zones_are_accepted(string zone)
    {
        var (schedule, errors) = Schedule.Parse("0 6 * * *", zone, Hourly);

        Assert.Empty(errors);
        Assert.Equal(zone, schedule!.TimeZoneId);
    }

    [Theory]
    [InlineData("Europe/Munich")]
    [InlineData("W. Europe Standard Time")]
    [InlineData("Local")]
    [InlineData("+01:00")]
    [InlineData("../../../etc/passwd")]
    [InlineData("/usr/share/zoneinfo/Europe/Berlin")]
    [InlineData("zone.tab")]
    [InlineData(" Europe/Berlin")]
    public void An_unknown_zone_is_an_error_on_time_zone(string zone)
    {
        var (schedule, errors) = Schedule.Parse("0 6 * * *", zone, Hourly);

        Assert.Null(schedule);
        Assert.Equal(
            $"'{zone}' is not a known time zone. Use an IANA time zone id such as 'Europe/Berlin', 'America/New_York' or 'UTC'.",
            Error(errors, Schedule.TimeZoneField));
        Assert.False(errors.ContainsKey(Schedule.CronField));
    }

    [Fact]
    public void A_missing_or_overlong_zone_is_an_error_on_time_zone()
    {
        Assert.StartsWith("'timeZone' is required: an IANA time zone id", Error(Schedule.Parse("0 6 * * *", null, Hourly).Errors, Schedule.TimeZoneField), StringComparison.Ordinal);
        Assert.StartsWith("'timeZone' is at most 64 characters", Error(Schedule.Parse("0 6 * * *", new string('a', 65), Hourly).Errors, Schedule.TimeZoneField), StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_in_both_fields_are_reported_together()
    {
        var (schedule, errors) = Schedule.Parse("*/10 * * * *", "Mars/Olympus_Mons", Hourly);

        Assert.Null(schedule);
        Assert.Equal([Schedule.CronField, Schedule.TimeZoneField], errors.Keys.Order(StringComparer.Ordinal));
    }
}
