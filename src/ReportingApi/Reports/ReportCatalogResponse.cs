

namespace ReportingApi.Reports;

/// <summary>The catalog: every report with its columns, formats, period rule and filters.</summary>
public sealed record ReportCatalogResponse(IReadOnlyList<ReportDescription> Reports, int MaxPeriodDays)
{
    public static ReportCatalogResponse From(IEnumerable<ReportDefinition> reports, Func<ReportFormat, bool> formatAllowed, int maxPeriodDays) => new(
        reports.Select(report => new ReportDescription(
            report.Id,
            report.Title,
            report.Description,
            report.PeriodDescription,
            Enum.GetValues<ReportFormat>().Where(formatAllowed).Select(ReportFormats.Name).ToList(),
            report.Columns.Select(column => new ColumnDescription(column.Name, column.Title, column.Type.ToString().ToLowerInvariant(), column.Description)).ToList(),
            report.Filters.Select(filter => new FilterDescription(filter.Name, filter.Description, filter.IsNumeric ? "integer" : "string", filter.AllowedValues)).ToList()))
        .ToList(),
        maxPeriodDays);
}

/// <param name="Formats">Values of the <c>format</c> parameter.</param>
public sealed record ReportDescription(
    string Id,
    string Title,
    string Description,
    string Period,
    IReadOnlyList<string> Formats,
    IReadOnlyList<ColumnDescription> Columns,
    IReadOnlyList<FilterDescription> Filters);

/// <param name="Type">text, integer, decimal, date or datetime.</param>
public sealed record ColumnDescription(string Name, string Title, string Type, string Description);

/// <param name="AllowedValues">The accepted values; empty for integer filters.</param>
public sealed record FilterDescription(string Name, string Description, string Type, IReadOnlyList<string> AllowedValues);
