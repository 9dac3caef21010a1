using Lambda.Hosting.Events;
using Lambda.Hosting.RuntimeApi;
using ReportingApi.Data;

namespace ReportingApi.Hosting;

/// <summary>
/// Applies pending migrations when deploy/deploy.sh invokes the function with <c>{"kind": "migrate"}</c> after a
/// deployment, so that no cold start waits for them (on Lambda <c>Database:MigrateOnStart</c> is false).
/// </summary>
public sealed class MigrationInvocationHandler(MigrationRunner migrations, ILogger<MigrationInvocationHandler> logger)
    : ILambdaEventHandler<AppInvocation>
{
    /// <summary>The app invocation kind this handler is registered under.</summary>
    public const string Kind = "migrate";

    public async Task<object?> HandleAsync(AppInvocation lambdaEvent, LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        var applied = await migrations.MigrateAsync(cancellationToken);
        logger.LogInformation("Applied {Count} migrations from a '{Kind}' invocation", applied, Kind);
        return new MigrationInvocationResult(applied, MigrationRunner.EmbeddedVersions()[^1]);
    }
}

/// <summary>The invocation's response: how many migrations it applied, and the schema version the database is now at.</summary>
public sealed record MigrationInvocationResult(int Applied, int SchemaVersion);
