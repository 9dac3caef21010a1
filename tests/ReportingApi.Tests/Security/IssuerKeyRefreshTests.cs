using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using ReportingApi.Security;
using ReportingApi.Tests.Api;
using ReportingApi.TestSupport.Aws;

namespace ReportingApi.Tests.Security;

/// <summary>
/// When the app fetches the issuer's metadata and keys (AccessTokenValidation's refresh settings). Each test has an
/// issuer and an app of its own, because the configuration manager's refresh state lives as long as the app.
/// </summary>
public sealed class IssuerKeyRefreshTests
{
    private const string CatalogUrl = "/v1/reports";
    private const string Partner = "demo-acme";
    private static readonly TimeSpan RefreshWait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Metadata_and_keys_are_fetched_once_and_then_reused()
    {
        await using var app = await CognitoApp.StartAsync();

        for (var i = 0; i < 5; i++)
        {
            using var response = await app.GetAsync(CatalogUrl, app.Issuer.CreateAccessToken(Partner, Scopes.Read));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(1, app.Issuer.MetadataRequests);
        Assert.Equal(1, app.Issuer.KeyRequests);
        var options = app.Factory.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);
        var manager = Assert.IsType<ConfigurationManager<OpenIdConnectConfiguration>>(options.ConfigurationManager);
        Assert.Equal(TimeSpan.FromHours(1), manager.AutomaticRefreshInterval);
        Assert.Equal(TimeSpan.FromMinutes(1), manager.RefreshInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Backchannel.Timeout);
    }

    [Fact]
    public async Task A_key_the_issuer_adds_to_its_jwks_is_picked_up_and_the_old_one_still_works()
    {
        await using var app = await CognitoApp.StartAsync();
        var oldKeyToken = app.Issuer.CreateAccessToken(Partner, Scopes.Read);
        using (var first = await app.GetAsync(CatalogUrl, oldKeyToken))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        app.Issuer.PublishNewKey();
        var newKeyToken = app.Issuer.CreateAccessToken(Partner, Scopes.Read);

        // The unknown kid starts a refresh in the background: the request that meets it may still be refused.
        var status = await StatusOnceAsync(app, newKeyToken, HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, app.Issuer.KeyRequests);
        using var old = await app.GetAsync(CatalogUrl, oldKeyToken);
        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
    }

    [Fact]
    public async Task Tokens_with_made_up_kids_make_the_keys_be_fetched_again_at_most_once_a_minute()
    {
        await using var app = await CognitoApp.StartAsync();
        using (var first = await app.GetAsync(CatalogUrl, app.Issuer.CreateAccessToken(Partner, Scopes.Read)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using (var unknown = await app.GetAsync(CatalogUrl, TokenWithUnknownKey(app.Issuer)))
        {
            await AuthTests.AssertProblemAsync(unknown, HttpStatusCode.Unauthorized, "unauthenticated");
        }

        await WaitUntilAsync(() => app.Issuer.KeyRequests == 2);
        for (var i = 0; i < 10; i++)
        {
            using var response = await app.GetAsync(CatalogUrl, TokenWithUnknownKey(app.Issuer));
            await AuthTests.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
        }

        // A refresh, had one been started, answers within milliseconds here.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(2, app.Issuer.KeyRequests);
    }

    [Fact]
    public async Task An_issuer_that_cannot_be_reached_makes_a_401_problem_not_an_error()
    {
        await using var app = await CognitoApp.StartAsync();
        var token = app.Issuer.CreateAccessToken(Partner, Scopes.Read);
        await app.Issuer.DisposeAsync();

        using var response = await app.GetAsync(CatalogUrl, token);

        await AuthTests.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
    }

    private static string TokenWithUnknownKey(FakeCognitoIssuer issuer) => issuer.CreateAccessToken(Partner, Scopes.Read, descriptor =>
        descriptor.SigningCredentials = new SigningCredentials(FakeCognitoIssuer.CreateKey(), SecurityAlgorithms.RsaSha256));

    /// <summary>Sends <paramref name="token"/> until the answer is <paramref name="expected"/> or <see cref="RefreshWait"/> has passed; the last status.</summary>
    private static async Task<HttpStatusCode> StatusOnceAsync(CognitoApp app, string token, HttpStatusCode expected)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            using var response = await app.GetAsync(CatalogUrl, token);
            if (response.StatusCode == expected || watch.Elapsed > RefreshWait)
            {
                return response.StatusCode;
            }

            await Task.Delay(50);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition() && watch.Elapsed < RefreshWait)
        {
            await Task.Delay(20);
        }

        Assert.True(condition(), "The keys were not fetched again.");
    }
}
