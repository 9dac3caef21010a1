using System.Net.Http.Json;
using ReportingApi.Reports;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Api;

public sealed class ReportDownloadTests(SqliteApiFixture fixture) : IClassFixture<SqliteApiFixture>
{
    [Theory]
    [MemberData(nameof(ReportDownloads.AllReportsAndFormats), MemberType = typeof(ReportDownloads))]
    public async Task Each_report_in_each_format_has_exactly_the_partners_rows_from_the_database(string reportId, ReportFormat format)
    {
        var report = ReportCatalog.Find(reportId)!;
        using var client = await fixture.ClientForAsync(DemoClients.Acme);

        // Checks status, media type, file name and header, and reads the file strictly.
        var parsed = await ReportDownloads.GetAsync(client, report, format);

        await using var database = fixture.OpenDatabase();
        var expected = await ExpectedReports.QueryAsync(database, report, DemoClients.Acme.Id, ReportDownloads.From, ReportDownloads.To);
        Assert.NotEmpty(expected);
        Assert.Null(ExpectedReports.FirstDifference(expected, parsed, format));
    }

    [Theory]
    [InlineData("csv", "text/csv")]
    [InlineData("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
    [InlineData("json", "application/json")]
    public async Task Content_type_matches_the_format(string format, string mediaType)
    {
        using var client = await fixture.ClientForAsync(DemoClients.Acme);
        using var response = await client.GetAsync($"/v1/reports/bikes?format={format}&from=2026-01-01&to=2026-01-31");
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Csv_is_the_default_format()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Acme);
        using var response = await client.GetAsync("/v1/reports/contracts?from=2026-01-01&to=2026-01-31");
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("contractNumber,employerId,", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("contracts", "status", "cancelled")]
    [InlineData("installments", "status", "overdue")]
    [InlineData("bikes", "category", "cargo")]
    [InlineData("employees", "status", "left")]
    public async Task A_filter_keeps_only_matching_rows(string reportId, string filter, string value)
    {
        var report = ReportCatalog.Find(reportId)!;
        using var client = await fixture.ClientForAsync(DemoClients.Acme);
        var bytes = await client.GetByteArrayAsync($"/v1/reports/{reportId}?format=json&from=2025-06-01&to=2026-05-31&{filter}={value}");
        var parsed = ReportFiles.Parse(ReportFormat.Json, bytes, report);

        await using var database = fixture.OpenDatabase();
        var expected = await ExpectedReports.QueryAsync(database, report, DemoClients.Acme.Id, new DateOnly(2025, 6, 1), new DateOnly(2026, 5, 31), value);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, parsed.Rows);
    }

    [Fact]
    public async Task Employer_filter_narrows_to_one_of_the_partners_employers()
    {
        var report = ReportCatalog.Contracts;
        using var client = await fixture.ClientForAsync(DemoClients.Acme);
        var parsed = ReportFiles.Parse(ReportFormat.Json, await client.GetByteArrayAsync("/v1/reports/contracts?format=json&from=2026-01-01&to=2026-03-31&employerId=2"), report);
        Assert.NotEmpty(parsed.Rows);
        Assert.All(parsed.Column("employerId"), employerId => Assert.Equal("2", employerId));
    }

    [Fact]
    public async Task Catalog_lists_every_report_with_columns_formats_and_filters()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Acme);
        var catalog = await client.GetFromJsonAsync<ReportCatalogResponse>("/v1/reports");

        Assert.NotNull(catalog);
        Assert.Equal(["contracts", "installments", "bikes", "employees"], catalog.Reports.Select(r => r.Id));
        Assert.Equal(366, catalog.MaxPeriodDays);
        var contracts = catalog.Reports[0];
        Assert.Equal(["csv", "xlsx", "json"], contracts.Formats);
        Assert.Contains(contracts.Columns, c => c.Name == "monthlyGrossRate" && c.Type == "decimal");
        Assert.Contains(contracts.Filters, f => f.Name == "status" && f.AllowedValues.Contains("cancelled"));
    }
}
