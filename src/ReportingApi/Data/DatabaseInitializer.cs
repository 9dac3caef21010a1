using Microsoft.Extensions.Options;
using ReportingApi.Demo;

namespace ReportingApi.Data;

/// <summary>
/// Brings the database up to date before the app takes requests: migrations, then demo data if configured.
/// Program awaits it before <c>Run</c>, because hosted services may start after Kestrel already listens.
/// </summary>
public sealed class DatabaseInitializer(
    MigrationRunner migrations,
    DbConnectionFactory connections,
    IOptions<DatabaseOptions> options,
    ILogger<DatabaseInitializer> logger)
{
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (options.Value.MigrateOnStart)
        {
            await migrations.MigrateAsync(cancellationToken);
        }

        if (options.Value.DemoDataContracts <= 0)
        {
            return;
        }

        await using var connection = await connections.OpenAsync(cancellationToken);
        if (await DemoDataSeeder.IsEmptyAsync(connection))
        {
            logger.LogInformation("Generating demo data: {Contracts} contracts", options.Value.DemoDataContracts);
            await DemoDataSeeder.SeedAsync(connection, new DemoDataGenerator(options.Value.DemoDataContracts), DemoPartners.All, cancellationToken);
        }
    }
}
