using System.Net;
using System.Text.Json;
using Dapper;
using ReportingApi.Data;
using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.Problems;
using ReportingApi.Reports;
using ReportingApi.TestSupport;

namespace ReportingApi.IntegrationTests.Reports;

/// <summary>Readiness follows the database, and a report asked for while MariaDB is down is a clean 503 problem.</summary>
[Collection(MariaDbCollectionDefinition.Name)]
public sealed class DatabaseAvailabilityTests(MariaDbAppFactory app) : IClassFixture<MariaDbAppFactory>
{
    private const string ReadyPath = "/health/ready";

    [Fact]
    public async Task Ready_is_200_while_the_database_answers()
    {
        using var client = app.CreateClient();

        using var response = await client.GetAsync(ReadyPath);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task While_the_database_is_down_ready_is_503_and_reports_are_503_problems_then_both_recover()
    {
        // Token first: the token endpoint needs no database, but the app starts (and migrates) on first use.
        using var client = await app.CreateClientForAsync(DemoClients.Acme);
        var url = ReportDownloads.Url(ReportCatalog.Contracts, ReportFormat.Csv);
        using (var before = await client.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await app.Database.Server.StopAsync();
        try
        {
            Assert.False(app.Database.Server.IsRunning);
            using (var ready = await client.GetAsync(ReadyPath))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            }

            using var report = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, report.StatusCode);
            Assert.Equal("application/problem+json", report.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await report.Content.ReadAsStringAsync());
            var type = problem.RootElement.GetProperty("type").GetString();
            Assert.Equal(ProblemTypes.ServiceUnavailable, type);
            Assert.EndsWith("service-unavailable", type, StringComparison.Ordinal);
            Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
            // Nothing about the server (host, port, driver message) leaks into the answer.
            Assert.DoesNotContain(app.Database.Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            await app.Database.Server.RestartAsync();
        }

        using (var ready = await client.GetAsync(ReadyPath))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        using var after = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task A_statement_MariaDB_rejects_is_a_bug_not_an_outage()
    {
        await using var connection = await app.Database.OpenConnectionAsync();

        var error = await Assert.ThrowsAsync<MySqlConnector.MySqlException>(() => connection.ExecuteAsync("SELECT no_such_column FROM contracts"));

        Assert.False(DatabaseFailures.IsUnavailable(error));
        Assert.True(await connection.ExecuteScalarAsync<int>("SELECT 1") == 1, "The connection stays usable after the error.");
    }
}
