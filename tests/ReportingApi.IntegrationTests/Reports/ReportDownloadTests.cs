using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.Rendering;
using ReportingApi.Reports;
using ReportingApi.TestSupport;

namespace ReportingApi.IntegrationTests.Reports;

/// <summary>Every report in every format, downloaded through the API on MariaDB, equals the database value for value.</summary>
[Collection(MariaDbCollectionDefinition.Name)]
public sealed class ReportDownloadTests(MariaDbAppFactory app) : IClassFixture<MariaDbAppFactory>
{
    // What the CSV writer is configured to escape (CSV injection): such text is written with a leading quote.
    private static readonly char[] CsvFormulaStarts = ['=', '+', '-', '@', '\t', '\r'];

    [Theory]
    [MemberData(nameof(ReportDownloads.AllReportsAndFormats), MemberType = typeof(ReportDownloads))]
    public async Task Download_equals_the_database_row_for_row(string reportId, ReportFormat format)
    {
        var report = ReportCatalog.Find(reportId)!;
        using var client = await app.CreateClientForAsync(DemoClients.Acme);

        var file = await ReportDownloads.GetAsync(client, report, format);
        await using var database = await app.Database.OpenConnectionAsync();
        var expected = await ExpectedReports.QueryAsync(database, report, DemoClients.Acme.Id, ReportDownloads.From, ReportDownloads.To);

        Assert.True(expected.Count > 0, $"The test period has no {report.Id} rows for the partner; the comparison would prove nothing.");
        Assert.Equal(expected.Count, file.Rows.Count);
        for (var row = 0; row < expected.Count; row++)
        {
            for (var column = 0; column < report.Columns.Count; column++)
            {
                var wanted = expected[row][column];
                if (format == ReportFormat.Csv && report.Columns[column].Type == ColumnType.Text && wanted is { Length: > 0 } && CsvFormulaStarts.Contains(wanted[0]))
                {
                    wanted = "'" + wanted;
                }

                var actual = file.Rows[row][column];
                if (wanted != actual)
                {
                    Assert.Fail($"{report.Id}.{format} row {row + 1}, column {report.Columns[column].Name}: expected <{wanted}>, file has <{actual}>.");
                }
            }
        }
    }
}
