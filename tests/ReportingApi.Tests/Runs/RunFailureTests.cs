using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using ReportingApi.Runs;
using ReportingApi.Security;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Runs;

/// <summary>Bad requests, failing deliveries, retries, redelivery after a fix, and runs interrupted by a restart.</summary>
public sealed class RunFailureTests(RunsFixture fixture) : IClassFixture<RunsFixture>
{
    public static TheoryData<string, string> InvalidBodies() => new()
    {
        { """{"format":"csv","from":"2026-01-01","to":"2026-01-31"}""", "report" },
        { """{"report":"salaries","from":"2026-01-01","to":"2026-01-31"}""", "report" },
        { """{"report":"contracts","format":"pdf","from":"2026-01-01","to":"2026-01-31"}""", "format" },
        { """{"report":"contracts","from":"2026-02-01","to":"2026-01-31"}""", "to" },
        { """{"report":"contracts","from":"2024-01-01","to":"2026-01-31"}""", "to" },
        { """{"report":"contracts","to":"2026-01-31"}""", "from" },
        { """{"report":"contracts","from":"2026-01-01","to":"2026-01-31","filters":{"category":"cargo"}}""", "filters" },
        { """{"report":"contracts","from":"2026-01-01","to":"2026-01-31","filters":{"status":"lost"}}""", "status" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Invalid_requests_are_400_problems_and_create_no_run(string body, string parameter)
    {
        using var client = await fixture.ClientForAsync(DemoClients.Northwind);
        await using var database = fixture.OpenDatabase();
        var before = await database.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM report_runs");

        using var response = await client.PostAsync("/v1/report-runs", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await Api.AuthTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid-parameters");
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), problem.ToString());
        Assert.Equal(before, await database.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM report_runs"));
    }

    [Theory]
    [InlineData("{not json", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("""{"report": 5}""", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("report=contracts", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType)]
    public async Task Malformed_bodies_are_problems_not_server_errors(string body, string contentType, HttpStatusCode status)
    {
        using var client = await fixture.ClientForAsync(DemoClients.Northwind);
        using var response = await client.PostAsync("/v1/report-runs", new StringContent(body, Encoding.UTF8, contentType));
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_overlong_idempotency_key_is_refused()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Northwind);
        using var response = await client.PostRunAsync(new { report = "contracts", from = "2026-01-01", to = "2026-01-31" }, new string('k', 201));
        await Api.AuthTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid-parameters");
    }

    [Theory]
    [InlineData("status=lost")]
    [InlineData("page=0")]
    [InlineData("pageSize=1000")]
    [InlineData("page=abc")]
    [InlineData("cursor=bm90LWEtY3Vyc29y")]
    [InlineData("cursor=%%%")]
    [InlineData("cursor=MTIzfHJ1bl94&page=2")]
    [InlineData("from=yesterday")]
    [InlineData("from=2026-11-27&to=2026-11-26")]
    [InlineData("report=a%20b")]
    public async Task Invalid_list_parameters_are_400(string query)
    {
        using var client = await fixture.ClientForAsync(DemoClients.Northwind);
        using var response = await client.GetAsync($"/v1/report-runs?{query}");
        await Api.AuthTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid-parameters");
    }

    [Fact]
    public async Task Starting_runs_needs_the_deliver_scope()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Northwind, scope: Scopes.Read);
        using var response = await client.PostRunAsync(new { report = "contracts", from = "2026-01-01", to = "2026-01-31" });
        await Api.AuthTests.AssertProblemAsync(response, HttpStatusCode.Forbidden, "insufficient-scope");
    }

    [Fact]
    public async Task A_failing_delivery_is_retried_then_failed_with_a_reason_and_redelivered_once_fixed()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Contoso);
        var remote = Path.Combine(fixture.Factory.SftpFolder("demo-contoso"), "reports");
        Directory.CreateDirectory(Path.GetDirectoryName(remote)!);
        if (Directory.Exists(remote))
        {
            Directory.Delete(remote, recursive: true);
        }

        // A plain file where the remote directory should be: every delivery attempt fails.
        await File.WriteAllTextAsync(remote, "in the way");
        var run = await client.CreateAndWaitAsync(new { report = "contracts", format = "csv", from = "2026-04-01", to = "2026-04-30" }, "fail-then-fix");

        Assert.Equal("failed", run.Status);
        Assert.Equal(3, run.Attempts);
        Assert.False(string.IsNullOrWhiteSpace(run.FailureReason));
        Assert.Equal(2, run.Steps!.Count(step => step.Status == "retry-scheduled"));
        Assert.Equal(1, run.Steps!.Count(step => step.Status == "rendering"));
        Assert.Equal("stored", run.Steps!.Single(step => step.Status == "stored").Status);

        File.Delete(remote);
        using var redeliver = await client.PostAsync($"/v1/report-runs/{run.Id}/redeliver", null);
        Assert.Equal(HttpStatusCode.Accepted, redeliver.StatusCode);
        var delivered = await client.WaitUntilFinishedAsync(run.Id);

        Assert.Equal("delivered", delivered.Status);
        Assert.Null(delivered.FailureReason);
        Assert.True(File.Exists(Path.Combine(remote, delivered.FileName!)));
        Assert.Empty(Directory.GetFiles(remote, "*.part"));
    }

    [Fact]
    public async Task A_run_in_progress_cannot_be_redelivered()
    {
        await using var database = fixture.OpenDatabase();
        var id = await InsertRunAsync(database, "sending", nextAttemptAt: DateTime.UtcNow.AddHours(1));
        using var client = await fixture.ClientForAsync(DemoClients.Acme);
        using var response = await client.PostAsync($"/v1/report-runs/{id}/redeliver", null);
        await Api.AuthTests.AssertProblemAsync(response, HttpStatusCode.Conflict, "run-in-progress");
        using var file = await client.GetAsync($"/v1/report-runs/{id}/file");
        await Api.AuthTests.AssertProblemAsync(file, HttpStatusCode.Conflict, "run-file-not-ready");
    }

    [Fact]
    public async Task Runs_interrupted_by_a_restart_are_picked_up_and_delivered()
    {
        // Runs left "queued" and "rendering" by a process that died; a new process on the same database finishes them.
        var folder = Directory.CreateTempSubdirectory("reportingapi-restart-").FullName;
        var databasePath = Path.Combine(folder, "restart.db");
        string queued, rendering;
        // Both hosts deliver into this test's folder: the first one's onboarding stores the demo partners' folder target.
        var settings = new Dictionary<string, string?>(RunsFixture.Settings(databasePath)) { ["DemoOnboarding:SftpRootFolder"] = Path.Combine(folder, "sftp") };
        using (var first = new ReportingApiFactory(settings))
        {
            using var client = first.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        }

        await using (var database = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={databasePath}"))
        {
            await database.OpenAsync();
            queued = await InsertRunAsync(database, "queued");
            rendering = await InsertRunAsync(database, "rendering");
        }

        using var second = new ReportingApiFactory(settings);
        using var http = second.CreateClient();
        http.WithToken(await DemoClients.GetTokenAsync(http, DemoClients.Acme));
        Assert.Equal("delivered", (await http.WaitUntilFinishedAsync(queued)).Status);
        Assert.Equal("delivered", (await http.WaitUntilFinishedAsync(rendering)).Status);
        await second.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    private static async Task<string> InsertRunAsync(System.Data.Common.DbConnection database, string status, DateTime? nextAttemptAt = null)
    {
        var id = "run_" + Guid.CreateVersion7().ToString("N");
        var now = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        await database.ExecuteAsync(
            """
            INSERT INTO report_runs (id, partner_id, client_id, source_ip, idempotency_key, request_hash, report, format, period_from, period_to,
              filters, armored, status, attempts, next_attempt_at, created_at, updated_at)
            VALUES (@id, 1, 'demo-acme', '127.0.0.1', NULL, 'x', 'contracts', 'csv', '2026-01-01', '2026-01-31', '{}', 0, @status, 0, @next, @now, @now)
            """,
            new { id, status, next = nextAttemptAt?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), now });
        return id;
    }
}
