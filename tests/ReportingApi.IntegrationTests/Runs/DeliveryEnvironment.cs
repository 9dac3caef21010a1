using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using MySqlConnector;
using ReportingApi.Data;
using ReportingApi.Delivery;
using ReportingApi.Delivery.Connector;
using ReportingApi.Demo;
using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.PartnerAdmin;
using ReportingApi.Runs;
using ReportingApi.Secrets;
using ReportingApi.TestSupport;

namespace ReportingApi.IntegrationTests.Runs;

/// <summary>
/// One app host on real parts for the delivery tests: a database of its own on the collection's MariaDB (seeded, so
/// the partner settings these tests change never reach another test class), S3 on moto over HTTPS through a relay of
/// its own and an sshd of its own (the fault tests stop and restart both), and fast retries. The demo partners get their PGP keys from
/// DemoOnboarding at start; a test switches a partner's delivery to SFTP into an upload directory of its own through
/// the admin API, so tests never see each other's files.
/// </summary>
public sealed class DeliveryEnvironment(MariaDbFixture database) : IAsyncLifetime
{
    public const int MaxDeliveryAttempts = 2;
    public const double RetryBaseDelaySeconds = 0.2;

    // Enough rows for every report in the test periods; a smaller seed than the collection's keeps start-up quick.
    private const int SeededContracts = 800;

    public MariaDbFixture Database => database;

    public MotoObjectStore ObjectStore { get; } = new();

    public SshdServer Sftp { get; } = new();

    /// <summary>The app host; started by <see cref="InitializeAsync"/>.</summary>
    public ReportingApiFactory App { get; private set; } = null!;

    /// <summary>The connection string of this environment's own database.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>Strings that must never show in a run's record: passphrases, passwords, client secrets, the SFTP login key and password.</summary>
    public IReadOnlyList<string> Secrets { get; private set; } = [];

    public async Task InitializeAsync()
    {
        var databaseName = "delivery_" + Guid.NewGuid().ToString("N")[..8];
        ConnectionString = await database.Server.CreateDatabaseAsync(databaseName);
        await Task.WhenAll(
            MariaDbServer.SeedAsync(ConnectionString, SeededContracts),
            ObjectStore.InitializeAsync(),
            Sftp.InitializeAsync());

        App = new ReportingApiFactory(Settings());
        // Start-up runs the migrations (none pending) and the demo partners' onboarding (their PGP keys).
        App.StartServer();

        Secrets = await CollectSecretsAsync();
    }

    public async Task DisposeAsync()
    {
        App?.Dispose();
        await ObjectStore.DisposeAsync();
        await Sftp.DisposeAsync();
    }

    public Task<HttpClient> ClientForAsync((string Id, string Secret) credentials) => App.CreateClientForAsync(credentials);

    /// <summary>
    /// Points the partner's delivery at a new, empty upload directory on the sshd (through the proxy port when given),
    /// pinned to <paramref name="hostKey"/> (default: the server's real key), and returns the directory. The login is
    /// the server's client key, or with <paramref name="byPassword"/> its password user; either is a reference to a file
    /// in the app's secrets folder.
    /// </summary>
    public async Task<string> DeliverBySftpAsync(int partnerId, string directoryName, string? hostKey = null, int? port = null, bool byPassword = false)
    {
        var directory = Sftp.CreateUploadDirectory($"{directoryName}-{Guid.NewGuid().ToString("N")[..8]}");
        await SetSftpDeliveryAsync(partnerId, directory, hostKey, port, byPassword);
        return directory;
    }

    /// <summary>Sets the partner's SFTP delivery through <c>PUT /v1/admin/partners/{id}/delivery</c> as an operator would.</summary>
    public async Task SetSftpDeliveryAsync(int partnerId, string remoteDirectory, string? hostKey = null, int? port = null, bool byPassword = false)
    {
        using var operatorClient = await ClientForAsync(DemoClients.Operator);
        var request = new
        {
            kind = "Sftp",
            remoteDirectory,
            host = Sftp.Host,
            port = port ?? Sftp.Port,
            user = byPassword ? SshdServer.PasswordUser : Sftp.User,
            hostKey = hostKey ?? Sftp.HostKey,
            privateKeySecret = byPassword ? null : SshdServer.PrivateKeySecret,
            passwordSecret = byPassword ? SshdServer.PasswordSecret : null,
        };
        using var response = await operatorClient.PutAsJsonAsync($"/v1/admin/partners/{partnerId}/delivery", request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Setting the delivery of partner {partnerId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var partner = (await response.Content.ReadFromJsonAsync<PartnerResponse>())!;
        Assert.Equal(DeliveryKind.Sftp, partner.Delivery?.Kind);
        Assert.Equal(remoteDirectory, partner.Delivery?.RemoteDirectory);
    }

    private Dictionary<string, string?> Settings()
    {
        var settings = new Dictionary<string, string?>(ObjectStore.CreateConfiguration())
        {
            [$"{DatabaseOptions.Section}:{nameof(DatabaseOptions.Provider)}"] = nameof(DatabaseProvider.MySql),
            [$"{DatabaseOptions.Section}:{nameof(DatabaseOptions.ConnectionString)}"] = ConnectionString,
            // Seeded above; the app must not generate data of its own.
            [$"{DemoDataOptions.Section}:{nameof(DemoDataOptions.DemoDataContracts)}"] = "0",
            [$"{DemoOnboardingOptions.Section}:{nameof(DemoOnboardingOptions.Enabled)}"] = "true",
            [$"{RunsOptions.Section}:{nameof(RunsOptions.MaxDeliveryAttempts)}"] = MaxDeliveryAttempts.ToString(CultureInfo.InvariantCulture),
            [$"{RunsOptions.Section}:{nameof(RunsOptions.RetryBaseDelaySeconds)}"] = RetryBaseDelaySeconds.ToString(CultureInfo.InvariantCulture),
            [$"{RunsOptions.Section}:{nameof(RunsOptions.RetryMaxDelaySeconds)}"] = "1",
            [$"{RunsOptions.Section}:{nameof(RunsOptions.SweepIntervalSeconds)}"] = "0.2",
            [$"{SftpDeliveryOptions.Section}:{nameof(SftpDeliveryOptions.ConnectTimeout)}"] = "00:00:10",
            [$"{SftpDeliveryOptions.Section}:{nameof(SftpDeliveryOptions.IdleTimeout)}"] = "00:00:30",
            // The SFTP logins are files of the test sshd, read through the app's secret source (Files).
            [$"{SecretsOptions.Section}:{nameof(SecretsOptions.FolderPath)}"] = Sftp.SecretsFolder,
        };
        return settings;
    }

    private async Task<IReadOnlyList<string>> CollectSecretsAsync()
    {
        var secrets = new List<string>
        {
            new MySqlConnectionStringBuilder(ConnectionString).Password,
            TestPgpKeys.CompanyPassphrase,
            ObjectStore.Server.AppCredentials.GetCredentials().SecretKey,
            DemoClients.Acme.Secret,
            DemoClients.Northwind.Secret,
            DemoClients.Contoso.Secret,
            DemoClients.Operator.Secret,
            Sftp.Password,
        };

        // The partners' passphrases, as DemoOnboarding wrote them.
        foreach (var path in Directory.GetFiles(TestPgpKeys.DemoKeysFolder, "*.passphrase"))
        {
            secrets.Add((await File.ReadAllTextAsync(path)).Trim());
        }

        // The SFTP login key: every line of its body (a reason quoting any part of it leaks it).
        secrets.AddRange((await File.ReadAllLinesAsync(Sftp.PrivateKeyPath))
            .Where(line => line.Length > 0 && !line.StartsWith("-----", StringComparison.Ordinal)));
        return secrets.Where(secret => secret.Length >= 6).Distinct().ToList();
    }
}
