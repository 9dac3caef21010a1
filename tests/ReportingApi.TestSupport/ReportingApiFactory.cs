using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ReportingApi.TestSupport;

/// <summary>
/// The app in a test host, in Development (so the local token endpoint exists), with configuration overrides.
/// A request may carry <see cref="RemoteAddressHeader"/> to play a caller address, because the test server has none.
/// </summary>
public class ReportingApiFactory(IReadOnlyDictionary<string, string?> settings, string environment = "Development") : WebApplicationFactory<Program>
{
    public const string RemoteAddressHeader = "X-Test-Remote-Address";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new RemoteAddressStartupFilter()));
    }

    /// <summary>A client that sends a token the app's local token endpoint issued to <paramref name="credentials"/>.</summary>
    public async Task<HttpClient> CreateClientForAsync((string Id, string Secret) credentials, string? scope = null)
    {
        var client = CreateClient();
        try
        {
            return client.WithToken(await DemoClients.GetTokenAsync(client, credentials, scope));
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private sealed class RemoteAddressStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = context.Request.Headers.TryGetValue(RemoteAddressHeader, out var address)
                    ? IPAddress.Parse(address.ToString())
                    : IPAddress.Loopback;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
