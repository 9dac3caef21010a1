using System.Net;
using System.Text.Json;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Api;

public sealed class ErrorTests(SqliteApiFixture fixture) : IClassFixture<SqliteApiFixture>
{
    [Theory]
    [InlineData("format=pdf&from=2026-01-01&to=2026-01-31", "format")]
    [InlineData("format=1&from=2026-01-01&to=2026-01-31", "format")]
    [InlineData("format=csv&format=xlsx&from=2026-01-01&to=2026-01-31", "format")]
    [InlineData("format=csv,json&from=2026-01-01&to=2026-01-31", "format")]
    [InlineData("to=2026-01-31", "from")]
    [InlineData("from=2026-01-01", "to")]
    [InlineData("from=2026-13-01&to=2026-01-31", "from")]
    [InlineData("from=01.01.2026&to=2026-01-31", "from")]
    [InlineData("from=2026-01-01T00:00:00&to=2026-01-31", "from")]
    [InlineData("from=2026-01-01&to=yesterday", "to")]
    [InlineData("from=2026-02-01&to=2026-01-31", "to")]
    [InlineData("from=2024-01-01&to=2026-01-31", "to")]
    [InlineData("from=2026-01-01&to=2026-01-31&status=open", "status")]
    [InlineData("from=2026-01-01&to=2026-01-31&employerId=abc", "employerId")]
    [InlineData("from=2026-01-01&to=2026-01-31&employerId=-1", "employerId")]
    [InlineData("from=2026-01-01&to=2026-01-31&employerId=99999999999", "employerId")]
    [InlineData("from=2026-01-01&from=2026-01-02&to=2026-01-31", "from")]
    [InlineData("from=2026-01-01%27%20OR%201%3D1--&to=2026-01-31", "from")]
    public async Task Invalid_parameters_are_400_problems_naming_the_parameter(string query, string parameter)
    {
        using var client = await fixture.ClientForAsync(DemoClients.Acme);
        using var response = await client.GetAsync($"/v1/reports/contracts?{query}");

        var errors = (await AuthTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid-parameters")).GetProperty("errors");
        Assert.True(errors.TryGetProperty(parameter, out var messages), $"errors should name '{parameter}': {errors}");
        Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));
    }

    [Fact]
    public async Task The_maximum_period_is_allowed_and_one_day_more_is_not()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Acme);
        using var longest = await client.GetAsync("/v1/reports/bikes?from=2025-01-01&to=2026-01-01");
        using var tooLong = await client.GetAsync("/v1/reports/bikes?from=2025-01-01&to=2026-01-02");
        Assert.Equal(HttpStatusCode.OK, longest.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
    }

    [Fact]
    public async Task An_unknown_report_is_a_404_problem()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Acme);
        using var response = await client.GetAsync("/v1/reports/salaries?from=2026-01-01&to=2026-01-31");
        await AuthTests.AssertProblemAsync(response, HttpStatusCode.NotFound, "unknown-report");
    }

    [Theory]
    [InlineData("GET", "/v1/nothing-here", HttpStatusCode.NotFound, "not-found")]
    [InlineData("DELETE", "/v1/reports/contracts", HttpStatusCode.MethodNotAllowed, "method-not-allowed")]
    [InlineData("POST", "/v1/reports", HttpStatusCode.MethodNotAllowed, "method-not-allowed")]
    public async Task Routing_errors_are_problems_too(string method, string path, HttpStatusCode status, string type)
    {
        using var client = await fixture.ClientForAsync(DemoClients.Acme);
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        await AuthTests.AssertProblemAsync(response, status, type);
    }

    [Fact]
    public async Task No_query_string_makes_a_server_error_and_every_refusal_is_a_problem()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Acme);
        var random = new Random(7);
        string[] names = ["format", "from", "to", "status", "category", "employerId", "x"];
        string[] values = ["", "csv", "XLSX", "Json", "2026-01-01", "2026-02-30", "0000-00-00", "9999-12-31", "-1", "%00", "%E2%82%AC", "%FF%FE", new string('9', 400), "%27%3B%20DROP%20TABLE%20contracts%3B--", "active", "e-bike", "a,b"];
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < 150; i++)
        {
            // Half of the queries start from a valid one, so that random additions reach the report as well as the refusals.
            var valid = random.Next(2) == 0 ? ["format=csv", "from=2026-01-01", "to=2026-01-31"] : Array.Empty<string>();
            var query = string.Join('&', valid.Concat(Enumerable.Range(0, random.Next(0, 4)).Select(_ => $"{names[random.Next(names.Length)]}={values[random.Next(values.Length)]}")));
            var report = new[] { "contracts", "installments", "bikes", "employees", "%2e%2e", "%E2%82%AC" }[random.Next(6)];
            var url = $"/v1/reports/{report}?{query}";
            using var response = await client.GetAsync(url);
            var status = (int)response.StatusCode;
            Assert.True(status < 500, $"{url} gave {status}");
            var outcome = response.IsSuccessStatusCode ? await AssertReportAsync(response, url) : await AssertRefusalAsync(response, url);
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        // The inputs reach both the reports and the refusals, so neither check above ran empty.
        Assert.True(outcomes.GetValueOrDefault("report") > 0, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault("invalid-parameters") > 0, string.Join(", ", outcomes));
        Assert.True(outcomes.Keys.Count(key => key != "report") > 1, string.Join(", ", outcomes));
    }

    private static async Task<string> AssertReportAsync(HttpResponseMessage response, string url)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url} gave {(int)response.StatusCode}");
        Assert.Contains(response.Content.Headers.ContentType?.MediaType, new[] { "text/csv", "application/json", ReportingApi.Reports.ReportFormats.ContentType(ReportingApi.Reports.ReportFormat.Xlsx) });
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        return "report";
    }

    /// <summary>A 4xx answer is a problem of a documented type, with what the README promises in it.</summary>
    private static async Task<string> AssertRefusalAsync(HttpResponseMessage response, string url)
    {
        const string TypeBase = "https://reportingapi.example.com/problems/";
        var body = await response.Content.ReadAsStringAsync();
        var context = $"{url} gave {(int)response.StatusCode}: {body}";
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", context);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.True(problem.GetProperty("status").GetInt32() == (int)response.StatusCode, context);
        var type = problem.GetProperty("type").GetString()!;
        Assert.True(type.StartsWith(TypeBase, StringComparison.Ordinal), context);
        var name = type[TypeBase.Length..];
        var expectedStatus = name switch
        {
            "invalid-parameters" => HttpStatusCode.BadRequest,
            "unknown-report" or "not-found" => HttpStatusCode.NotFound,
            _ => (HttpStatusCode?)null,
        };
        Assert.True(expectedStatus == response.StatusCode, context);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()), context);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("traceId").GetString()), context);
        if (name == "invalid-parameters")
        {
            var errors = problem.GetProperty("errors");
            Assert.True(errors.EnumerateObject().Any(error => error.Value.GetArrayLength() > 0), context);
        }

        return name;
    }
}
