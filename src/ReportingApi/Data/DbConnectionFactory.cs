using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using MySql.Data.MySqlClient;

namespace ReportingApi.Data;

/// <summary>Opens connections to the configured database; the only place that knows the providers.</summary>
public sealed class DbConnectionFactory
{
    private readonly string _connectionString;

    public DbConnectionFactory(IOptions<DatabaseOptions> options, IHostEnvironment environment)
    {
        Provider = options.Value.Provider;
        CommandTimeoutSeconds = options.Value.CommandTimeoutSeconds;
        _connectionString = Provider == DatabaseProvider.Sqlite
            ? ResolveSqlitePath(options.Value.ConnectionString, environment.ContentRootPath)
            : options.Value.ConnectionString;
        if (Provider == DatabaseProvider.MySql)
        {
            MySqlCharsetFix.Apply();
        }
    }

    public DatabaseProvider Provider { get; }

    public int CommandTimeoutSeconds { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        DbConnection connection = Provider switch
        {
            DatabaseProvider.MySql => new MySqlConnection(_connectionString),
            _ => new SqliteConnection(_connectionString),
        };
        try
        {
            // MySql.Data 8.0.16 throws NullReferenceException when a token cancels; it opens synchronously anyway.
            await connection.OpenAsync(Provider == DatabaseProvider.MySql ? CancellationToken.None : cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static string ResolveSqlitePath(string connectionString, string contentRoot)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.Mode != SqliteOpenMode.Memory && !Path.IsPathRooted(builder.DataSource) && builder.DataSource.Length > 0)
        {
            builder.DataSource = Path.GetFullPath(Path.Combine(contentRoot, builder.DataSource));
        }

        if (builder.DataSource.Length > 0 && builder.Mode != SqliteOpenMode.Memory)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(builder.DataSource)!);
        }

        builder.Pooling = true;
        return builder.ToString();
    }
}
