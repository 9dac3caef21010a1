using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace ReportingApi.Reports;

/// <summary>A validated report request: which report, in which format, for which period, with which filters.</summary>
public sealed record ReportRequest(ReportDefinition Report, ReportFormat Format, DateOnly From, DateOnly To, IReadOnlyDictionary<string, string> Filters)
{
    public const string FormatParameter = "format";
    public const string FromParameter = "from";
    public const string ToParameter = "to";

    /// <summary>
    /// Validates the raw query. Everything arrives as text so that a malformed value gets a message naming the
    /// parameter, not a framework binding error. Returns the request, or the errors per parameter.
    /// </summary>
    public static (ReportRequest? Request, Dictionary<string, string[]> Errors) Parse(
        ReportDefinition report, IEnumerable<KeyValuePair<string, StringValues>> query, int maxPeriodDays)
    {
        var values = query.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.OrdinalIgnoreCase);
        var errors = new Dictionary<string, string[]>();

        var format = ReportFormat.Csv;
        if (values.TryGetValue(FormatParameter, out var formatText) && !ReportFormats.TryParse(Single(formatText), out format))
        {
            errors[FormatParameter] = [$"'{Single(formatText)}' is not a supported format. Use one of: {string.Join(", ", ReportFormats.Names)}."];
        }

        var from = ParseDate(values, FromParameter, errors);
        var to = ParseDate(values, ToParameter, errors);
        if (from is { } start && to is { } end)
        {
            if (end < start)
            {
                errors[ToParameter] = [$"'to' ({end:yyyy-MM-dd}) is before 'from' ({start:yyyy-MM-dd})."];
            }
            else if (end.DayNumber - start.DayNumber + 1 > maxPeriodDays)
            {
                errors[ToParameter] = [$"The period covers {end.DayNumber - start.DayNumber + 1} days; at most {maxPeriodDays} are allowed per request. Split it into shorter periods."];
            }
        }

        var filters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var filter in report.Filters)
        {
            if (!values.TryGetValue(filter.Name, out var raw))
            {
                continue;
            }

            var value = Single(raw);
            if (filter.IsNumeric ? !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _) : !filter.AllowedValues.Contains(value, StringComparer.Ordinal))
            {
                errors[filter.Name] = [filter.IsNumeric
                    ? $"'{value}' is not a valid {filter.Name}: expected a whole number."
                    : $"'{value}' is not a valid {filter.Name}. Use one of: {string.Join(", ", filter.AllowedValues)}."];
                continue;
            }

            filters[filter.Name] = value;
        }

        return errors.Count > 0 || from is null || to is null
            ? (null, errors)
            : (new ReportRequest(report, format, from.Value, to.Value, filters), errors);
    }

    /// <summary>The download file name: <c>{report}_{from}_{to}.{ext}</c>.</summary>
    public string FileName(string? suffix = null) =>
        $"{Report.Id}_{From:yyyy-MM-dd}_{To:yyyy-MM-dd}{(suffix is null ? "" : "_" + suffix)}.{ReportFormats.Extension(Format)}";

    private static DateOnly? ParseDate(Dictionary<string, StringValues> values, string name, Dictionary<string, string[]> errors)
    {
        if (!values.TryGetValue(name, out var raw) || StringValues.IsNullOrEmpty(raw))
        {
            errors[name] = [$"'{name}' is required: an ISO date (yyyy-MM-dd)."];
            return null;
        }

        if (DateOnly.TryParseExact(Single(raw), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        errors[name] = [$"'{Single(raw)}' is not an ISO date (yyyy-MM-dd)."];
        return null;
    }

    // A repeated parameter (?from=a&from=b) is ambiguous; its joined text fails validation with a clear message.
    private static string Single(StringValues values) => values.Count == 1 ? values[0] ?? "" : values.ToString();
}
