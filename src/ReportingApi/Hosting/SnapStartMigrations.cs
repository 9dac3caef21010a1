using Lambda.Hosting.SnapStart;
using ReportingApi.Data;

namespace ReportingApi.Hosting;

/// <summary>
/// Applies pending migrations before the SnapStart snapshot, that is when a version is published, at deploy: the
/// <see cref="AppSnapStartHooks"/> that run next, and every request the version serves, need the schema it was built
/// for, and no restored instance then pays for migrations.
/// </summary>
public sealed class SnapStartMigrations(MigrationRunner migrations, ILogger<SnapStartMigrations> logger) : ILambdaSnapStartHooks
{
    public async Task BeforeSnapshotAsync(CancellationToken cancellationToken)
    {
        var applied = await migrations.MigrateAsync(cancellationToken);
        logger.LogInformation("SnapStart warm-up: applied {Count} pending migrations.", applied);
    }

    public Task AfterRestoreAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
