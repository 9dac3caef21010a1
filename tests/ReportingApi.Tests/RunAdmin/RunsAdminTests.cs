using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ReportingApi.Runs;
using ReportingApi.Tests.Runs;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.RunAdmin;

public sealed class RunsAdminTests(RunsFixture fixture) : IClassFixture<RunsFixture>
{
    [Fact]
    public async Task An_operator_finds_tonights_failed_run_among_all_partners_reads_why_and_redelivers_it()
    {
        // Runs keep whole seconds: start at the next one, so the earlier tests' runs fall before the range and this test's in it.
        var now = DateTime.UtcNow;
        var since = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc).AddSeconds(1);
        await Task.Delay(since - now);
        using var acme = await fixture.ClientForAsync(DemoClients.Acme);
        using var northwind = await fixture.ClientForAsync(DemoClients.Northwind);
        using var contoso = await fixture.ClientForAsync(DemoClients.Contoso);
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        var acmeRun = await acme.CreateAndWaitAsync(new { report = "contracts", format = "csv", from = "2026-01-01", to = "2026-01-31" });
        var northwindRun = await northwind.CreateAndWaitAsync(new { report = "bikes", format = "json", from = "2026-01-01", to = "2026-01-31" });
        var remote = Path.Combine(fixture.Factory.SftpFolder("demo-contoso"), "reports");
        Directory.CreateDirectory(Path.GetDirectoryName(remote)!);
        if (Directory.Exists(remote))
        {
            Directory.Delete(remote, recursive: true);
        }

        await File.WriteAllTextAsync(remote, "in the way");
        var failedRun = await contoso.CreateAndWaitAsync(new { report = "employees", format = "csv", from = "2026-02-01", to = "2026-02-28" });
        Assert.Equal("failed", failedRun.Status);
        var until = DateTime.UtcNow.AddSeconds(2);
        var range = $"from={since:yyyy-MM-ddTHH:mm:ssZ}&to={until:yyyy-MM-ddTHH:mm:ssZ}";

        var all = (await admin.GetFromJsonAsync<OperatorRunPage>($"/v1/admin/report-runs?{range}"))!;
        Assert.Equal([failedRun.Id, northwindRun.Id, acmeRun.Id], all.Items.Select(run => run.Id));
        Assert.Equal([3, 2, 1], all.Items.Select(run => run.PartnerId));
        Assert.Equal(2, all.Totals["delivered"]);
        Assert.Equal(1, all.Totals["failed"]);
        Assert.Equal(0, all.Totals["queued"]);

        var failed = (await admin.GetFromJsonAsync<OperatorRunPage>($"/v1/admin/report-runs?status=failed&{range}"))!;
        var item = Assert.Single(failed.Items);
        Assert.Equal(failedRun.Id, item.Id);
        Assert.Equal(failedRun.FailureReason, item.FailureReason);
        Assert.Equal(all.Totals, failed.Totals);
        Assert.Equal($"/v1/admin/report-runs/{item.Id}", item.Links.Self);
        Assert.Empty((await admin.GetFromJsonAsync<OperatorRunPage>($"/v1/admin/report-runs?status=failed&from={until:yyyy-MM-ddTHH:mm:ssZ}"))!.Items);
        Assert.Equal([acmeRun.Id], (await admin.GetFromJsonAsync<OperatorRunPage>($"/v1/admin/report-runs?partnerId=1&{range}"))!.Items.Select(run => run.Id));
        Assert.Equal([northwindRun.Id], (await admin.GetFromJsonAsync<OperatorRunPage>($"/v1/admin/report-runs?report=bikes&{range}"))!.Items.Select(run => run.Id));

        var detail = (await admin.GetFromJsonAsync<ReportRunResponse>($"/v1/admin/report-runs/{item.Id}"))!;
        Assert.Contains(detail.Steps!, step => step.Status == "retry-scheduled");
        Assert.False(string.IsNullOrWhiteSpace(detail.FailureReason));

        File.Delete(remote);
        using var redeliver = await admin.PostAsync($"/v1/admin/report-runs/{item.Id}/redeliver", null);
        Assert.Equal(HttpStatusCode.Accepted, redeliver.StatusCode);
        var delivered = await contoso.WaitUntilFinishedAsync(item.Id);
        Assert.Equal("delivered", delivered.Status);
        Assert.Contains(delivered.Steps!, step => step.Status == "redeliver" && step.Detail!.Contains($"operator {DemoClients.Operator.Id}", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(remote, delivered.FileName!)));

        // The audit trail names the operator and the run's status before and after the redelivery.
        var audit = await admin.GetFromJsonAsync<JsonElement>($"/v1/admin/audit?partnerId={item.PartnerId}");
        var entry = Assert.Single(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "run.redelivered");
        Assert.Equal(item.Id, entry.GetProperty("target").GetString());
        Assert.Equal(DemoClients.Operator.Id, entry.GetProperty("actor").GetProperty("clientId").GetString());
        Assert.Contains(entry.GetProperty("changes").EnumerateArray(), c => c.GetProperty("path").GetString() == "status" && c.GetProperty("before").GetString() == "failed");

        using var again = await admin.PostAsync($"/v1/admin/report-runs/run_unknown/redeliver", null);
        await Api.AuthTests.AssertProblemAsync(again, HttpStatusCode.NotFound, "run-not-found");
    }

    [Fact]
    public async Task Cursor_pages_walk_every_run_once_newest_first()
    {
        using var acme = await fixture.ClientForAsync(DemoClients.Acme);
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        for (var i = 0; i < 3; i++)
        {
            await acme.CreateAndWaitAsync(new { report = "contracts", format = "csv", from = $"2026-0{i + 3}-01", to = $"2026-0{i + 3}-28" });
        }

        var whole = (await admin.GetFromJsonAsync<OperatorRunPage>("/v1/admin/report-runs?pageSize=100"))!;
        var walked = new List<string>();
        string? cursor = null;
        do
        {
            var page = (await admin.GetFromJsonAsync<OperatorRunPage>($"/v1/admin/report-runs?pageSize=2{(cursor is null ? "" : $"&cursor={cursor}")}"))!;
            Assert.True(page.Items.Count <= 2);
            walked.AddRange(page.Items.Select(run => run.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.True(whole.Items.Count >= 3);
        Assert.Equal(whole.Items.Select(run => run.Id), walked);
        Assert.Equal(whole.Items.OrderByDescending(run => run.CreatedAt).ThenByDescending(run => run.Id, StringComparer.Ordinal).Select(run => run.Id), walked);
    }

    [Fact]
    public async Task An_operator_starts_a_run_for_a_partner_which_the_partner_sees_as_the_operators()
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        using var acme = await fixture.ClientForAsync(DemoClients.Acme);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/admin/partners/1/report-runs")
        {
            Content = JsonContent.Create(new { report = "installments", format = "csv", from = "2026-05-01", to = "2026-05-31" }),
        };
        request.Headers.Add(RunsApi.IdempotencyKeyHeader, "operator-start-1");

        using var response = await admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var started = (await response.Content.ReadFromJsonAsync<ReportRunResponse>())!;
        Assert.Equal($"/v1/admin/report-runs/{started.Id}", response.Headers.Location?.AbsolutePath);
        var seen = await acme.WaitUntilFinishedAsync(started.Id);
        Assert.Equal("delivered", seen.Status);
        Assert.Equal(new RunRequester(DemoClients.Operator.Id, seen.RequestedBy.SourceIp, Operator: true), seen.RequestedBy);
        Assert.StartsWith($"requested by operator {DemoClients.Operator.Id}", seen.Steps![0].Detail, StringComparison.Ordinal);
        Assert.Contains((await acme.GetFromJsonAsync<ReportRunPage>("/v1/report-runs?report=installments"))!.Items, run => run.Id == started.Id && run.RequestedBy.Operator);

        using var unknown = await admin.PostAsJsonAsync("/v1/admin/partners/9999/report-runs", new { report = "contracts", format = "csv", from = "2026-05-01", to = "2026-05-31" });
        await Api.AuthTests.AssertProblemAsync(unknown, HttpStatusCode.NotFound, "partner-not-found");
        using var invalid = await admin.PostAsJsonAsync("/v1/admin/partners/1/report-runs", new { report = "contracts", format = "pdf", from = "2026-05-01", to = "2026-05-31" });
        await Api.AuthTests.AssertProblemAsync(invalid, HttpStatusCode.BadRequest, "invalid-parameters");
    }

    [Theory]
    [InlineData("partnerId=abc")]
    [InlineData("partnerId=0")]
    [InlineData("status=lost")]
    [InlineData("status=queued,rendering")]
    [InlineData("status=queued&status=failed")]
    [InlineData("pageSize=0")]
    [InlineData("cursor=garbage")]
    [InlineData("from=2026-13-01")]
    [InlineData("from=1")]
    [InlineData("to=11/27/2026")]
    public async Task Invalid_list_parameters_are_400(string query)
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        using var response = await admin.GetAsync($"/v1/admin/report-runs?{query}");
        await Api.AuthTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid-parameters");
    }

    [Fact]
    public async Task A_partner_token_gets_403_on_every_admin_route()
    {
        var routes = fixture.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.RoutePattern.RawText!.StartsWith("/v1/admin", StringComparison.Ordinal))
            .SelectMany(endpoint => endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(method => (Method: method, endpoint.RoutePattern.RawText!)))
            .ToList();
        Assert.Contains(("POST", "/v1/admin/report-runs/{id}/redeliver"), routes);
        Assert.Contains(("PUT", "/v1/admin/partners/{id:int}/delivery"), routes);
        Assert.True(routes.Count >= 11, string.Join(", ", routes));

        using var partner = await fixture.ClientForAsync(DemoClients.Acme);
        foreach (var (method, pattern) in routes)
        {
            var path = pattern.Replace("{id:int}", "1", StringComparison.Ordinal).Replace("{id}", "run_x", StringComparison.Ordinal);
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { }) };
            using var response = await partner.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path}: {(int)response.StatusCode}");
            await Api.AuthTests.AssertProblemAsync(response, HttpStatusCode.Forbidden, "insufficient-scope");
        }
    }
}
