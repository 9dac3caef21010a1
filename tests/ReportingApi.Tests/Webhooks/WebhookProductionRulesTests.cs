using System.Net;
using System.Net.Http.Json;
using ReportingApi.Security;
using ReportingApi.Tests.Api;
using ReportingApi.Tests.Security;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Webhooks;

/// <summary>Outside Development (the app as in production, Cognito tokens): webhook URLs must be https to public addresses.</summary>
public sealed class WebhookProductionRulesTests(CognitoAppFixture fixture) : IClassFixture<CognitoAppFixture>
{
    [Theory]
    [InlineData("http://203.0.113.10/hook", "https")]
    [InlineData("https://127.0.0.1/hook", "loopback")]
    [InlineData("https://[::1]/hook", "loopback")]
    [InlineData("https://10.0.0.5/hook", "private")]
    [InlineData("https://172.16.3.4/hook", "private")]
    [InlineData("https://192.168.1.1/hook", "private")]
    [InlineData("https://169.254.169.254/latest/meta-data", "link-local")]
    [InlineData("https://[fe80::1]/hook", "link-local")]
    [InlineData("https://localhost/hook", "loopback")]
    public async Task Private_loopback_link_local_and_plain_http_targets_are_refused(string url, string reason)
    {
        using var client = fixture.App.Factory.CreateClient().WithToken(fixture.App.Issuer.CreateAccessToken("ops-console", Scopes.Admin));
        using var response = await client.PutAsJsonAsync("/v1/admin/partners/1/webhook", new { url, eventTypes = new[] { "run.delivered" } });
        var problem = await AuthTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid-parameters");
        var message = problem.GetProperty("errors").GetProperty("url")[0].GetString()!;
        Assert.Contains(reason, message, StringComparison.OrdinalIgnoreCase);

        using var after = await client.GetAsync("/v1/admin/partners/1/webhook");
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }
}
