using ReportingApi.Problems;

namespace ReportingApi.Reports;

public enum ReportFormat
{
    Csv,
    Xlsx,
    Json,
}

public static class ReportFormats
{
    public static readonly IReadOnlyList<string> Names = Enum.GetValues<ReportFormat>().Select(Name).ToList();

    public static string Name(ReportFormat format) => format.ToString().ToLowerInvariant();

    public static bool TryParse(string? text, out ReportFormat format) => EnumNames.TryParse(text, out format);

    public static string Extension(ReportFormat format) => Name(format);

    public static string ContentType(ReportFormat format) => format switch
    {
        ReportFormat.Csv => "text/csv; charset=utf-8",
        ReportFormat.Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/json; charset=utf-8",
    };
}
