using System.Data.Common;
using System.Globalization;
using System.Reflection;
using Dapper;

namespace ReportingApi.Data;

/// <summary>
/// Applies the embedded <c>Data/Migrations/NNNN_name.sql</c> scripts in order, each once, recording them in
/// <c>schema_migrations</c>. Scripts use the SQL that MySQL/MariaDB and SQLite share, so one set serves both.
/// </summary>
public sealed class MigrationRunner(DbConnectionFactory connections, ILogger<MigrationRunner> logger)
{
    private const string ResourcePrefix = "ReportingApi.Data.Migrations.";

    public static IReadOnlyList<(int Version, string Name, string Sql)> LoadScripts()
    {
        var assembly = typeof(MigrationRunner).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name =>
            {
                var fileName = name[ResourcePrefix.Length..^".sql".Length];
                var version = int.Parse(fileName[..fileName.IndexOf('_', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
                return (version, fileName, ReadResource(assembly, name));
            })
            .OrderBy(script => script.version)
            .ToList();
    }

    /// <summary>The versions of the embedded scripts, from their resource names alone (nothing is read).</summary>
    public static IReadOnlyList<int> EmbeddedVersions() =>
        typeof(MigrationRunner).Assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name => int.Parse(name.AsSpan(ResourcePrefix.Length, name.IndexOf('_', ResourcePrefix.Length) - ResourcePrefix.Length), CultureInfo.InvariantCulture))
            .Order()
            .ToList();

    public async Task<int> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INT NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at VARCHAR(40) NOT NULL)");
        var applied = (await connection.QueryAsync<int>("SELECT version FROM schema_migrations")).ToHashSet();

        var count = 0;
        foreach (var (version, name, sql) in LoadScripts().Where(script => !applied.Contains(script.Version)))
        {
            logger.LogInformation("Applying migration {Version} {Name}", version, name);
            await ApplyAsync(connection, version, name, sql);
            count++;
        }

        return count;
    }

    /// <summary>
    /// Where migrations are applied elsewhere (on Lambda, at deploy): one query for the versions applied; the embedded
    /// versions not among them, or all of them when the database has no migrations table yet.
    /// </summary>
    public async Task<IReadOnlyList<int>> PendingVersionsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var tables = await connection.QueryAsync<string>(
            connections.Provider == DatabaseProvider.Sqlite
                ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
                : "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'schema_migrations'");
        var applied = tables.Any()
            ? (await connection.QueryAsync<int>(new CommandDefinition("SELECT version FROM schema_migrations", cancellationToken: cancellationToken))).ToHashSet()
            : [];
        return EmbeddedVersions().Where(version => !applied.Contains(version)).ToList();
    }

    /// <summary>Logs an error when <see cref="PendingVersionsAsync"/> finds migrations not applied, or cannot tell; never throws.</summary>
    public async Task WarnIfBehindAsync(CancellationToken cancellationToken)
    {
        try
        {
            var pending = await PendingVersionsAsync(cancellationToken);
            if (pending.Count > 0)
            {
                logger.LogError("The database lacks migrations {Versions}; this version of the app needs them. Apply them with the deploy-time migration (README: Deploy to AWS).", pending);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogError(exception, "Could not check the database's migrations.");
        }
    }

    private static async Task ApplyAsync(DbConnection connection, int version, string name, string sql)
    {
        // SQLite runs DDL inside the transaction; MySQL commits DDL implicitly, so there the version row is the
        // last statement and a half-applied script shows up as a failed start, not a silently skipped one.
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var statement in SplitStatements(sql))
        {
            await connection.ExecuteAsync(statement, transaction: transaction);
        }

        await connection.ExecuteAsync(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @appliedAt)",
            new { version, name, appliedAt = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture) },
            transaction);
        await transaction.CommitAsync();
    }

    internal static IEnumerable<string> SplitStatements(string sql)
    {
        var withoutComments = string.Join('\n', sql.Split('\n').Where(line => !line.TrimStart().StartsWith("--", StringComparison.Ordinal)));
        return withoutComments.Split(';').Select(statement => statement.Trim()).Where(statement => statement.Length > 0);
    }

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
