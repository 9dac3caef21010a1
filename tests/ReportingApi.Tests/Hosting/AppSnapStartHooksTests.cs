using System.Collections.Concurrent;
using Amazon.Runtime;
using Lambda.Hosting.SnapStart;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ReportingApi.Aws;
using ReportingApi.Data;
using ReportingApi.Demo;
using ReportingApi.Hosting;
using ReportingApi.Partners;
using ReportingApi.Pgp;
using ReportingApi.Reports.Rendering;
using ReportingApi.Runs;
using ReportingApi.Secrets;
using ReportingApi.Tests.Secrets;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Hosting;

/// <summary>
/// The app's SnapStart hooks on SQLite demo data, with the company key in Secrets Manager on moto. Pools are observed
/// through the process's open files (a pooled SQLite connection keeps the database file open); MySQL's pool is observed
/// on the server in the integration tests (DatabasePasswordRotationTests).
/// </summary>
public sealed class AppSnapStartHooksTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reportingapi-snapstart-").FullName;
    private readonly ConcurrentQueue<string> _logMessages = new();
    private MotoSecretsManager _secrets = null!;
    private string _keyArn = "";
    private string _passphraseArn = "";
    private IHost _host = null!;

    private string DatabasePath => Path.Combine(_folder, "snapstart.db");

    public async Task InitializeAsync()
    {
        _secrets = await MotoSecretsManager.StartAsync();
        _keyArn = await _secrets.CreateAsync("pgp/secret-key", TestPgpKeys.Company.ArmoredSecretKey);
        _passphraseArn = await _secrets.CreateAsync("pgp/passphrase", TestPgpKeys.CompanyPassphrase);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production, ContentRootPath = _folder });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = $"Data Source={DatabasePath}",
            ["Database:DemoDataContracts"] = "200",
            ["Secrets:Provider"] = "SecretsManager",
            ["Pgp:SecretKeySecretArn"] = _keyArn,
            ["Pgp:PassphraseSecretArn"] = _passphraseArn,
            ["Pgp:SecretKeyPath"] = "unused.asc",
            ["Pgp:PassphrasePath"] = "unused.txt",
        });
        builder.Services.AddData().AddPartners().AddPgp().AddRendering().AddDemo().AddAppSnapStartHooks();
        builder.Services.AddSingleton(_secrets.CreateClient());
        builder.Logging.ClearProviders().AddProvider(new CollectingLoggerProvider(_logMessages));
        _host = builder.Build();
        await _host.Services.GetRequiredService<MigrationRunner>().MigrateAsync();
        await _host.Services.GetRequiredService<DemoSetup>().SeedIfEmptyAsync(default);
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task RunAsync(Func<ILambdaSnapStartHooks, Task> phase)
    {
        // As the bridge does: each phase in a scope of its own.
        await using var scope = _host.Services.CreateAsyncScope();
        await phase(Assert.Single(scope.ServiceProvider.GetServices<ILambdaSnapStartHooks>()));
    }

    private bool PartnerIsCached(string clientId) => _host.Services.GetRequiredService<IMemoryCache>().TryGetValue(("partner", clientId), out _);

    /// <summary>
    /// Opens and closes a connection, which stays in the pool; true once the database file is seen open. Other tests
    /// clear SQLite's pools (all of them) when they finish, so a few tries.
    /// </summary>
    private async Task<bool> PoolAConnectionAsync()
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await using (await _host.Services.GetRequiredService<DbConnectionFactory>().OpenAsync())
            {
            }

            if (OpenDatabaseFiles() > 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Open descriptors of this process on the database file (or its journal).</summary>
    private int OpenDatabaseFiles() => Directory.EnumerateFiles("/proc/self/fd")
        .Select(fd => new FileInfo(fd).LinkTarget)
        .Count(target => target is not null && target.StartsWith(DatabasePath, StringComparison.Ordinal));

    [Fact]
    public async Task Before_the_snapshot_the_hooks_warm_up_then_leave_no_pooled_connection()
    {
        Assert.True(await PoolAConnectionAsync(), "A closed connection should stay pooled, with the file open, before the hook runs.");
        var activeClientIds = DemoPartners.All.Select(p => p.ClientId).ToList();
        Assert.DoesNotContain(activeClientIds, PartnerIsCached);

        await RunAsync(hooks => hooks.BeforeSnapshotAsync(CancellationToken.None));

        Assert.All(activeClientIds, clientId => Assert.True(PartnerIsCached(clientId), clientId));
        Assert.Equal(0, OpenDatabaseFiles());
        Assert.Equal([_passphraseArn, _keyArn], _secrets.RequestedIds);
        IReadOnlyList<string> messages = [.. _logMessages];
        Assert.Contains("SnapStart warm-up: opened a Sqlite database connection and closed it.", messages);
        Assert.Contains($"SnapStart warm-up: loaded {activeClientIds.Count} active partners into the partner registry.", messages);
        Assert.Contains($"SnapStart warm-up: the company OpenPGP key {TestPgpKeys.Company.Fingerprint} is loaded (from SecretsManager).", messages);
        Assert.Contains("SnapStart warm-up: rendered a one-row report as csv, xlsx, json.", messages);
        Assert.Contains("SnapStart warm-up: cleared the database connection pools, so that the snapshot holds no connection.", messages);
    }

    [Fact]
    public async Task After_the_restore_cached_secrets_warmed_partners_and_pooled_connections_are_gone()
    {
        var secrets = _host.Services.GetRequiredService<ISecretSource>();
        await RunAsync(hooks => hooks.BeforeSnapshotAsync(CancellationToken.None));
        await secrets.GetSecretAsync(_keyArn, CancellationToken.None);
        Assert.Single(_secrets.RequestedIds, _keyArn);
        Assert.True(await PoolAConnectionAsync());

        await RunAsync(hooks => hooks.AfterRestoreAsync(CancellationToken.None));

        Assert.Equal(0, OpenDatabaseFiles());
        Assert.DoesNotContain(DemoPartners.All, partner => PartnerIsCached(partner.ClientId));
        await secrets.GetSecretAsync(_keyArn, CancellationToken.None);
        Assert.Equal(2, _secrets.RequestedIds.Count(id => id == _keyArn));
        IReadOnlyList<string> messages = [.. _logMessages];
        Assert.Contains("SnapStart restore: cleared the database connection pools (connections in a snapshot are dead).", messages);
        Assert.Contains("SnapStart restore: dropped the cached secrets (SecretsManager); they are read again on next use.", messages);
        Assert.Contains("SnapStart restore: dropped the resolved AWS credentials; they are resolved again on next use.", messages);
        Assert.Contains($"SnapStart restore: dropped {DemoPartners.All.Count} cached partners from the partner registry.", messages);
        Assert.DoesNotContain(messages, m => m.Contains(TestPgpKeys.CompanyPassphrase, StringComparison.Ordinal) || m.Contains("PGP PRIVATE KEY", StringComparison.Ordinal));
    }

    [Fact]
    public async Task After_the_restore_aws_credentials_are_resolved_anew()
    {
        var resolutions = 0;
        var credentials = new DefaultChainCredentials(() => new BasicAWSCredentials($"AKIDRESOLVED{Interlocked.Increment(ref resolutions):D8}", "secret"));
        var beforeSnapshot = credentials.GetCredentials().AccessKey;
        Assert.Equal(beforeSnapshot, (await credentials.GetCredentialsAsync()).AccessKey);
        Assert.Equal(1, resolutions);

        await RunAsync(hooks => hooks.AfterRestoreAsync(CancellationToken.None));

        var afterRestore = credentials.GetCredentials().AccessKey;
        Assert.NotEqual(beforeSnapshot, afterRestore);
        Assert.Equal(afterRestore, credentials.GetCredentials().AccessKey);
    }

    [Fact]
    public void The_hooks_are_registered_with_the_lambda_wiring_only()
    {
        static bool HasAppHooks(bool onLambda)
        {
            var services = new ServiceCollection();
            services.AddRuns();
            if (onLambda)
            {
                services.AddLambdaWiring();
            }
            else
            {
                services.AddRunWorker();
            }

            return services.Any(d => d.ServiceType == typeof(ILambdaSnapStartHooks) && d.ImplementationType == typeof(AppSnapStartHooks));
        }

        Assert.True(HasAppHooks(onLambda: true));
        Assert.False(HasAppHooks(onLambda: false));
    }

    private sealed class CollectingLoggerProvider(ConcurrentQueue<string> messages) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Collector(messages);

        public void Dispose()
        {
        }

        private sealed class Collector(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue(formatter(state, exception));
        }
    }
}
