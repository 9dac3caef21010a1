using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ReportingApi.IntegrationTests.Runs;
using ReportingApi.PartnerAdmin;
using ReportingApi.Partners;
using ReportingApi.Pgp;
using ReportingApi.TestSupport;

namespace ReportingApi.IntegrationTests.Pgp;

/// <summary>
/// A new partner onboarded through the admin API with a key made by gpg, as the partner makes it, on the embedded
/// defaults (SQLite, folder delivery): every key kind we accept is taken, a run is delivered, and gpg decrypts the
/// file with the partner's secret key and verifies our signature, for either kind of company key. Expired and
/// revoked keys are refused with the reason, and change nothing.
/// </summary>
public sealed class PartnerKeyOnboardingTests(PartnerKeyOnboardingTests.Hosts hosts) : IClassFixture<PartnerKeyOnboardingTests.Hosts>, IDisposable
{
    private const string ClientId = "onboarding-partner";
    private const string ClientSecret = "onboarding-partner-secret";
    private const string From = "2026-01-01";
    private const string To = "2026-03-31";

    private readonly GnuPgHome _gpg = new();

    public void Dispose() => _gpg.Dispose();

    [Theory]
    [InlineData(GnuPgHome.FutureDefault, PgpKeyKind.Rsa, "EdDSA Ed25519", 255)]
    [InlineData(GnuPgHome.FutureDefault, PgpKeyKind.Ed25519, "EdDSA Ed25519", 255)]
    [InlineData("rsa4096", PgpKeyKind.Rsa, "RSA", 4096)]
    [InlineData("rsa4096", PgpKeyKind.Ed25519, "RSA", 4096)]
    [InlineData("nistp256", PgpKeyKind.Rsa, "ECDSA P-256", 256)]
    [InlineData("nistp256", PgpKeyKind.Ed25519, "ECDSA P-256", 256)]
    public async Task A_partner_key_made_by_gpg_is_accepted_and_gpg_decrypts_and_verifies_the_delivered_run(string algorithm, PgpKeyKind companyKind, string expectedAlgorithm, int expectedBits)
    {
        var host = hosts.Of(companyKind);
        var fingerprint = _gpg.GenerateKeyWithEncryptionSubkey($"New Partner <{algorithm}@partner.test>", algorithm);
        using var admin = await host.App.CreateClientForAsync(DemoClients.Operator);

        using (var response = await admin.PutAsJsonAsync($"/v1/admin/partners/{host.PartnerId}/pgp-key", new { armoredPublicKey = _gpg.ExportPublicKey(fingerprint) }))
        {
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            var key = (await response.Content.ReadFromJsonAsync<PgpKeyResponse>())!;
            Assert.Equal((fingerprint, expectedAlgorithm, expectedBits), (key.Fingerprint, key.Algorithm, key.Bits));
        }

        using var partner = await host.App.CreateClientForAsync((ClientId, ClientSecret));
        var accepted = await partner.StartRunAsync(new { report = "contracts", format = "csv", from = From, to = To });
        var (run, json) = await partner.WaitUntilFinishedAsync(accepted.Id);
        Assert.True(run.Status == "delivered", json);
        Assert.True(run.Rows > 0, json);

        var delivered = Path.Combine(host.DeliveryFolder, run.FileName!);
        var company = TestPgpKeys.UnlockedCompanyOfKind(companyKind);
        _gpg.Import(company.ArmoredPublicKey);
        var plaintext = _gpg.File("contracts.csv");
        var decryption = _gpg.Run("--output", plaintext, "--decrypt", delivered);

        Assert.True(decryption.ExitCode == 0, decryption.Errors);
        Assert.True(decryption.HasStatus("DECRYPTION_OKAY") && decryption.HasStatus("GOODMDC"), decryption.Errors);
        Assert.Equal(company.SigningKeyId, decryption.StatusFields("GOODSIG")![0]);
        Assert.Equal(company.Fingerprint, decryption.StatusFields("VALIDSIG")![9]);
        Assert.Equal(await partner.GetByteArrayAsync($"/v1/reports/contracts?format=csv&from={From}&to={To}"), await File.ReadAllBytesAsync(plaintext));
    }

    [Theory]
    [InlineData(GnuPgHome.FutureDefault)]
    [InlineData("nistp256")]
    [InlineData("rsa4096")]
    public async Task An_expired_key_is_refused_with_the_reason_and_changes_nothing(string algorithm)
    {
        var fingerprint = _gpg.GenerateKeyWithEncryptionSubkey($"Old Partner <{algorithm}@partner.test>", algorithm, "1d", "20200101T000000");

        var problem = await RefusedAsync(_gpg.ExportPublicKey(fingerprint));

        Assert.Equal("Expired", problem.GetProperty("reason").GetString());
        Assert.Contains($"The key {fingerprint} expired on 2020-01-02", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(GnuPgHome.FutureDefault)]
    [InlineData("nistp256")]
    [InlineData("rsa4096")]
    public async Task A_revoked_key_is_refused_with_the_reason_and_changes_nothing(string algorithm)
    {
        var fingerprint = _gpg.GenerateKeyWithEncryptionSubkey($"Gone Partner <{algorithm}@partner.test>", algorithm);
        _gpg.Revoke(fingerprint);

        var problem = await RefusedAsync(_gpg.ExportPublicKey(fingerprint));

        Assert.Equal("Revoked", problem.GetProperty("reason").GetString());
        Assert.Contains($"The key {fingerprint} has been revoked", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Sends the key as an operator would, expects 422 invalid-pgp-key, and checks that the partner's key did not change.</summary>
    private async Task<JsonElement> RefusedAsync(string armoredPublicKey)
    {
        var host = hosts.Of(PgpKeyKind.Rsa);
        using var admin = await host.App.CreateClientForAsync(DemoClients.Operator);
        var before = (await admin.GetFromJsonAsync<PartnerResponse>($"/v1/admin/partners/{host.PartnerId}"))!.PgpKeyFingerprint;

        using var response = await admin.PutAsJsonAsync($"/v1/admin/partners/{host.PartnerId}/pgp-key", new { armoredPublicKey });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.EndsWith("/invalid-pgp-key", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, (await admin.GetFromJsonAsync<PartnerResponse>($"/v1/admin/partners/{host.PartnerId}"))!.PgpKeyFingerprint);
        return problem;
    }

    /// <summary>
    /// One app host per kind of company key, each on a SQLite database of its own with the demo data, and in each a new
    /// partner (created through the admin API, delivered to a folder) whose client the local token endpoint knows.
    /// </summary>
    public sealed class Hosts : IAsyncLifetime
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("reportingapi-onboarding-").FullName;
        private readonly Dictionary<PgpKeyKind, Host> _hosts = [];

        public Host Of(PgpKeyKind companyKind) => _hosts[companyKind];

        public async Task InitializeAsync()
        {
            foreach (var kind in Enum.GetValues<PgpKeyKind>())
            {
                _hosts[kind] = await StartAsync(kind);
            }
        }

        public Task DisposeAsync()
        {
            foreach (var host in _hosts.Values)
            {
                host.App.Dispose();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_folder, recursive: true);
            return Task.CompletedTask;
        }

        private async Task<Host> StartAsync(PgpKeyKind companyKind)
        {
            var settings = new Dictionary<string, string?>(TestPgpKeys.Settings(companyKind))
            {
                ["Database:Provider"] = "Sqlite",
                ["Database:ConnectionString"] = $"Data Source={Path.Combine(_folder, $"{companyKind}.db")}",
                ["Database:DemoDataContracts"] = "400",
                ["LocalTokenEndpoint:Clients:4:ClientId"] = ClientId,
                ["LocalTokenEndpoint:Clients:4:ClientSecret"] = ClientSecret,
                ["LocalTokenEndpoint:Clients:4:Scopes:0"] = "reports/read",
                ["LocalTokenEndpoint:Clients:4:Scopes:1"] = "reports/deliver",
            };
            var app = new ReportingApiFactory(settings);
            using var admin = await app.CreateClientForAsync(DemoClients.Operator);
            using var created = await admin.PostAsJsonAsync("/v1/admin/partners", new { name = "New Partner GmbH", clientId = ClientId, employerIds = new[] { 11 } });
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            var partnerId = (await created.Content.ReadFromJsonAsync<PartnerResponse>())!.Id;
            var deliveryFolder = Path.Combine(_folder, $"delivered-{companyKind}");
            using var delivery = await admin.PutAsJsonAsync($"/v1/admin/partners/{partnerId}/delivery", new { kind = "Folder", folderPath = deliveryFolder, remoteDirectory = "/in" });
            Assert.True(delivery.StatusCode == HttpStatusCode.OK, await delivery.Content.ReadAsStringAsync());
            return new Host(app, partnerId, Path.Combine(deliveryFolder, "in"));
        }
    }

    /// <param name="DeliveryFolder">Where the partner's files arrive.</param>
    public sealed record Host(ReportingApiFactory App, int PartnerId, string DeliveryFolder);
}
