using System.Net;
using System.Net.Http.Json;
using ReportingApi.PartnerAdmin;
using ReportingApi.Tests.Api;
using ReportingApi.Tests.Runs;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Partners;

public sealed class PartnerInboundPolicyTests(RunsFixture fixture) : IClassFixture<RunsFixture>
{
    [Fact]
    public async Task A_partner_has_the_default_policy_until_an_operator_sets_another()
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);

        var before = await admin.GetFromJsonAsync<InboundPolicyDto>("/v1/admin/partners/2/inbound-policy");
        using var put = await admin.PutAsJsonAsync("/v1/admin/partners/2/inbound-policy", new { signature = "required", allowPlaintext = true, maxBytes = 1_000_000 });
        var after = await admin.GetFromJsonAsync<InboundPolicyDto>("/v1/admin/partners/2/inbound-policy");
        using var again = await admin.PutAsJsonAsync("/v1/admin/partners/2/inbound-policy", new { signature = "none" });

        Assert.Equal(new InboundPolicyDto("if-signed", false, null), before);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(new InboundPolicyDto("required", true, 1_000_000), after);
        Assert.Equal(new InboundPolicyDto("none", false, null), await again.Content.ReadFromJsonAsync<InboundPolicyDto>());
    }

    [Fact]
    public async Task A_bad_policy_or_unknown_partner_is_a_problem()
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        using var bad = await admin.PutAsJsonAsync("/v1/admin/partners/3/inbound-policy", new { signature = "sometimes", maxBytes = 0 });
        using var unknown = await admin.GetAsync("/v1/admin/partners/9999/inbound-policy");

        var problem = await AuthTests.AssertProblemAsync(bad, HttpStatusCode.BadRequest, "invalid-parameters");
        Assert.True(problem.GetProperty("errors").TryGetProperty("signature", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("maxBytes", out _));
        await AuthTests.AssertProblemAsync(unknown, HttpStatusCode.NotFound, "partner-not-found");
        Assert.Equal(new InboundPolicyDto("if-signed", false, null), await admin.GetFromJsonAsync<InboundPolicyDto>("/v1/admin/partners/3/inbound-policy"));
    }
}
