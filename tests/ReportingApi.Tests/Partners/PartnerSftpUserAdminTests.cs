using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ReportingApi.PartnerAdmin;
using ReportingApi.SftpUsers;
using ReportingApi.Tests.Api;
using ReportingApi.Tests.Runs;
using ReportingApi.Tests.SftpUsers;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Partners;

/// <summary>PUT and GET /v1/admin/partners/{id}/sftp-user with the local OpenSSH users (the Transfer Family put is tested against moto).</summary>
public sealed class PartnerSftpUserAdminTests(RunsFixture fixture, GeneratedSshKeys keys) : IClassFixture<RunsFixture>, IClassFixture<GeneratedSshKeys>
{
    private const int DemoPartner = 1;

    [Fact]
    public async Task An_operator_puts_a_partners_keys_and_reads_them_back_as_fingerprints()
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        string[] lines = [keys.Keys["ed25519"].PublicKeyLine, keys.Keys["rsa-3072"].PublicKeyLine];

        using var put = await admin.PutAsJsonAsync($"/v1/admin/partners/{DemoPartner}/sftp-user", new { publicKeys = lines });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var written = (await put.Content.ReadFromJsonAsync<SftpUserResponse>())!;
        var fingerprints = lines.Select(line => SshPublicKey.TryParse(line, out var key, out _) ? key.Fingerprint : null).ToList();
        Assert.Equal("partner-1", written.UserName);
        Assert.Equal(fingerprints, written.Keys.Select(k => k.Fingerprint));

        using var get = await admin.GetAsync($"/v1/admin/partners/{DemoPartner}/sftp-user");
        var body = await get.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        var read = JsonSerializer.Deserialize<SftpUserResponse>(body, JsonSerializerOptions.Web)!;
        Assert.Equal(fingerprints, read.Keys.Select(k => k.Fingerprint));
        Assert.Equal(["/inbound read-write", "/reports read-only"], read.Home.Select(h => $"{h.Path} {h.Access}"));
        // Fingerprints only: no key material in the answer.
        Assert.DoesNotContain(lines[0].Split(' ')[1], body, StringComparison.Ordinal);
        Assert.Equal(lines, await File.ReadAllLinesAsync(Path.Combine(fixture.Factory.SftpUsersFolder, "partner-1", OpenSshSftpUsers.AuthorizedKeysFile)));
    }

    [Fact]
    public async Task A_refused_key_is_reported_per_line_and_changes_nothing()
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        string[] lines = [keys.Keys["ed25519-other"].PublicKeyLine, keys.Keys["rsa-2048"].PublicKeyLine, keys.Keys["dsa"].PublicKeyLine];

        using var response = await admin.PutAsJsonAsync("/v1/admin/partners/2/sftp-user", new { publicKeys = lines });

        var problem = await AuthTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid-parameters");
        var errors = problem.GetProperty("errors");
        Assert.False(errors.TryGetProperty("publicKeys[0]", out _));
        Assert.Contains("3072", errors.GetProperty("publicKeys[1]")[0].GetString(), StringComparison.Ordinal);
        Assert.True(errors.TryGetProperty("publicKeys[2]", out _));
        Assert.False(Directory.Exists(Path.Combine(fixture.Factory.SftpUsersFolder, "partner-2")));

        using var empty = await admin.PutAsJsonAsync("/v1/admin/partners/2/sftp-user", new { publicKeys = Array.Empty<string>() });
        await AuthTests.AssertProblemAsync(empty, HttpStatusCode.BadRequest, "invalid-parameters");
    }

    [Fact]
    public async Task Unknown_partners_users_not_yet_put_and_partner_tokens_get_problems()
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        using var unknown = await admin.PutAsJsonAsync("/v1/admin/partners/9999/sftp-user", new { publicKeys = new[] { keys.Keys["ed25519"].PublicKeyLine } });
        await AuthTests.AssertProblemAsync(unknown, HttpStatusCode.NotFound, "partner-not-found");

        using var none = await admin.GetAsync("/v1/admin/partners/3/sftp-user");
        await AuthTests.AssertProblemAsync(none, HttpStatusCode.NotFound, "not-found");

        using var partner = await fixture.ClientForAsync(DemoClients.Acme);
        using var forbidden = await partner.PutAsJsonAsync($"/v1/admin/partners/{DemoPartner}/sftp-user", new { publicKeys = new[] { keys.Keys["ed25519"].PublicKeyLine } });
        await AuthTests.AssertProblemAsync(forbidden, HttpStatusCode.Forbidden, "insufficient-scope");
    }
}
