using System.Text.Json;
using ReportingApi.Partners;
using ReportingApi.Reports;
using ReportingApi.Runs;
using ReportingApi.Schedules;

namespace ReportingApi.Subscriptions;

/// <summary>The body of <c>POST /v1/subscriptions</c> and <c>PUT /v1/subscriptions/{id}</c>.</summary>
/// <param name="Report">Report id from the catalog, e.g. <c>installments</c>.</param>
/// <param name="Format">csv (default), xlsx or json.</param>
/// <param name="Filters">Optional filters from the catalog, e.g. <c>{"status": "paid"}</c>.</param>
/// <param name="Armored">ASCII-armored OpenPGP instead of binary (default false).</param>
/// <param name="Cron">Five fields, minute hour day-of-month month day-of-week: <c>0 6 2 * *</c> is 06:00 on the 2nd of every month.</param>
/// <param name="TimeZone">The IANA zone whose wall clock the expression follows, e.g. <c>Europe/Berlin</c>.</param>
/// <param name="Period">What each run reports on, relative to its slot's local date: previous-day, previous-week, previous-month, month-to-date, previous-quarter or last-N-days.</param>
public sealed record SubscriptionRequest(
    string? Report, string? Format, Dictionary<string, string>? Filters, bool? Armored, string? Cron, string? TimeZone, string? Period)
{
    /// <summary>
    /// Validates every field: the report, format and filters with the rules of a run request (for the period of the
    /// schedule's next slot), the schedule (<see cref="SchedulePlanner.Parse"/>), the period rule and whether the report
    /// takes periods that long, and whether the partner may use the report and format. Returns the definition, or the
    /// errors per field.
    /// </summary>
    public (SubscriptionDefinition? Definition, Dictionary<string, string[]> Errors) Validate(Partner partner, SchedulePlanner planner, int maxPeriodDays)
    {
        var (schedule, errors) = planner.Parse(Cron, TimeZone);
        var (rule, ruleErrors) = PeriodRule.Parse(Period);
        foreach (var (field, messages) in ruleErrors)
        {
            errors[field] = messages;
        }

        if (rule is not null && rule.MaxDays > maxPeriodDays)
        {
            errors[PeriodRule.Field] = [$"'{rule}' reports on up to {rule.MaxDays} days; a report covers at most {maxPeriodDays}. Choose a shorter period rule."];
            rule = null;
        }

        // The next slot's period when the schedule and rule are valid; otherwise today, so that the report, format and filters are still checked.
        var today = DateOnly.FromDateTime(planner.Now.UtcDateTime);
        var period = schedule is not null && rule is not null && planner.Upcoming(schedule, 1) is [var next]
            ? rule.PeriodFor(next)
            : new DatePeriod(today, today);
        var (request, requestErrors) = ForPeriod(Report, Format, Filters, Armored, period).Validate(maxPeriodDays);
        foreach (var (field, messages) in requestErrors)
        {
            errors[field] = messages;
        }

        if (request is not null && partner.Disallows(request.Report.Id, ReportFormats.Name(request.Format)) is { } refusal)
        {
            errors[refusal.Reason == PartnerRefusalReason.FormatNotAllowed ? ReportRequest.FormatParameter : "report"] = [refusal.Detail];
        }

        return errors.Count > 0 || request is null || schedule is null || rule is null
            ? (null, errors)
            : (new SubscriptionDefinition(request, Armored ?? false, schedule, rule), errors);
    }

    /// <summary>The run request of a subscription for one period: what the scheduler validates and runs for each slot.</summary>
    public static CreateReportRunRequest ForPeriod(string? report, string? format, Dictionary<string, string>? filters, bool? armored, DatePeriod period) =>
        new(report, format, period.From.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            period.To.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), filters, armored);
}

/// <summary>A validated subscription: the report request (for one sample period), how it is encrypted, when it runs and for which period.</summary>
public sealed record SubscriptionDefinition(ReportRequest Sample, bool Armored, Schedule Schedule, PeriodRule Rule)
{
    /// <summary>Writes the definition onto a stored subscription.</summary>
    public void ApplyTo(Subscription subscription)
    {
        subscription.Report = Sample.Report.Id;
        subscription.Format = ReportFormats.Name(Sample.Format);
        subscription.Filters = CreateReportRunRequest.FiltersJson(Sample);
        subscription.Armored = Armored;
        subscription.Cron = Schedule.Cron;
        subscription.TimeZone = Schedule.TimeZoneId;
        subscription.PeriodRule = Rule.ToString();
    }

    public static Dictionary<string, string> ReadFilters(Subscription subscription) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(subscription.Filters) ?? [];
}
