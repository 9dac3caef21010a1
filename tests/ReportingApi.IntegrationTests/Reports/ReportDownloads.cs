using System.Net;
using ReportingApi.Rendering;
using ReportingApi.Reports;

namespace ReportingApi.IntegrationTests.Reports;

/// <summary>Downloads reports through the API and reads them back; checks what every successful download must have.</summary>
public static class ReportDownloads
{
    /// <summary>
    /// A quarter well inside the demo data (which runs up to <see cref="Data.DemoData.DemoDataGenerator.DefaultReferenceMonth"/>),
    /// so that every report has rows in it.
    /// </summary>
    public static readonly DateOnly From = Data.DemoData.DemoDataGenerator.DefaultReferenceMonth.AddMonths(-7);
    public static readonly DateOnly To = From.AddMonths(3).AddDays(-1);

    public static string Url(ReportDefinition report, ReportFormat format, string extraQuery = "") =>
        $"/v1/reports/{report.Id}?format={ReportFormats.Name(format)}&from={From:yyyy-MM-dd}&to={To:yyyy-MM-dd}{extraQuery}";

    public static async Task<ReportTable> GetAsync(HttpClient client, ReportDefinition report, ReportFormat format, string extraQuery = "")
    {
        using var response = await client.GetAsync(Url(report, format, extraQuery), HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            Assert.Fail($"{report.Id} {format}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        Assert.Equal(ReportFormats.ContentType(format).Split(';')[0], response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"{report.Id}_{From:yyyy-MM-dd}_{To:yyyy-MM-dd}.{ReportFormats.Extension(format)}", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
        await using var body = await response.Content.ReadAsStreamAsync();
        var table = await ReportFileReader.ReadAsync(format, body, report);
        var expectedHeader = report.Columns.Select(column => format == ReportFormat.Xlsx ? column.Title : column.Name);
        Assert.Equal(expectedHeader, table.Header);
        // Callers find columns by name in every format; the XLSX titles have been checked above.
        return table with { Header = report.Columns.Select(column => column.Name).ToList() };
    }
}
