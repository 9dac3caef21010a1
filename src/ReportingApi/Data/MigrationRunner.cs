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
