using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using ReportingApi.TestSupport;
using ReportingApi.TestSupport.Aws;

namespace ReportingApi.Tests.Security;

/// <summary>
/// The app as in production (environment Production, no local token endpoint) on fresh SQLite demo data, trusting
/// tokens of a <see cref="FakeCognitoIssuer"/> served over HTTPS on loopback. The only test-made setting is the
/// metadata client's trust in the issuer's test certificate.
/// </summary>
public sealed class CognitoApp : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reportingapi-cognito-").FullName;
    private readonly ReportingApiFactory _host;

    private CognitoApp(FakeCognitoIssuer issuer)
    {
        Issuer = issuer;
        _host = new ReportingApiFactory(
            new Dictionary<string, string?>
            {
                ["Database:Provider"] = "Sqlite",
                ["Database:ConnectionString"] = $"Data Source={Path.Combine(_folder, "reports.db")}",
                ["Database:DemoDataContracts"] = "100",
                ["Authentication:Issuer"] = issuer.Issuer,
            },
            environment: "Production");
        Factory = _host.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options => options.BackchannelHttpHandler = issuer.TrustingHandler())));
    }

    public FakeCognitoIssuer Issuer { get; }

    public WebApplicationFactory<Program> Factory { get; }

    public static async Task<CognitoApp> StartAsync() => new(await FakeCognitoIssuer.StartAsync(https: true));

    /// <summary>Sends <paramref name="token"/> to <paramref name="url"/>.</summary>
    public async Task<HttpResponseMessage> GetAsync(string url, string token)
    {
        using var client = Factory.CreateClient().WithToken(token);
        return await client.GetAsync(url);
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        await _host.DisposeAsync();
        await Issuer.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>One <see cref="CognitoApp"/> shared by a test class.</summary>
public sealed class CognitoAppFixture : IAsyncLifetime
{
    public CognitoApp App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await CognitoApp.StartAsync();

    public async Task DisposeAsync() => await App.DisposeAsync();
}
