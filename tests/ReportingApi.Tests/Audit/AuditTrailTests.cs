using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ReportingApi.PartnerAdmin;
using ReportingApi.Pgp;
using ReportingApi.Tests.Api;
using ReportingApi.Tests.Runs;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Audit;

/// <summary>The audit trail through the API: every admin change recorded with its actor, read back by operators and by the partner concerned.</summary>
public sealed class AuditTrailTests(RunsFixture fixture) : IClassFixture<RunsFixture>
{
    private const string OperatorAddress = "198.51.100.23";

    [Fact]
    public async Task Every_admin_change_to_a_partner_is_recorded_with_who_from_where_and_what_changed()
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        var clientId = "audit-" + Guid.NewGuid().ToString("N")[..10];
        var partner = await SendAsync<PartnerResponse>(admin, HttpMethod.Post, "/v1/admin/partners", new { name = "Audited Ltd", clientId, employerIds = new[] { 11 } });
        var key = new PgpKeyGenerator(TimeProvider.System).Generate($"{clientId} <{clientId}@example.com>", "pw");
        await SendAsync<PgpKeyResponse>(admin, HttpMethod.Put, $"/v1/admin/partners/{partner.Id}/pgp-key", new { armoredPublicKey = key.ArmoredPublicKey });
        await SendAsync<PartnerResponse>(admin, HttpMethod.Put, $"/v1/admin/partners/{partner.Id}/delivery", new
        {
            kind = "Sftp", remoteDirectory = "/in", host = "sftp.example.com", user = "reports",
            hostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl", passwordSecret = $"partners/{partner.Id}/password",
        });
        await SendAsync<PartnerResponse>(admin, HttpMethod.Put, $"/v1/admin/partners/{partner.Id}", new { name = "Audited Ltd", clientId, employerIds = new[] { 11, 12 } });
        await SendAsync<PartnerResponse>(admin, HttpMethod.Put, $"/v1/admin/partners/{partner.Id}", new { name = "Audited Ltd", clientId, employerIds = new[] { 11, 12 }, active = false });

        var (page, text) = await GetPageAsync(admin, $"/v1/admin/audit?partnerId={partner.Id}");
        var entries = page.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(
            ["partner.deactivated", "partner.changed", "partner.delivery.set", "partner.pgp-key.set", "partner.created"],
            entries.Select(e => e.GetProperty("action").GetString()));
        Assert.All(entries, entry =>
        {
            Assert.Equal(partner.Id, entry.GetProperty("partnerId").GetInt32());
            Assert.Equal(DemoClients.Operator.Id, entry.GetProperty("actor").GetProperty("clientId").GetString());
            Assert.Equal(DemoClients.Operator.Id, entry.GetProperty("actor").GetProperty("subject").GetString());
            Assert.Equal(OperatorAddress, entry.GetProperty("actor").GetProperty("sourceIp").GetString());
        });

        var changes = entries.ToDictionary(e => e.GetProperty("action").GetString()!, e => e.GetProperty("changes").EnumerateArray().ToDictionary(c => c.GetProperty("path").GetString()!));
        Assert.Equal(key.Fingerprint, changes["partner.pgp-key.set"]["pgpKeyFingerprint"].GetProperty("after").GetString());
        Assert.Equal(JsonValueKind.Null, changes["partner.pgp-key.set"]["pgpKeyFingerprint"].GetProperty("before").ValueKind);
        Assert.Equal("Sftp", changes["partner.delivery.set"]["delivery.kind"].GetProperty("after").GetString());
        Assert.Equal($"partners/{partner.Id}/password", changes["partner.delivery.set"]["delivery.passwordSecret"].GetProperty("after").GetString());
        Assert.Equal("[11]", changes["partner.changed"]["employerIds"].GetProperty("before").GetRawText());
        Assert.Equal("[11,12]", changes["partner.changed"]["employerIds"].GetProperty("after").GetRawText());
        Assert.Equal(["active"], changes["partner.deactivated"].Keys);
        Assert.Equal("Audited Ltd", changes["partner.created"]["name"].GetProperty("after").GetString());

        // Key material is never repeated: only its fingerprint.
        Assert.DoesNotContain("BEGIN PGP", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_follow_the_cursor_newest_first_without_overlap()
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        var partner = await SendAsync<PartnerResponse>(admin, HttpMethod.Post, "/v1/admin/partners", new { name = "Paged", clientId = "paged-" + Guid.NewGuid().ToString("N")[..10] });
        for (var i = 0; i < 4; i++)
        {
            await SendAsync<PartnerResponse>(admin, HttpMethod.Put, $"/v1/admin/partners/{partner.Id}", new { name = $"Paged {i}", clientId = partner.ClientId });
        }

        var ids = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var (page, _) = await GetPageAsync(admin, $"/v1/admin/audit?partnerId={partner.Id}&limit=2" + (cursor is null ? "" : $"&cursor={cursor}"));
            ids.AddRange(page.GetProperty("items").EnumerateArray().Select(e => long.Parse(e.GetProperty("id").GetString()!, System.Globalization.CultureInfo.InvariantCulture)));
            cursor = page.GetProperty("nextCursor").GetString();
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(5, ids.Count);
        Assert.Equal(ids.OrderDescending(), ids);
        Assert.Equal(5, ids.Distinct().Count());

        // A time range that ends before the entries leaves none.
        var (empty, _) = await GetPageAsync(admin, $"/v1/admin/audit?partnerId={partner.Id}&to=2020-01-01T00:00:00Z");
        Assert.Empty(empty.GetProperty("items").EnumerateArray());
        var (recent, _) = await GetPageAsync(admin, $"/v1/admin/audit?partnerId={partner.Id}&from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(-1).ToString("O"))}");
        Assert.Equal(5, recent.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task A_partner_reads_the_entries_about_its_own_account_only_and_never_the_operators_list()
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        var acme = await admin.GetFromJsonAsync<PartnerResponse>("/v1/admin/partners/1", ApiJson.Options);
        var northwind = await admin.GetFromJsonAsync<PartnerResponse>("/v1/admin/partners/2", ApiJson.Options);
        await SendAsync<PartnerResponse>(admin, HttpMethod.Put, "/v1/admin/partners/1", Request(acme!));
        await SendAsync<PartnerResponse>(admin, HttpMethod.Put, "/v1/admin/partners/2", Request(northwind!));

        using var partner = await fixture.ClientForAsync(DemoClients.Acme);
        var (own, _) = await GetPageAsync(partner, "/v1/audit");
        var entries = own.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(entries);
        Assert.All(entries, entry => Assert.Equal(1, entry.GetProperty("partnerId").GetInt32()));

        using var operatorsList = await partner.GetAsync("/v1/admin/audit");
        await AuthTests.AssertProblemAsync(operatorsList, HttpStatusCode.Forbidden, "insufficient-scope");
    }

    [Theory]
    [InlineData("cursor=abc", "cursor")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("from=yesterday", "from")]
    [InlineData("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to")]
    public async Task Bad_query_parameters_are_refused_naming_the_parameter(string query, string parameter)
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        using var response = await admin.GetAsync("/v1/admin/audit?" + query);
        var problem = await AuthTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid-parameters");
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), problem.ToString());
    }

    private static object Request(PartnerResponse partner) => new
    {
        name = partner.Name + " (renamed)",
        clientId = partner.ClientId,
        employerIds = partner.EmployerIds,
        ipAllowlist = partner.IpAllowlist,
        allowedReports = partner.AllowedReports,
        allowedFormats = partner.AllowedFormats,
        active = partner.Active,
    };

    private static async Task<T> SendAsync<T>(HttpClient client, HttpMethod method, string path, object body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Add(ReportingApiFactory.RemoteAddressHeader, OperatorAddress);
        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>(ApiJson.Options))!;
    }

    private static async Task<(JsonElement Page, string Text)> GetPageAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        return (JsonDocument.Parse(text).RootElement.Clone(), text);
    }
}
