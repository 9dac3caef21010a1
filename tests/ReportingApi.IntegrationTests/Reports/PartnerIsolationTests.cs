using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.Reports;
using ReportingApi.TestSupport;

namespace ReportingApi.IntegrationTests.Reports;

/// <summary>
/// On MariaDB, a partner's files hold rows of its own employers only, whatever the request parameters say;
/// asking for another partner's employer gives an empty file, not that partner's data.
/// </summary>
[Collection(MariaDbCollectionDefinition.Name)]
public sealed class PartnerIsolationTests(MariaDbAppFactory app) : IClassFixture<MariaDbAppFactory>
{
    private const string EmployerIdColumn = "employerId";

    [Theory]
    [MemberData(nameof(ReportDownloads.AllReportsAndFormats), MemberType = typeof(ReportDownloads))]
    public async Task Files_hold_only_rows_of_the_partners_own_employers(string reportId, ReportFormat format)
    {
        var report = ReportCatalog.Find(reportId)!;
        await using var database = await app.Database.OpenConnectionAsync();
        var acmeEmployers = await ExpectedReports.EmployersOfAsync(database, DemoClients.Acme.Id);
        var northwindEmployers = await ExpectedReports.EmployersOfAsync(database, DemoClients.Northwind.Id);
        Assert.NotEmpty(acmeEmployers);
        Assert.NotEmpty(northwindEmployers);
        Assert.Empty(acmeEmployers.Intersect(northwindEmployers));
        using var acme = await app.CreateClientForAsync(DemoClients.Acme);
        using var northwind = await app.CreateClientForAsync(DemoClients.Northwind);

        var all = await ReportDownloads.GetAsync(acme, report, format);
        Assert.NotEmpty(all.Rows);
        Assert.All(all.Column(EmployerIdColumn), id => Assert.Contains(EmployerId(id), acmeEmployers));

        var textFilter = report.Filters.First(filter => !filter.IsNumeric);
        foreach (var value in textFilter.AllowedValues)
        {
            var filtered = await ReportDownloads.GetAsync(acme, report, format, $"&{textFilter.Name}={Uri.EscapeDataString(value)}");
            Assert.All(filtered.Column(EmployerIdColumn), id => Assert.Contains(EmployerId(id), acmeEmployers));
        }

        var ownEmployer = acmeEmployers.Min();
        var ownOnly = await ReportDownloads.GetAsync(acme, report, format, $"&{EmployerIdColumn}={ownEmployer}");
        Assert.NotEmpty(ownOnly.Rows);
        Assert.All(ownOnly.Column(EmployerIdColumn), id => Assert.Equal(ownEmployer, EmployerId(id)));

        foreach (var foreignEmployer in northwindEmployers)
        {
            // The employer has rows in the period (its own partner sees them), yet Acme's request gets none.
            var theirs = await ReportDownloads.GetAsync(northwind, report, format, $"&{EmployerIdColumn}={foreignEmployer}");
            Assert.NotEmpty(theirs.Rows);
            var attempt = await ReportDownloads.GetAsync(acme, report, format, $"&{EmployerIdColumn}={foreignEmployer}");
            Assert.Empty(attempt.Rows);
        }
    }

    private static long EmployerId(string? value) => long.Parse(value!, System.Globalization.CultureInfo.InvariantCulture);
}
