using System.Globalization;
using ReportingApi.Schedules;
using static ReportingApi.Tests.Schedules.ScheduleTestData;

namespace ReportingApi.Tests.Schedules;

public sealed class PeriodRuleTests
{
    private static PeriodRule Rule(string text)
    {
        var (rule, errors) = PeriodRule.Parse(text);
        Assert.Empty(errors);
        return Assert.IsType<PeriodRule>(rule);
    }

    /// <summary>The period of a morning slot on <paramref name="date"/> in Berlin, as "from..to".</summary>
    private static string Period(string rule, string date)
    {
        var slot = Valid("0 6 * * *").SlotAt(At($"{date}T06:00:00+00:00"));
        Assert.Equal(DateOnly.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture), slot.LocalDate);
        var period = Rule(rule).PeriodFor(slot);
        return string.Create(CultureInfo.InvariantCulture, $"{period.From:yyyy-MM-dd}..{period.To:yyyy-MM-dd}");
    }

    [Theory]
    [InlineData("previous-day", PeriodKind.PreviousDay, 1)]
    [InlineData("previous-week", PeriodKind.PreviousWeek, 7)]
    [InlineData("previous-month", PeriodKind.PreviousMonth, 31)]
    [InlineData("month-to-date", PeriodKind.MonthToDate, 31)]
    [InlineData("previous-quarter", PeriodKind.PreviousQuarter, 92)]
    [InlineData("last-1-days", PeriodKind.LastDays, 1)]
    [InlineData("last-7-days", PeriodKind.LastDays, 7)]
    [InlineData("last-366-days", PeriodKind.LastDays, 366)]
    public void Rules_parse_and_format_back_and_say_their_longest_period(string text, PeriodKind kind, int maxDays)
    {
        var rule = Rule(text);

        Assert.Equal((kind, maxDays, text), (rule.Kind, rule.MaxDays, rule.ToString()));
    }

    [Fact]
    public void Parsing_ignores_letter_case_and_gives_the_canonical_rule()
    {
        Assert.Same(PeriodRule.PreviousMonth, Rule("Previous-Month"));
        Assert.Equal(PeriodRule.LastDays(30), Rule("LAST-30-DAYS"));
        Assert.Equal("last-30-days", Rule("last-030-days").ToString());
    }

    [Theory]
    [InlineData("last-0-days")]
    [InlineData("last-367-days")]
    [InlineData("last--1-days")]
    [InlineData("last-+7-days")]
    [InlineData("last- 7-days")]
    [InlineData("last-days")]
    [InlineData("last--days")]
    [InlineData("last-7-day")]
    [InlineData("last-99999999999-days")]
    [InlineData("previous-year")]
    [InlineData(" previous-day")]
    public void Other_text_is_an_error_on_period_listing_the_rules(string text)
    {
        var (rule, errors) = PeriodRule.Parse(text);

        Assert.Null(rule);
        Assert.Equal(
            $"'{text}' is not a period rule. Use one of: previous-day, previous-week, previous-month, month-to-date, previous-quarter, last-N-days (N from 1 to 366).",
            Assert.Single(errors[PeriodRule.Field]));
    }

    [Fact]
    public void A_missing_or_overlong_rule_is_an_error_that_does_not_repeat_it()
    {
        Assert.StartsWith("'period' is required. Use one of:", Assert.Single(PeriodRule.Parse(null).Errors[PeriodRule.Field]), StringComparison.Ordinal);
        Assert.StartsWith("'period' is required. Use one of:", Assert.Single(PeriodRule.Parse("").Errors[PeriodRule.Field]), StringComparison.Ordinal);
        Assert.StartsWith("'period' is not a period rule. Use one of:", Assert.Single(PeriodRule.Parse(new string('x', 41)).Errors[PeriodRule.Field]), StringComparison.Ordinal);
    }

    [Fact]
    public void Last_n_days_outside_its_range_cannot_be_made()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PeriodRule.LastDays(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => PeriodRule.LastDays(367));
    }

    [Theory]
    [InlineData("2026-06-15", "2026-06-14..2026-06-14")]
    [InlineData("2026-03-01", "2026-02-28..2026-02-28")]
    [InlineData("2028-03-01", "2028-02-29..2028-02-29")]
    [InlineData("2027-01-01", "2026-12-31..2026-12-31")]
    public void Previous_day(string slotDate, string period) => Assert.Equal(period, Period("previous-day", slotDate));

    [Theory]
    [InlineData("2026-03-09", "2026-03-02..2026-03-08")] // a Monday slot: the whole week before
    [InlineData("2026-03-15", "2026-03-02..2026-03-08")] // a Sunday slot: not the week it closes
    [InlineData("2026-03-11", "2026-03-02..2026-03-08")]
    [InlineData("2027-01-04", "2026-12-28..2027-01-03")] // ISO week 53 of 2026, across the year end
    [InlineData("2026-01-01", "2025-12-22..2025-12-28")] // a Thursday in ISO week 1 of 2026, which began on 29 December 2025
    [InlineData("2028-03-06", "2028-02-28..2028-03-05")] // across the leap day
    public void Previous_week_is_the_iso_week_before(string slotDate, string period)
    {
        var result = Period("previous-week", slotDate);

        Assert.Equal(period, result);
        var from = DateTime.ParseExact(result[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.Equal(DayOfWeek.Monday, from.DayOfWeek);
        Assert.Equal(ISOWeek.GetWeekOfYear(from), ISOWeek.GetWeekOfYear(from.AddDays(6)));
    }

    [Fact]
    public void Week_53_is_reported_whole_on_the_monday_after_it_and_not_before_it_ends()
    {
        var monday = new DateTime(2026, 12, 28);
        Assert.Equal((53, 2026), (ISOWeek.GetWeekOfYear(monday), ISOWeek.GetYear(monday)));

        Assert.Equal("2026-12-28..2027-01-03", Period("previous-week", "2027-01-04"));
        Assert.Equal("2026-12-21..2026-12-27", Period("previous-week", "2027-01-03"));
    }

    [Theory]
    [InlineData("2026-03-02", "2026-02-01..2026-02-28")]
    [InlineData("2028-03-01", "2028-02-01..2028-02-29")]
    [InlineData("2028-03-31", "2028-02-01..2028-02-29")]
    [InlineData("2027-01-02", "2026-12-01..2026-12-31")]
    [InlineData("2026-05-31", "2026-04-01..2026-04-30")]
    [InlineData("2026-08-01", "2026-07-01..2026-07-31")]
    public void Previous_month(string slotDate, string period) => Assert.Equal(period, Period("previous-month", slotDate));

    [Theory]
    [InlineData("2026-06-15", "2026-06-01..2026-06-15")]
    [InlineData("2026-06-01", "2026-06-01..2026-06-01")]
    [InlineData("2028-02-29", "2028-02-01..2028-02-29")]
    [InlineData("2026-12-31", "2026-12-01..2026-12-31")]
    public void Month_to_date_includes_the_slot_date(string slotDate, string period) => Assert.Equal(period, Period("month-to-date", slotDate));

    [Theory]
    [InlineData("2026-01-01", "2025-10-01..2025-12-31")]
    [InlineData("2026-03-31", "2025-10-01..2025-12-31")]
    [InlineData("2026-04-01", "2026-01-01..2026-03-31")]
    [InlineData("2028-05-15", "2028-01-01..2028-03-31")]
    [InlineData("2026-07-01", "2026-04-01..2026-06-30")]
    [InlineData("2026-10-01", "2026-07-01..2026-09-30")]
    [InlineData("2026-12-31", "2026-07-01..2026-09-30")]
    public void Previous_quarter(string slotDate, string period) => Assert.Equal(period, Period("previous-quarter", slotDate));

    [Theory]
    [InlineData("last-7-days", "2026-06-15", "2026-06-08..2026-06-14")]
    [InlineData("last-1-days", "2026-06-15", "2026-06-14..2026-06-14")]
    [InlineData("last-30-days", "2028-03-15", "2028-02-14..2028-03-14")]
    [InlineData("last-366-days", "2029-01-01", "2028-01-01..2028-12-31")]
    [InlineData("last-3-days", "2027-01-02", "2026-12-30..2027-01-01")]
    public void Last_n_days_are_the_n_days_before_the_slot_date(string rule, string slotDate, string period) =>
        Assert.Equal(period, Period(rule, slotDate));

    [Theory]
    [InlineData("previous-day")]
    [InlineData("previous-week")]
    [InlineData("previous-month")]
    [InlineData("month-to-date")]
    [InlineData("previous-quarter")]
    [InlineData("last-45-days")]
    public void No_period_is_longer_than_the_rule_says_nor_ends_after_the_slot_date(string text)
    {
        var rule = Rule(text);
        var schedule = Valid("0 6 * * *");
        var longest = 0;
        foreach (var slot in schedule.SlotsBetween(At("2027-12-31T12:00:00Z"), At("2029-01-01T12:00:00Z")))
        {
            var period = rule.PeriodFor(slot);
            Assert.True(period.From <= period.To && period.To <= slot.LocalDate, $"{text} at {slot}: {period}");
            longest = Math.Max(longest, period.Days);
        }

        Assert.Equal(rule.MaxDays, longest);
    }

    [Fact]
    public void The_period_comes_from_the_local_date_not_the_utc_one()
    {
        // 00:30 in Berlin on 1 March is 23:30 UTC on 28 February: the period is February's, from the local 1 March.
        var winter = Valid("30 0 1 * *").NextSlots(At("2026-02-15T00:00:00Z"), 1)[0];
        Assert.Equal(new DateTime(2026, 2, 28), winter.Utc.UtcDateTime.Date);
        Assert.Equal(new DatePeriod(new(2026, 2, 1), new(2026, 2, 28)), PeriodRule.PreviousMonth.PeriodFor(winter));
        Assert.Equal(new DatePeriod(new(2026, 2, 28), new(2026, 2, 28)), PeriodRule.PreviousDay.PeriodFor(winter));
        Assert.Equal(new DatePeriod(new(2026, 3, 1), new(2026, 3, 1)), PeriodRule.MonthToDate.PeriodFor(winter));

        // In summer the same local time is 22:30 UTC the day before; 1 July 00:30 starts the third quarter.
        var summer = Valid("30 0 1 * *").NextSlots(At("2026-06-15T00:00:00Z"), 1)[0];
        Assert.Equal(At("2026-06-30T22:30:00Z"), summer.Utc);
        Assert.Equal(new DatePeriod(new(2026, 4, 1), new(2026, 6, 30)), PeriodRule.PreviousQuarter.PeriodFor(summer));
        Assert.Equal(new DatePeriod(new(2026, 6, 1), new(2026, 6, 30)), PeriodRule.PreviousMonth.PeriodFor(summer));
    }
}
