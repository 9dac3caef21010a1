using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReportingApi.PartnerAdmin;
using ReportingApi.Pgp;
using ReportingApi.Tests.Runs;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Partners;

/// <summary>What an operator reads from an admin resource can be written back as it is, and enums read as their names.</summary>
public sealed class AdminRoundTripTests(RunsFixture fixture) : IClassFixture<RunsFixture>
{
    private const string HostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

    [Fact]
    public async Task A_partner_read_is_accepted_back_unchanged()
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        var id = await CreatePartnerAsync(admin);
        var read = await admin.GetStringAsync($"/v1/admin/partners/{id}");

        using var put = await admin.PutAsync($"/v1/admin/partners/{id}", Json(read));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        AssertSameJson(read, await put.Content.ReadAsStringAsync());
        AssertSameJson(read, await admin.GetStringAsync($"/v1/admin/partners/{id}"));
    }

    public static TheoryData<string> Deliveries() => new()
    {
        """{"kind": "Folder", "folderPath": "/tmp/roundtrip", "remoteDirectory": "/in"}""",
        $$"""{"kind": "Sftp", "remoteDirectory": "/inbound", "host": "sftp.partner.example", "port": 2222, "user": "reports", "hostKey": "{{HostKey}}", "privateKeySecret": "partners/9/id_ed25519", "passwordSecret": "partners/9/password"}""",
        """{"kind": "AwsConnector", "remoteDirectory": "/inbound", "connectorId": "c-0123456789abcdef0"}""",
    };

    [Theory]
    [MemberData(nameof(Deliveries))]
    public async Task A_delivery_read_is_accepted_back_unchanged_with_its_kind_by_name(string delivery)
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        var id = await CreatePartnerAsync(admin);
        using (var set = await admin.PutAsync($"/v1/admin/partners/{id}/delivery", Json(delivery)))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        var read = JsonNode.Parse(await admin.GetStringAsync($"/v1/admin/partners/{id}"))!["delivery"]!;
        Assert.Equal(JsonNode.Parse(delivery)!["kind"]!.GetValue<string>(), read["kind"]!.GetValue<string>());

        using var put = await admin.PutAsync($"/v1/admin/partners/{id}/delivery", Json(read.ToJsonString()));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        AssertSameJson(read.ToJsonString(), JsonNode.Parse(await put.Content.ReadAsStringAsync())!["delivery"]!.ToJsonString());
    }

    [Fact]
    public async Task A_pgp_key_read_is_accepted_back_unchanged()
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        var id = await CreatePartnerAsync(admin);
        using (var missing = await admin.GetAsync($"/v1/admin/partners/{id}/pgp-key"))
        {
            await Api.AuthTests.AssertProblemAsync(missing, HttpStatusCode.Conflict, "partner-not-configured");
        }

        var key = new PgpKeyGenerator(TimeProvider.System).Generate("Round Trip <rt@example.com>", "pw");
        using (var set = await admin.PutAsJsonAsync($"/v1/admin/partners/{id}/pgp-key", new { armoredPublicKey = key.ArmoredPublicKey }))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        var read = await admin.GetStringAsync($"/v1/admin/partners/{id}/pgp-key");
        Assert.Equal(key.Fingerprint, JsonNode.Parse(read)!["fingerprint"]!.GetValue<string>());

        using var put = await admin.PutAsync($"/v1/admin/partners/{id}/pgp-key", Json(read));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        AssertSameJson(read, await put.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_openapi_document_has_enums_as_names_and_no_numbered_enum()
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        using var document = JsonDocument.Parse(await admin.GetStringAsync("/swagger/v1/swagger.json"));
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");

        var kind = schemas.GetProperty("DeliveryKind");
        Assert.Equal("string", kind.GetProperty("type").GetString());
        Assert.Equal(["Folder", "Sftp", "AwsConnector"], kind.GetProperty("enum").EnumerateArray().Select(value => value.GetString()));
        var numbered = schemas.EnumerateObject()
            .Where(schema => schema.Value.TryGetProperty("enum", out var values) && values.EnumerateArray().Any(value => value.ValueKind == JsonValueKind.Number))
            .Select(schema => schema.Name);
        Assert.Empty(numbered);
    }

    [Fact]
    public async Task The_admin_api_description_states_the_configured_partner_cache_time()
    {
        using var factory = new ReportingApiFactory(new Dictionary<string, string?>(RunsFixture.Settings(fixture.DatabasePath))
        {
            ["Partners:RegistryCacheSeconds"] = "47",
            ["Database:DemoDataContracts"] = "0",
        });
        using var client = factory.CreateClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"));

        var description = document.RootElement.GetProperty("paths").GetProperty("/v1/admin/partners/{id}").GetProperty("put").GetProperty("description").GetString();
        Assert.Contains("cached for 47 s (Partners:RegistryCacheSeconds)", description, StringComparison.Ordinal);
        Assert.Contains("within 47 s on every other one", description, StringComparison.Ordinal);
    }

    private static async Task<int> CreatePartnerAsync(HttpClient admin)
    {
        using var created = await admin.PostAsJsonAsync("/v1/admin/partners", new
        {
            name = "Round Trip GmbH",
            clientId = "rt-" + Guid.NewGuid().ToString("N")[..12],
            employerIds = new[] { 11, 12 },
            ipAllowlist = new[] { "203.0.113.0/24" },
            allowedReports = new[] { "contracts" },
            allowedFormats = new[] { "csv" },
            deleteOutboxAfterDelivery = true,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<PartnerResponse>(ApiJson.Options))!.Id;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static void AssertSameJson(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"expected {expected}\nactual   {actual}");
}
