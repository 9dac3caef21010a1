using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace ReportingApi.IntegrationTests.Infrastructure;

/// <summary>
/// The app in Development (local token endpoint on) on the collection's MariaDB, which the fixture has already
/// migrated and seeded. Use as a class fixture in <see cref="MariaDbCollectionDefinition"/>.
/// </summary>
public sealed class MariaDbAppFactory(MariaDbServer database) : WebApplicationFactory<Program>
{
    /// <summary>Demo clients from appsettings.Development.json.</summary>
    public static readonly DemoClient Acme = new("demo-acme", "acme-demo-secret");
    public static readonly DemoClient Northwind = new("demo-northwind", "northwind-demo-secret");

    public MariaDbServer Database => database;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "MySql",
            ["Database:ConnectionString"] = database.ConnectionString,
            ["Database:DemoDataContracts"] = "0",
        }));
    }

    /// <summary>A client that sends an access token issued by the app's local token endpoint to <paramref name="demoClient"/>.</summary>
    public async Task<HttpClient> CreateAuthenticatedClientAsync(DemoClient demoClient)
    {
        var client = CreateClient();
        using var tokenRequest = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = demoClient.ClientId,
            ["client_secret"] = demoClient.ClientSecret,
        });
        using var response = await client.PostAsync("/oauth2/token", tokenRequest);
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<TokenBody>()
            ?? throw new InvalidOperationException("The token endpoint returned no body.");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        return client;
    }

    private sealed record TokenBody([property: JsonPropertyName("access_token")] string AccessToken);
}

public sealed record DemoClient(string ClientId, string ClientSecret);
