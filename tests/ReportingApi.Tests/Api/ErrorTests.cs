using System.Net;
using System.Text.Json;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Api;

public sealed class ErrorTests(SqliteApiFixture fixture) : IClassFixture<SqliteApiFixture>
{
    [Theory]
    [InlineData("format=pdf&from=2026-01-01&to=2026-01-31", "format")]
    [InlineData("format=1&from=2026-01-01&to=2026-01-31", "format")]
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
    public async Task No_query_string_makes_a_server_error()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Acme);
        var random = new Random(7);
        string[] names = ["format", "from", "to", "status", "category", "employerId", "x"];
        string[] values = ["", "csv", "XLSX", "Json", "2026-01-01", "2026-02-30", "0000-00-00", "9999-12-31", "-1", "%00", "%E2%82%AC", "%FF%FE", new string('9', 400), "%27%3B%20DROP%20TABLE%20contracts%3B--", "active", "e-bike", "a,b"];
        for (var i = 0; i < 150; i++)
        {
            var query = string.Join('&', Enumerable.Range(0, random.Next(0, 6)).Select(_ => $"{names[random.Next(names.Length)]}={values[random.Next(values.Length)]}"));
            var report = new[] { "contracts", "installments", "bikes", "employees", "%2e%2e", "%E2%82%AC" }[random.Next(6)];
            using var response = await client.GetAsync($"/v1/reports/{report}?{query}");
            Assert.True((int)response.StatusCode < 500, $"{report}?{query} gave {(int)response.StatusCode}");
        }
    }
}
