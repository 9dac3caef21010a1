using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace ReportingApi.TestSupport;

/// <summary>
/// The app in a test host, in Development (so the local token endpoint exists), with configuration overrides.
/// Its object store and the demo partners' delivery folders live in <see cref="WorkFolder"/>, deleted on dispose;
/// the PGP keys come from <see cref="TestPgpKeys"/>. A request may carry <see cref="RemoteAddressHeader"/> to play a
/// caller address, because the test server has none. What the app logs at warning level and above is kept in
/// <see cref="Logs"/>.
/// </summary>
public class ReportingApiFactory(IReadOnlyDictionary<string, string?> settings, string environment = "Development") : WebApplicationFactory<Program>
{
    public const string RemoteAddressHeader = "X-Test-Remote-Address";

    public string WorkFolder { get; } = Directory.CreateTempSubdirectory("reportingapi-host-").FullName;

    /// <summary>The folder that stands for a demo partner's SFTP server (DemoOnboarding's folder delivery).</summary>
    public string SftpFolder(string clientId) => Path.Combine(WorkFolder, "sftp", clientId);

    public string ObjectsFolder => Path.Combine(WorkFolder, "objects");

    /// <summary>The local partner SFTP server's users folder (one folder per partner user).</summary>
    public string SftpUsersFolder => Path.Combine(WorkFolder, "sftp-users");

    /// <summary>The app's warnings and errors, with their exceptions, as logged.</summary>
    public FakeLogCollector Logs { get; } = FakeLogCollector.Create(new FakeLogCollectorOptions
    {
        FilteredLevels = { LogLevel.Warning, LogLevel.Error, LogLevel.Critical },
    });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        var defaults = new Dictionary<string, string?>(TestPgpKeys.Settings())
        {
            ["ObjectStore:FolderPath"] = ObjectsFolder,
            ["DemoOnboarding:SftpRootFolder"] = Path.Combine(WorkFolder, "sftp"),
            ["SftpUsers:OpenSsh:UsersPath"] = SftpUsersFolder,
            ["Runs:SweepIntervalSeconds"] = "0.2",
            ["Runs:RetryBaseDelaySeconds"] = "0.2",
            ["Webhooks:EncryptionKeySecret"] = Path.Combine(WorkFolder, "webhook-encryption-keys"),
            ["Webhooks:PollInterval"] = "00:00:00.200",
        };
        foreach (var (key, value) in defaults.Where(pair => !settings.ContainsKey(pair.Key)).Concat(settings))
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services
            .AddSingleton<IStartupFilter>(new RemoteAddressStartupFilter())
            .AddSingleton<ILoggerProvider>(new FakeLoggerProvider(Logs)));
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

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(WorkFolder))
        {
            Directory.Delete(WorkFolder, recursive: true);
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
