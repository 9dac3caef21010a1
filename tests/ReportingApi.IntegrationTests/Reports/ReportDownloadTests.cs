using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.Rendering;
using ReportingApi.Reports;

namespace ReportingApi.IntegrationTests.Reports;

/// <summary>Every report in every format, downloaded through the API on MariaDB, equals the database value for value.</summary>
[Collection(MariaDbCollectionDefinition.Name)]
public sealed class ReportDownloadTests(MariaDbAppFactory app) : IClassFixture<MariaDbAppFactory>
{
    // What the CSV writer is configured to escape (CSV injection): such text is written with a leading quote.
    private static readonly char[] CsvFormulaStarts = ['=', '+', '-', '@', '\t', '\r'];

    public static TheoryData<string, ReportFormat> ReportsAndFormats()
    {
        var data = new TheoryData<string, ReportFormat>();
        foreach (var report in ReportCatalog.All)
        {
            foreach (var format in Enum.GetValues<ReportFormat>())
            {
                data.Add(report.Id, format);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ReportsAndFormats))]
    public async Task Download_equals_the_database_row_for_row(string reportId, ReportFormat format)
    {
        var report = ReportCatalog.Find(reportId)!;
        using var client = await app.CreateAuthenticatedClientAsync(MariaDbAppFactory.Acme);

        var file = await ReportDownloads.GetAsync(client, report, format);
        var expected = await ExpectedReports.QueryAsync(app.Database.ConnectionString, report, MariaDbAppFactory.Acme.ClientId, ReportDownloads.From, ReportDownloads.To);

        Assert.Equal(report.Columns.Select(column => column.Name), expected.Header);
        Assert.True(expected.Rows.Count > 0, $"The test period has no {report.Id} rows for the partner; the comparison would prove nothing.");
        Assert.Equal(expected.Rows.Count, file.Rows.Count);
        for (var row = 0; row < expected.Rows.Count; row++)
        {
            for (var column = 0; column < report.Columns.Count; column++)
            {
                var wanted = expected.Rows[row][column];
                if (format == ReportFormat.Csv && wanted is string text && text.Length > 0 && CsvFormulaStarts.Contains(text[0]))
                {
                    wanted = "'" + text;
                }

                var actual = file.Rows[row][column];
                if (!Equals(wanted, actual))
                {
                    Assert.Fail($"{report.Id}.{format} row {row + 1}, column {report.Columns[column].Name}: expected <{wanted}> ({wanted?.GetType().Name}), file has <{actual}> ({actual?.GetType().Name}).");
                }
            }
        }
    }
}
