using Dapper;
using ReportingApi.Demo;
using ReportingApi.Reports;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Api;

public sealed class PartnerIsolationTests(SqliteApiFixture fixture) : IClassFixture<SqliteApiFixture>
{
    [Theory]
    [MemberData(nameof(ReportDownloads.AllReportsAndFormats), MemberType = typeof(ReportDownloads))]
    public async Task A_partner_never_sees_another_partners_employers(string reportId, ReportFormat format)
    {
        var report = ReportCatalog.Find(reportId)!;
        await using var database = fixture.OpenDatabase();
        var allEmployers = (await database.QueryAsync<long>("SELECT id FROM employers")).Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();

        var seen = new Dictionary<string, HashSet<string>>();
        foreach (var (client, partner) in new[] { (DemoClients.Acme, DemoPartners.All[0]), (DemoClients.Northwind, DemoPartners.All[1]) })
        {
            using var http = await fixture.ClientForAsync(client);
            // The widest period allowed, so that every employer with data shows up.
            var bytes = await http.GetByteArrayAsync($"/v1/reports/{reportId}?format={ReportFormats.Name(format)}&from=2025-12-01&to=2026-11-30");
            var employers = ReportFiles.Parse(format, bytes, report).Column("employerId").Select(id => id!).ToHashSet();

            Assert.NotEmpty(employers);
            Assert.Subset(partner.EmployerIds.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet(), employers);
            seen[client.Id] = employers;
        }

        Assert.Empty(seen[DemoClients.Acme.Id].Intersect(seen[DemoClients.Northwind.Id]));
        Assert.True(allEmployers.Count > seen.Values.Sum(set => set.Count), "the data must hold employers that neither partner may see");
    }

    [Theory]
    [InlineData("contracts")]
    [InlineData("installments")]
    [InlineData("bikes")]
    [InlineData("employees")]
    public async Task Asking_for_another_partners_employer_returns_no_rows(string reportId)
    {
        using var acme = await fixture.ClientForAsync(DemoClients.Acme);
        using var northwind = await fixture.ClientForAsync(DemoClients.Northwind);
        var northwindEmployer = DemoPartners.All[1].EmployerIds[0];
        var url = $"/v1/reports/{reportId}?format=json&from=2026-01-01&to=2026-03-31&employerId={northwindEmployer}";

        // The employer has rows in the period: its own partner gets them.
        var theirs = ReportFiles.Parse(ReportFormat.Json, await northwind.GetByteArrayAsync(url), ReportCatalog.Find(reportId)!);
        Assert.NotEmpty(theirs.Rows);
        Assert.All(theirs.Column("employerId"), id => Assert.Equal(northwindEmployer.ToString(System.Globalization.CultureInfo.InvariantCulture), id));

        var attempt = ReportFiles.Parse(ReportFormat.Json, await acme.GetByteArrayAsync(url), ReportCatalog.Find(reportId)!);
        Assert.Empty(attempt.Rows);
    }

    [Theory]
    [InlineData("partnerId=2")]
    [InlineData("partner_id=2")]
    [InlineData("clientId=demo-northwind")]
    [InlineData("client_id=demo-northwind")]
    public async Task Request_parameters_cannot_change_the_partner(string extra)
    {
        const string Url = "/v1/reports/contracts?format=json&from=2026-01-01&to=2026-03-31";
        using var acme = await fixture.ClientForAsync(DemoClients.Acme);
        using var northwind = await fixture.ClientForAsync(DemoClients.Northwind);
        var own = await acme.GetByteArrayAsync(Url);
        var theirs = ReportFiles.Parse(ReportFormat.Json, await northwind.GetByteArrayAsync(Url), ReportCatalog.Contracts);
        Assert.NotEmpty(theirs.Rows);

        var withParameter = await acme.GetByteArrayAsync($"{Url}&{extra}");

        // The same file as without the parameter: Acme's rows, and every one of its employers' rows.
        Assert.Equal(own, withParameter);
        var employers = ReportFiles.Parse(ReportFormat.Json, withParameter, ReportCatalog.Contracts).Column("employerId").Select(id => int.Parse(id!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(employers);
        Assert.All(employers, employer => Assert.Contains(employer, DemoPartners.All[0].EmployerIds));
    }
}
