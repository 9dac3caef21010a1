using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ReportingApi.Security;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Api;

public sealed class AuthTests(SqliteApiFixture fixture) : IClassFixture<SqliteApiFixture>
{
    private const string ReportUrl = "/v1/reports/contracts?from=2026-01-01&to=2026-01-31";

    [Fact]
    public async Task No_token_is_401_problem_with_a_bearer_challenge()
    {
        using var client = fixture.Factory.CreateClient();
        using var response = await client.GetAsync(ReportUrl);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJjbGllbnRfaWQiOiJkZW1vLWFjbWUiLCJzY29wZSI6InJlcG9ydHMvcmVhZCJ9.")]
    public async Task A_malformed_or_unsigned_token_is_401(string token)
    {
        using var client = fixture.Factory.CreateClient().WithToken(token);
        using var response = await client.GetAsync(ReportUrl);
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_signed_by_another_key_is_401()
    {
        using var rsa = RSA.Create(2048);
        var forged = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = LocalSigningKey.Issuer,
            Expires = DateTime.UtcNow.AddHours(1),
            Claims = new Dictionary<string, object> { ["client_id"] = "demo-acme", ["scope"] = "reports/read", ["token_use"] = "access" },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(rsa), SecurityAlgorithms.RsaSha256),
        });
        using var client = fixture.Factory.CreateClient().WithToken(forged);
        using var response = await client.GetAsync(ReportUrl);
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task A_token_without_the_read_scope_is_403_insufficient_scope()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Acme, scope: Scopes.Deliver);
        using var response = await client.GetAsync(ReportUrl);
        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "insufficient-scope");
        Assert.Contains("reports/read", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_is_not_a_partner_is_403_unknown_client()
    {
        // The operator client has no partner row; give it the read scope through a second app with that client's scopes widened.
        using var factory = new ReportingApiFactory(new Dictionary<string, string?>(SqliteApiFixture.Settings(fixture.DatabasePath))
        {
            ["LocalTokenEndpoint:Clients:3:Scopes:0"] = Scopes.Read,
            ["Database:DemoDataContracts"] = "0",
        });
        using var client = factory.CreateClient();
        client.WithToken(await DemoClients.GetTokenAsync(client, DemoClients.Operator));
        using var response = await client.GetAsync(ReportUrl);
        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "unknown-client");
    }

    [Fact]
    public async Task An_inactive_partner_is_403_partner_inactive()
    {
        await using (var database = fixture.OpenDatabase())
        {
            await database.ExecuteAsync("INSERT INTO partners (id, name, client_id, active, created_at) VALUES (90, 'Dormant GmbH', 'demo-dormant', 0, '2026-01-01 00:00:00')");
        }

        using var factory = new ReportingApiFactory(new Dictionary<string, string?>(SqliteApiFixture.Settings(fixture.DatabasePath))
        {
            ["LocalTokenEndpoint:Clients:4:ClientId"] = "demo-dormant",
            ["LocalTokenEndpoint:Clients:4:ClientSecret"] = "dormant-secret",
            ["LocalTokenEndpoint:Clients:4:Scopes:0"] = Scopes.Read,
            ["Database:DemoDataContracts"] = "0",
        });
        using var client = factory.CreateClient();
        client.WithToken(await DemoClients.GetTokenAsync(client, ("demo-dormant", "dormant-secret")));
        using var response = await client.GetAsync(ReportUrl);
        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "partner-inactive");
    }

    [Theory]
    [InlineData("127.0.0.1", HttpStatusCode.OK)]
    [InlineData("::1", HttpStatusCode.OK)]
    [InlineData("::ffff:127.0.0.9", HttpStatusCode.OK)]
    [InlineData("10.1.2.3", HttpStatusCode.Forbidden)]
    [InlineData("2001:db8::1", HttpStatusCode.Forbidden)]
    public async Task The_ip_allowlist_is_enforced(string address, HttpStatusCode expected)
    {
        // Contoso's allowlist is 127.0.0.0/8 and ::1/128 (DemoPartners).
        using var client = await fixture.ClientForAsync(DemoClients.Contoso);
        using var request = new HttpRequestMessage(HttpMethod.Get, ReportUrl);
        request.Headers.Add(ReportingApiFactory.RemoteAddressHeader, address);
        using var response = await client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Forbidden)
        {
            await AssertProblemAsync(response, HttpStatusCode.Forbidden, "ip-not-allowed");
        }
    }

    [Fact]
    public async Task A_partner_without_allowlist_may_call_from_anywhere()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Acme);
        using var request = new HttpRequestMessage(HttpMethod.Get, ReportUrl);
        request.Headers.Add(ReportingApiFactory.RemoteAddressHeader, "203.0.113.7");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Token_endpoint_rejects_a_wrong_secret_with_invalid_client()
    {
        using var client = fixture.Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth2/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = "demo-acme", ["client_secret"] = "wrong" }),
        };
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("grant_type=password&client_id=demo-acme&client_secret=acme-demo-secret", "unsupported_grant_type")]
    [InlineData("grant_type=client_credentials&client_id=demo-acme&client_secret=acme-demo-secret&scope=reports/admin", "invalid_scope")]
    public async Task Token_endpoint_follows_oauth2_errors(string body, string error)
    {
        using var client = fixture.Factory.CreateClient();
        using var response = await client.PostAsync("/oauth2/token", new StringContent(body, new MediaTypeHeaderValue("application/x-www-form-urlencoded")));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Form_credentials_work_like_basic_auth_and_the_token_carries_client_and_scopes()
    {
        using var client = fixture.Factory.CreateClient();
        using var response = await client.PostAsync("/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "demo-acme", ["client_secret"] = "acme-demo-secret", ["scope"] = "reports/read",
        }));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        var token = new JsonWebToken(body.GetProperty("access_token").GetString());
        Assert.Equal("demo-acme", token.GetClaim("client_id").Value);
        Assert.Equal("reports/read", token.GetClaim("scope").Value);
        Assert.Equal("access", token.GetClaim("token_use").Value);
    }

    [Fact]
    public async Task Outside_development_there_is_no_token_endpoint_and_local_tokens_are_refused()
    {
        using var client = fixture.Factory.CreateClient();
        var localToken = await DemoClients.GetTokenAsync(client, DemoClients.Acme);
        using var production = new ReportingApiFactory(
            new Dictionary<string, string?>(SqliteApiFixture.Settings(fixture.DatabasePath))
            {
                ["Authentication:Issuer"] = "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Example",
                ["LocalTokenEndpoint:Enabled"] = "true",
                ["Database:DemoDataContracts"] = "0",
            },
            environment: "Production");
        using var productionClient = production.CreateClient();

        using var tokenResponse = await productionClient.PostAsync("/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }));
        Assert.Equal(HttpStatusCode.NotFound, tokenResponse.StatusCode);

        // The issuer does not match (and its keys cannot be fetched here): the local token must not pass.
        using var reportResponse = await productionClient.WithToken(localToken).GetAsync(ReportUrl);
        Assert.Equal(HttpStatusCode.Unauthorized, reportResponse.StatusCode);
    }

    /// <summary>Asserts an RFC 9457 problem of this status and type, and returns it (the body can be read only once).</summary>
    internal static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string typeSuffix)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.EndsWith("/" + typeSuffix, problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        return problem;
    }
}
