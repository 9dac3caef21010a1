using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.Reports;
using ReportingApi.TestSupport;

namespace ReportingApi.IntegrationTests.Reports;

/// <summary>Every report in every format, downloaded through the API on MariaDB, equals the database value for value.</summary>
[Collection(MariaDbCollectionDefinition.Name)]
public sealed class ReportDownloadTests(MariaDbAppFactory app) : IClassFixture<MariaDbAppFactory>
{
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
        Assert.Null(ExpectedReports.FirstDifference(expected, file, format));
    }
}
