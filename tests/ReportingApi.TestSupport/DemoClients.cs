using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace ReportingApi.TestSupport;

/// <summary>The demo OAuth2 clients of appsettings.Development.json.</summary>
public static class DemoClients
{
    public static readonly (string Id, string Secret) Acme = ("demo-acme", "acme-demo-secret");
    public static readonly (string Id, string Secret) Northwind = ("demo-northwind", "northwind-demo-secret");
    public static readonly (string Id, string Secret) Contoso = ("demo-contoso", "contoso-demo-secret");
    public static readonly (string Id, string Secret) Operator = ("demo-operator", "operator-demo-secret");

    /// <summary>Gets a token from the app's local token endpoint, as a partner's system would from Cognito.</summary>
    public static async Task<string> GetTokenAsync(HttpClient client, (string Id, string Secret) credentials, string? scope = null)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth2/token") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{credentials.Id}:{credentials.Secret}")));
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("access_token").GetString()!;
    }

    /// <summary>A client that sends <paramref name="token"/> on every request.</summary>
    public static HttpClient WithToken(this HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
