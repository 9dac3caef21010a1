using System.Data.Common;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReportingApi.Reports;
using ReportingApi.Reports.Rendering;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Api;

/// <summary>
/// A bug on our side (an exception nothing expects) inside a real endpoint: the caller gets the documented
/// <c>internal-error</c> problem with a traceId to quote and nothing of the internals; the exception goes to the log.
/// </summary>
public sealed class UnhandledExceptionTests(SqliteApiFixture fixture) : IClassFixture<SqliteApiFixture>, IDisposable
{
    private const string InternalErrorType = "https://reportingapi.example.com/problems/internal-error";

    /// <summary>What the failing renderer's exception says: none of it may reach the caller.</summary>
    private const string InternalDetail = "renderer state corrupt at row 17 (Server=db.internal;Password=hunter2)";

    private readonly WebApplicationFactory<Program> _app = fixture.Factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
    {
        // The JSON renderer is swapped for one with a bug; the other formats keep working.
        services.Remove(services.Single(d => d.ServiceType == typeof(IReportRenderer) && d.ImplementationType == typeof(JsonReportRenderer)));
        services.AddSingleton<IReportRenderer, FailingJsonRenderer>();
    }));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task An_unexpected_exception_is_a_500_internal_error_problem_with_a_trace_id_and_no_internals()
    {
        using var client = await ClientAsync();
        using var response = await client.GetAsync("/v1/reports/contracts?format=json&from=2026-01-01&to=2026-01-31");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(InternalErrorType, problem.GetProperty("type").GetString());
        Assert.Equal(500, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()), body);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), body);
        Assert.Equal("/v1/reports/contracts", problem.GetProperty("instance").GetString());
        var traceId = problem.GetProperty("traceId").GetString();
        Assert.False(string.IsNullOrWhiteSpace(traceId), body);

        // Nothing of the exception: not its message, its type, the throwing class, nor a stack trace.
        foreach (var leak in new[] { "hunter2", "db.internal", "row 17", "Exception", nameof(FailingJsonRenderer), "ReportingApi.Tests", "   at ", ".cs:line" })
        {
            Assert.DoesNotContain(leak, body, StringComparison.Ordinal);
        }

        // The problem's members are the documented ones; no extra member carries the exception.
        Assert.Equal(["detail", "instance", "status", "title", "traceId", "type"], problem.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        // The operator finds the exception itself in the log.
        Assert.Contains(fixture.Factory.Logs.GetSnapshot(), record =>
            record.Level >= LogLevel.Error && record.Exception is InvalidOperationException { Message: InternalDetail });
    }

    [Fact]
    public async Task Each_failure_gets_its_own_trace_id_and_the_app_keeps_serving()
    {
        using var client = await ClientAsync();
        using var first = await client.GetAsync("/v1/reports/bikes?format=json&from=2026-01-01&to=2026-01-31");
        using var second = await client.GetAsync("/v1/reports/bikes?format=json&from=2026-01-01&to=2026-01-31");
        using var csv = await client.GetAsync("/v1/reports/bikes?format=csv&from=2026-01-01&to=2026-01-31");

        var traceIds = new List<string?>();
        foreach (var failed in new[] { first, second })
        {
            var problem = await AuthTests.AssertProblemAsync(failed, HttpStatusCode.InternalServerError, "internal-error");
            traceIds.Add(problem.GetProperty("traceId").GetString());
        }

        Assert.Equal(2, traceIds.Distinct().Count());
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
    }

    private async Task<HttpClient> ClientAsync()
    {
        var client = _app.CreateClient();
        return client.WithToken(await DemoClients.GetTokenAsync(client, DemoClients.Acme));
    }

    /// <summary>A renderer with a bug: it throws before writing anything, so the response has not started.</summary>
    private sealed class FailingJsonRenderer : IReportRenderer
    {
        public ReportFormat Format => ReportFormat.Json;

        public Task<long> RenderAsync(ReportDefinition report, DbDataReader rows, Stream output, CancellationToken cancellationToken) =>
            throw new InvalidOperationException(InternalDetail);
    }
}
