using System.Net;
using ReportingApi.Demo;
using ReportingApi.Reports;

namespace ReportingApi.TestSupport;

/// <summary>
/// Downloads reports through the API and reads them back (<see cref="ReportFiles"/>), checking what every successful
/// download must have: 200, the format's media type, the file name, the header. A check that fails throws.
/// </summary>
public static class ReportDownloads
{
    /// <summary>
    /// A quarter well inside the demo data (which runs up to <see cref="DemoDataGenerator.DefaultReferenceMonth"/>), so
    /// that every report has rows in it.
    /// </summary>
    public static readonly DateOnly From = DemoDataGenerator.DefaultReferenceMonth.AddMonths(-7);
    public static readonly DateOnly To = From.AddMonths(3).AddDays(-1);

    // What a partner's system sees, written down here rather than taken from the app's ReportFormats.
    private static readonly Dictionary<ReportFormat, (string Name, string MediaType)> Formats = new()
    {
        [ReportFormat.Csv] = ("csv", "text/csv"),
        [ReportFormat.Xlsx] = ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        [ReportFormat.Json] = ("json", "application/json"),
    };

    /// <summary>Every report in every format, as test cases: report id, <see cref="ReportFormat"/>.</summary>
    public static IEnumerable<object[]> AllReportsAndFormats() =>
        from report in ReportCatalog.All
        from format in Enum.GetValues<ReportFormat>()
        select new object[] { report.Id, format };

    public static string Url(ReportDefinition report, ReportFormat format, string extraQuery = "") =>
        $"/v1/reports/{report.Id}?format={Formats[format].Name}&from={From:yyyy-MM-dd}&to={To:yyyy-MM-dd}{extraQuery}";

    /// <summary>The report for <see cref="From"/>..<see cref="To"/>; <paramref name="extraQuery"/> starts with <c>&amp;</c>.</summary>
    public static async Task<ReportFiles.Parsed> GetAsync(HttpClient client, ReportDefinition report, ReportFormat format, string extraQuery = "")
    {
        var (name, mediaType) = Formats[format];
        var what = $"{report.Id} {name}";
        using var response = await client.GetAsync(Url(report, format, extraQuery), HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        Expect(what, "media type", mediaType, response.Content.Headers.ContentType?.MediaType);
        var disposition = response.Content.Headers.ContentDisposition;
        Expect(what, "file name", $"{report.Id}_{From:yyyy-MM-dd}_{To:yyyy-MM-dd}.{name}", disposition?.FileNameStar ?? disposition?.FileName);

        await using var body = await response.Content.ReadAsStreamAsync();
        var file = await ReportFiles.ReadAsync(format, body, report);
        var header = report.Columns.Select(column => format == ReportFormat.Xlsx ? column.Title : column.Name);
        Expect(what, "header", string.Join(", ", header), string.Join(", ", file.Header));
        return file;
    }

    private static void Expect(string what, string property, string expected, string? actual)
    {
        if (!string.Equals(expected, actual, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{what}: {property} is <{actual}>, expected <{expected}>.");
        }
    }
}
