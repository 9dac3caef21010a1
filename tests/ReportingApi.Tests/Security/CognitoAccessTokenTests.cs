using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using ReportingApi.Security;
using ReportingApi.Tests.Api;
using ReportingApi.TestSupport;
using ReportingApi.TestSupport.Aws;

namespace ReportingApi.Tests.Security;

/// <summary>
/// JwtBearer against a Cognito-shaped issuer whose metadata and JWKS are served over HTTPS on loopback: the app in
/// production takes Cognito access tokens and refuses every other kind with the 401 problem.
/// </summary>
public sealed class CognitoAccessTokenTests(CognitoAppFixture fixture) : IClassFixture<CognitoAppFixture>
{
    private const string CatalogUrl = "/v1/reports";
    private const string Partner = "demo-acme";

    private FakeCognitoIssuer Issuer => fixture.App.Issuer;

    [Fact]
    public async Task A_cognito_access_token_is_accepted_and_names_the_partner_and_scopes()
    {
        using var response = await fixture.App.GetAsync(CatalogUrl, Issuer.CreateAccessToken(Partner, Scopes.Read));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var catalog = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(catalog.GetProperty("reports").GetArrayLength() > 0, catalog.ToString());
    }

    [Fact]
    public async Task A_token_expired_less_than_the_clock_skew_ago_is_accepted()
    {
        var token = Issuer.CreateAccessToken(Partner, Scopes.Read, descriptor => SetLifetime(descriptor, TimeSpan.FromMinutes(-60), TimeSpan.FromSeconds(-20)));

        using var response = await fixture.App.GetAsync(CatalogUrl, token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_scope_claim_is_read_as_issued_so_a_token_without_the_read_scope_is_403()
    {
        using var response = await fixture.App.GetAsync(CatalogUrl, Issuer.CreateAccessToken(Partner, $"{Scopes.Deliver} {Scopes.Admin}"));

        await AuthTests.AssertProblemAsync(response, HttpStatusCode.Forbidden, "insufficient-scope");
        Assert.Equal("Bearer error=\"insufficient_scope\", scope=\"reports/read\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task The_partner_comes_from_client_id_so_an_unregistered_client_is_403_unknown_client()
    {
        using var response = await fixture.App.GetAsync(CatalogUrl, Issuer.CreateAccessToken("4bq1notapartner", Scopes.Read));

        await AuthTests.AssertProblemAsync(response, HttpStatusCode.Forbidden, "unknown-client");
    }

    [Theory]
    [InlineData("id token")]
    [InlineData("no token_use")]
    [InlineData("wrong issuer")]
    [InlineData("expired")]
    [InlineData("not yet valid")]
    [InlineData("payload changed after signing")]
    [InlineData("unknown kid")]
    [InlineData("known kid, other key")]
    [InlineData("HS256 with the public key as secret")]
    [InlineData("no client_id")]
    public async Task A_wrong_token_is_401_problem_with_invalid_token(string wrong)
    {
        using var response = await fixture.App.GetAsync(CatalogUrl, WrongToken(wrong));

        var problem = await AuthTests.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
        var detail = problem.GetProperty("detail").GetString();
        switch (wrong)
        {
            case "id token":
                Assert.Contains("Only access tokens", detail, StringComparison.Ordinal);
                break;
            case "expired":
                Assert.Contains("expired", detail, StringComparison.Ordinal);
                break;
            case "no client_id":
                Assert.Contains("client_id", detail, StringComparison.Ordinal);
                break;
        }
    }

    [Fact]
    public async Task No_token_is_401_problem_with_a_plain_bearer_challenge()
    {
        using var client = fixture.App.Factory.CreateClient();
        using var response = await client.GetAsync(CatalogUrl);

        await AuthTests.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    private string WrongToken(string wrong) => wrong switch
    {
        // Cognito's ID tokens are signed with the same keys; this one even carries the claims an access token would.
        "id token" => Issuer.CreateAccessToken(Partner, Scopes.Read, descriptor =>
        {
            descriptor.Claims["token_use"] = "id";
            descriptor.Audience = Partner;
        }),
        "no token_use" => Issuer.CreateAccessToken(Partner, Scopes.Read, descriptor => descriptor.Claims.Remove("token_use")),
        "wrong issuer" => Issuer.CreateAccessToken(Partner, Scopes.Read, descriptor =>
            descriptor.Issuer = "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Other"),
        "expired" => Issuer.CreateAccessToken(Partner, Scopes.Read, descriptor => SetLifetime(descriptor, TimeSpan.FromMinutes(-65), TimeSpan.FromMinutes(-5))),
        "not yet valid" => Issuer.CreateAccessToken(Partner, Scopes.Read, descriptor => SetLifetime(descriptor, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(65))),
        "payload changed after signing" => WithPayload(Issuer.CreateAccessToken(Partner, Scopes.Read), Issuer.CreateAccessToken(Partner, $"{Scopes.Read} {Scopes.Admin}")),
        "unknown kid" => Issuer.CreateAccessToken(Partner, Scopes.Read, descriptor =>
            descriptor.SigningCredentials = new SigningCredentials(FakeCognitoIssuer.CreateKey(), SecurityAlgorithms.RsaSha256)),
        "known kid, other key" => Issuer.CreateAccessToken(Partner, Scopes.Read, descriptor =>
            descriptor.SigningCredentials = new SigningCredentials(
                new RsaSecurityKey(RSA.Create(2048)) { KeyId = Issuer.CurrentKey.KeyId }, SecurityAlgorithms.RsaSha256)),
        "HS256 with the public key as secret" => Issuer.CreateAccessToken(Partner, Scopes.Read, descriptor =>
            descriptor.SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Issuer.CurrentKey.Rsa.ExportRSAPublicKeyPem())) { KeyId = Issuer.CurrentKey.KeyId },
                SecurityAlgorithms.HmacSha256)),
        "no client_id" => Issuer.CreateAccessToken(Partner, Scopes.Read, descriptor => descriptor.Claims.Remove("client_id")),
        _ => throw new ArgumentOutOfRangeException(nameof(wrong), wrong, null),
    };

    /// <summary>Issued, valid from, and expiring relative to now.</summary>
    private static void SetLifetime(SecurityTokenDescriptor descriptor, TimeSpan from, TimeSpan to)
    {
        var now = DateTime.UtcNow;
        descriptor.IssuedAt = now + from;
        descriptor.NotBefore = now + from;
        descriptor.Expires = now + to;
    }

    /// <summary><paramref name="signed"/>'s header and signature around <paramref name="other"/>'s payload.</summary>
    private static string WithPayload(string signed, string other)
    {
        var parts = signed.Split('.');
        parts[1] = other.Split('.')[1];
        return string.Join('.', parts);
    }
}
