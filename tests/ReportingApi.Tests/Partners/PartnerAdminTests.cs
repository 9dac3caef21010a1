using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ReportingApi.Delivery;
using ReportingApi.PartnerAdmin;
using ReportingApi.Partners;
using ReportingApi.Pgp;
using ReportingApi.Tests.Api;
using ReportingApi.Tests.Runs;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Partners;

public sealed class PartnerAdminTests(RunsFixture fixture) : IClassFixture<RunsFixture>
{
    private static string NewClientId() => "test-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Administration_needs_the_admin_scope()
    {
        using var partner = await fixture.ClientForAsync(DemoClients.Acme);
        using var response = await partner.GetAsync("/v1/admin/partners");
        await AuthTests.AssertProblemAsync(response, HttpStatusCode.Forbidden, "insufficient-scope");
    }

    [Fact]
    public async Task An_operator_onboards_a_partner_who_then_gets_exactly_its_employers_and_can_have_files_delivered()
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        var clientId = NewClientId();

        using var created = await admin.PostAsJsonAsync("/v1/admin/partners", new { name = "Fabrikam Payroll", clientId, employerIds = new[] { 11 }, allowedFormats = new[] { "csv", "json" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var partner = (await created.Content.ReadFromJsonAsync<PartnerResponse>(ApiJson.Options))!;
        Assert.Equal($"/v1/admin/partners/{partner.Id}", created.Headers.Location?.OriginalString);
        Assert.Equal([11], partner.EmployerIds);

        var key = new PgpKeyGenerator(TimeProvider.System).Generate($"{clientId} <{clientId}@example.com>", "pw");
        using var keyResponse = await admin.PutAsJsonAsync($"/v1/admin/partners/{partner.Id}/pgp-key", new { armoredPublicKey = key.ArmoredPublicKey });
        Assert.Equal(HttpStatusCode.OK, keyResponse.StatusCode);
        Assert.Equal(key.Fingerprint, (await keyResponse.Content.ReadFromJsonAsync<PgpKeyResponse>())!.Fingerprint);

        var folder = Path.Combine(fixture.Factory.WorkFolder, "fabrikam");
        using var deliveryResponse = await admin.PutAsJsonAsync($"/v1/admin/partners/{partner.Id}/delivery", new { kind = "Folder", folderPath = folder, remoteDirectory = "/in" });
        Assert.Equal(HttpStatusCode.OK, deliveryResponse.StatusCode);

        // The new partner's own token: only employer 11, only the allowed formats.
        using var factory = new ReportingApiFactory(new Dictionary<string, string?>(RunsFixture.Settings(fixture.DatabasePath))
        {
            ["LocalTokenEndpoint:Clients:4:ClientId"] = clientId,
            ["LocalTokenEndpoint:Clients:4:ClientSecret"] = "s3cret",
            ["LocalTokenEndpoint:Clients:4:Scopes:0"] = "reports/read",
            ["LocalTokenEndpoint:Clients:4:Scopes:1"] = "reports/deliver",
            ["Database:DemoDataContracts"] = "0",
        });
        using var client = factory.CreateClient();
        client.WithToken(await DemoClients.GetTokenAsync(client, (clientId, "s3cret")));
        var rows = ReportFiles.Parse(ReportingApi.Reports.ReportFormat.Json, await client.GetByteArrayAsync("/v1/reports/contracts?format=json&from=2026-01-01&to=2026-12-31"), ReportingApi.Reports.ReportCatalog.Contracts).Rows;
        Assert.NotEmpty(rows);
        Assert.All(rows, row => Assert.Equal("11", row[1]));
        using var xlsx = await client.GetAsync("/v1/reports/contracts?format=xlsx&from=2026-01-01&to=2026-12-31");
        await AuthTests.AssertProblemAsync(xlsx, HttpStatusCode.Forbidden, "report-not-allowed");
        var catalog = await client.GetFromJsonAsync<JsonElement>("/v1/reports");
        Assert.Equal(["csv", "json"], catalog.GetProperty("reports")[0].GetProperty("formats").EnumerateArray().Select(f => f.GetString()));

        var run = await client.CreateAndWaitAsync(new { report = "contracts", format = "csv", from = "2026-01-01", to = "2026-01-31" });
        Assert.Equal("delivered", run.Status);
        Assert.True(File.Exists(Path.Combine(folder, "in", run.FileName!)));
    }

    [Fact]
    public async Task A_partner_without_key_or_delivery_cannot_start_runs()
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        var clientId = NewClientId();
        using var created = await admin.PostAsJsonAsync("/v1/admin/partners", new { name = "No Key Ltd", clientId, employerIds = new[] { 12 } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var factory = new ReportingApiFactory(new Dictionary<string, string?>(RunsFixture.Settings(fixture.DatabasePath))
        {
            ["LocalTokenEndpoint:Clients:4:ClientId"] = clientId,
            ["LocalTokenEndpoint:Clients:4:ClientSecret"] = "s3cret",
            ["LocalTokenEndpoint:Clients:4:Scopes:0"] = "reports/deliver",
            ["Database:DemoDataContracts"] = "0",
        });
        using var client = factory.CreateClient();
        client.WithToken(await DemoClients.GetTokenAsync(client, (clientId, "s3cret")));
        using var response = await client.PostRunAsync(new { report = "contracts", from = "2026-01-01", to = "2026-01-31" });
        await AuthTests.AssertProblemAsync(response, HttpStatusCode.Conflict, "partner-not-configured");
    }

    public static TheoryData<string, string> InvalidPartners() => new()
    {
        { """{"clientId":"x1","employerIds":[1]}""", "name" },
        { """{"name":"A","clientId":"has space"}""", "clientId" },
        { """{"name":"A","clientId":"demo-acme"}""", "clientId" },
        { """{"name":"A","clientId":"fresh-1","employerIds":[99999]}""", "employerIds" },
        { """{"name":"A","clientId":"fresh-2","ipAllowlist":["10.0.0.0/33"]}""", "ipAllowlist" },
        { """{"name":"A","clientId":"fresh-3","allowedReports":["salaries"]}""", "allowedReports" },
        { """{"name":"A","clientId":"fresh-4","allowedFormats":["pdf"]}""", "allowedFormats" },
    };

    [Theory]
    [MemberData(nameof(InvalidPartners))]
    public async Task Invalid_partners_are_refused_naming_the_field(string body, string field)
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        using var response = await admin.PostAsync("/v1/admin/partners", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await AuthTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid-parameters");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    private const string HostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

    public static TheoryData<string, string> InvalidDeliveries() => new()
    {
        { """{"kind":"Carrier pigeon"}""", "kind" },
        // Enum.TryParse reads a list as the values' OR: Folder | Sftp is Sftp.
        { """{"kind":"Folder, Sftp","remoteDirectory":"/in","host":"sftp.example.com","user":"u","privateKeySecret":"partners/3/id"}""", "kind" },
        { """{"kind":"Folder"}""", "folderPath" },
        { $$"""{"kind":"Sftp","remoteDirectory":"in","host":"sftp.example.com","user":"u","hostKey":"{{HostKey}}","privateKeySecret":"partners/3/id"}""", "remoteDirectory" },
        { $$"""{"kind":"Sftp","remoteDirectory":"/in","host":"sftp.example.com","port":70000,"user":"u","hostKey":"{{HostKey}}","privateKeySecret":"partners/3/id"}""", "port" },
        { """{"kind":"Sftp","remoteDirectory":"/in","host":"sftp.example.com","user":"u","privateKeySecret":"partners/3/id"}""", "hostKey" },
        // A fingerprint is not the key, nor is a key whose blob names another type.
        { """{"kind":"Sftp","remoteDirectory":"/in","host":"sftp.example.com","user":"u","hostKey":"SHA256:bcmpKTMzDpDRL/bUd1ou0OSi/KPnWyjHXxokBDHYjj8","privateKeySecret":"partners/3/id"}""", "hostKey" },
        { """{"kind":"Sftp","remoteDirectory":"/in","host":"sftp.example.com","user":"u","hostKey":"ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl","privateKeySecret":"partners/3/id"}""", "hostKey" },
        { $$"""{"kind":"Sftp","remoteDirectory":"/in/../etc","host":"sftp.example.com","user":"u","hostKey":"{{HostKey}}","privateKeySecret":"partners/3/id"}""", "remoteDirectory" },
        // No login, and the retired key file path.
        { $$"""{"kind":"Sftp","remoteDirectory":"/in","host":"sftp.example.com","user":"u","hostKey":"{{HostKey}}"}""", "privateKeySecret" },
        { $$"""{"kind":"Sftp","remoteDirectory":"/in","host":"sftp.example.com","user":"u","hostKey":"{{HostKey}}","privateKeyPath":"/keys/id"}""", "privateKeyPath" },
        { $$"""{"kind":"Sftp","remoteDirectory":"/in","host":"sftp.example.com","user":"u","hostKey":"{{HostKey}}","passwordSecret":"p","passphraseSecret":"pp"}""", "passphraseSecret" },
        // With local secret files (the fast tests' provider), a reference is a relative path inside the secrets folder.
        { $$"""{"kind":"Sftp","remoteDirectory":"/in","host":"sftp.example.com","user":"u","hostKey":"{{HostKey}}","privateKeySecret":"/etc/keys/id"}""", "privateKeySecret" },
        { $$"""{"kind":"Sftp","remoteDirectory":"/in","host":"sftp.example.com","user":"u","hostKey":"{{HostKey}}","privateKeySecret":"../../appsettings.json"}""", "privateKeySecret" },
        { $$"""{"kind":"Sftp","remoteDirectory":"/in","host":"sftp.example.com","user":"u","hostKey":"{{HostKey}}","passwordSecret":"arn:aws:secretsmanager:eu-central-1:123456789012:secret:p-AbCdEf"}""", "passwordSecret" },
        { """{"kind":"AwsConnector","remoteDirectory":"/in","connectorId":"connector-1"}""", "connectorId" },
    };

    [Fact]
    public async Task An_sftp_delivery_keeps_references_to_its_login_secrets_and_the_pinned_key_in_known_hosts_form()
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        using var created = await admin.PostAsJsonAsync("/v1/admin/partners", new { name = "Sftp Partner", clientId = NewClientId(), employerIds = new[] { 12 } });
        var partner = (await created.Content.ReadFromJsonAsync<PartnerResponse>(ApiJson.Options))!;
        var request = new
        {
            kind = "Sftp",
            remoteDirectory = "/inbound/reports",
            host = "sftp.partner.example",
            port = 2222,
            user = "reports",
            // A line of ssh-keyscan's output: the host field and a comment are not kept.
            hostKey = $"[sftp.partner.example]:2222 {HostKey} partner@example",
            privateKeySecret = "partners/3/id_ecdsa",
            passphraseSecret = "partners/3/id_ecdsa.passphrase",
            passwordSecret = "partners/3/password",
        };

        using var put = await admin.PutAsJsonAsync($"/v1/admin/partners/{partner.Id}/delivery", request);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var stored = (await admin.GetFromJsonAsync<PartnerResponse>($"/v1/admin/partners/{partner.Id}", ApiJson.Options))!.Delivery!;

        Assert.Equal(
            new DeliveryTarget(DeliveryKind.Sftp, "/inbound/reports", Host: "sftp.partner.example", Port: 2222, User: "reports", HostKey: HostKey,
                PrivateKeySecret: "partners/3/id_ecdsa", PassphraseSecret: "partners/3/id_ecdsa.passphrase", PasswordSecret: "partners/3/password"),
            stored);
    }

    [Fact]
    public async Task The_openapi_document_shows_how_to_give_sftp_credentials_and_its_examples_are_accepted()
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        using var document = JsonDocument.Parse(await admin.GetStringAsync("/swagger/v1/swagger.json"));
        var operation = document.RootElement.GetProperty("paths").GetProperty("/v1/admin/partners/{id}/delivery").GetProperty("put");
        var examples = operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("examples");
        var request = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty(nameof(DeliveryRequest)).GetProperty("properties");

        Assert.Equal(["sftp-private-key", "sftp-password", "sftp-local-files", "aws-connector", "folder"], examples.EnumerateObject().Select(e => e.Name));
        foreach (var text in new[] { "private key (RSA, ECDSA or Ed25519", "by password", "never as the key or password itself", "'privateKeyPath' (a key file path) is no longer accepted" })
        {
            Assert.Contains(text, operation.GetProperty("description").GetString(), StringComparison.Ordinal);
        }

        Assert.Contains("RSA, ECDSA or Ed25519", request.GetProperty("privateKeySecret").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("never the password itself", request.GetProperty("passwordSecret").GetProperty("description").GetString(), StringComparison.Ordinal);

        // The examples for the secret source of this app (local files) are accepted as they stand.
        using var created = await admin.PostAsJsonAsync("/v1/admin/partners", new { name = "Example Partner", clientId = NewClientId(), employerIds = new[] { 12 } });
        var partner = (await created.Content.ReadFromJsonAsync<PartnerResponse>(ApiJson.Options))!;
        foreach (var name in new[] { "sftp-private-key", "sftp-local-files", "aws-connector", "folder" })
        {
            using var put = await admin.PutAsync(
                $"/v1/admin/partners/{partner.Id}/delivery",
                new StringContent(examples.GetProperty(name).GetProperty("value").GetRawText(), System.Text.Encoding.UTF8, "application/json"));
            Assert.True(put.StatusCode == HttpStatusCode.OK, $"{name}: {await put.Content.ReadAsStringAsync()}");
        }
    }

    [Theory]
    [MemberData(nameof(InvalidDeliveries))]
    public async Task Invalid_delivery_targets_are_refused_naming_the_field(string body, string field)
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        using var response = await admin.PutAsync("/v1/admin/partners/3/delivery", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await AuthTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid-parameters");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Theory]
    [InlineData("not a key", "Unparseable")]
    [InlineData("", null)]
    public async Task Unusable_pgp_keys_are_refused_with_the_reason(string key, string? reason)
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        using var response = await admin.PutAsJsonAsync("/v1/admin/partners/3/pgp-key", new { armoredPublicKey = key });
        if (reason is null)
        {
            await AuthTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid-parameters");
            return;
        }

        var problem = await AuthTests.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "invalid-pgp-key");
        Assert.Equal(reason, problem.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task An_expired_key_is_refused_at_onboarding()
    {
        var expired = new PgpKeyGenerator(new ShiftedClock(TimeSpan.FromDays(-30))).Generate("Old <old@example.com>", "pw", validFor: TimeSpan.FromDays(1));
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        using var response = await admin.PutAsJsonAsync("/v1/admin/partners/3/pgp-key", new { armoredPublicKey = expired.ArmoredPublicKey });
        var problem = await AuthTests.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "invalid-pgp-key");
        Assert.Equal("Expired", problem.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Unknown_partners_are_404()
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        using var get = await admin.GetAsync("/v1/admin/partners/4242");
        using var put = await admin.PutAsJsonAsync("/v1/admin/partners/4242/delivery", new { kind = "Folder", folderPath = "/tmp/x" });
        await AuthTests.AssertProblemAsync(get, HttpStatusCode.NotFound, "partner-not-found");
        await AuthTests.AssertProblemAsync(put, HttpStatusCode.NotFound, "partner-not-found");
    }

    [Fact]
    public async Task Changing_a_partners_employers_applies_to_its_next_request()
    {
        // One app for the operator and the partner, so that what the partner's requests cached there must be let go.
        // The fixture's app has made the database (demo data) this one opens.
        fixture.Factory.StartServer();
        var clientId = NewClientId();
        using var factory = new ReportingApiFactory(new Dictionary<string, string?>(RunsFixture.Settings(fixture.DatabasePath))
        {
            ["LocalTokenEndpoint:Clients:4:ClientId"] = clientId,
            ["LocalTokenEndpoint:Clients:4:ClientSecret"] = "s3cret",
            ["LocalTokenEndpoint:Clients:4:Scopes:0"] = "reports/read",
            ["Database:DemoDataContracts"] = "0",
        });
        using var admin = await factory.CreateClientForAsync(DemoClients.Operator);
        using var created = await admin.PostAsJsonAsync("/v1/admin/partners", new { name = "Shifting GmbH", clientId, employerIds = new[] { 1 } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var partner = (await created.Content.ReadFromJsonAsync<PartnerResponse>(ApiJson.Options))!;
        using var client = await factory.CreateClientForAsync((clientId, "s3cret"));

        Assert.Equal(["1"], await EmployersInContractsAsync(client));

        using var moved = await admin.PutAsJsonAsync($"/v1/admin/partners/{partner.Id}", new { name = "Shifting GmbH", clientId, employerIds = new[] { 2 } });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal([2], (await moved.Content.ReadFromJsonAsync<PartnerResponse>(ApiJson.Options))!.EmployerIds);
        Assert.Equal(["2"], await EmployersInContractsAsync(client));

        using var deactivated = await admin.PutAsJsonAsync($"/v1/admin/partners/{partner.Id}", new { name = "Shifting GmbH", clientId, employerIds = new[] { 2 }, active = false });
        Assert.Equal(HttpStatusCode.OK, deactivated.StatusCode);
        Assert.False((await deactivated.Content.ReadFromJsonAsync<PartnerResponse>(ApiJson.Options))!.Active);
        using var refused = await client.GetAsync(ContractsOf2026);
        await AuthTests.AssertProblemAsync(refused, HttpStatusCode.Forbidden, "partner-inactive");
    }

    private const string ContractsOf2026 = "/v1/reports/contracts?format=json&from=2026-01-01&to=2026-12-31";

    /// <summary>The distinct employers in the partner's contracts of 2026; the report has rows.</summary>
    private static async Task<string[]> EmployersInContractsAsync(HttpClient client)
    {
        var report = ReportFiles.Parse(ReportingApi.Reports.ReportFormat.Json, await client.GetByteArrayAsync(ContractsOf2026), ReportingApi.Reports.ReportCatalog.Contracts);
        Assert.NotEmpty(report.Rows);
        return [.. report.Column("employerId").Select(id => id!).Distinct().Order(StringComparer.Ordinal)];
    }

    private sealed class ShiftedClock(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + shift;
    }
}
