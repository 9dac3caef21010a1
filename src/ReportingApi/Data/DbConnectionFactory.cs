using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MySqlConnector;
using ReportingApi.Secrets;

namespace ReportingApi.Data;

/// <summary>
/// Opens connections to the configured database; the only place that knows the providers. A MySQL password kept in a
/// secret (<see cref="DatabaseOptions.PasswordSecretArn"/>, <see cref="DatabaseOptions.PasswordPath"/>) is read through
/// the <see cref="ISecretSource"/> (which caches it) and put into the connection string, which is never logged.
/// </summary>
public sealed class DbConnectionFactory
{
    private readonly string _connectionString;
    private readonly ISecretSource _secrets;
    private readonly DatabasePasswordSecret? _passwordSecret;
    private readonly ILogger _logger;
    private SecretConnectionString? _lastBuilt;

    /// <summary>Without a logger; a password secret is read from a file.</summary>
    public DbConnectionFactory(IOptions<DatabaseOptions> options, IHostEnvironment environment)
        : this(options, environment, new FileSecretSource(environment), NullLogger<DbConnectionFactory>.Instance)
    {
    }

    public DbConnectionFactory(IOptions<DatabaseOptions> options, IHostEnvironment environment, ISecretSource secrets, ILogger<DbConnectionFactory> logger)
    {
        Provider = options.Value.Provider;
        CommandTimeoutSeconds = options.Value.CommandTimeoutSeconds;
        _secrets = secrets;
        _logger = logger;
        _passwordSecret = DatabasePasswordSecret.From(options.Value, secrets.Provider);
        _connectionString = Provider == DatabaseProvider.Sqlite
            ? ResolveSqlitePath(options.Value.ConnectionString, environment.ContentRootPath)
            : options.Value.ConnectionString;
    }

    public DatabaseProvider Provider { get; }

    public int CommandTimeoutSeconds { get; }

    /// <summary>
    /// An open connection. With a password secret, a refused MySQL login (error 1045) reads the secret once more, past
    /// its cache, and tries again if it changed: a rotated password is picked up without a restart.
    /// </summary>
    /// <exception cref="DatabaseSecretException">The password secret cannot be read, or holds no password.</exception>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        if (Provider != DatabaseProvider.MySql)
        {
            return await OpenConnectionAsync(new SqliteConnection(_connectionString), cancellationToken);
        }

        if (_passwordSecret is null)
        {
            return await OpenConnectionAsync(new MySqlConnection(_connectionString), cancellationToken);
        }

        var connectionString = await ConnectionStringWithPasswordAsync(_passwordSecret, cancellationToken);
        try
        {
            return await OpenConnectionAsync(new MySqlConnection(connectionString), cancellationToken);
        }
        catch (MySqlException exception) when (exception.ErrorCode == MySqlErrorCode.AccessDenied)
        {
            _logger.LogWarning("MySQL refused the login (error {MySqlError}); reading the password secret ({PasswordSecret}) again in case it was rotated.",
                exception.Number, _passwordSecret.Describe());
            _secrets.Forget(_passwordSecret.Reference);
            var reread = await ConnectionStringWithPasswordAsync(_passwordSecret, cancellationToken);
            if (string.Equals(reread, connectionString, StringComparison.Ordinal))
            {
                throw;
            }

            return await OpenConnectionAsync(new MySqlConnection(reread), cancellationToken);
        }
    }

    /// <summary>The connection string <see cref="OpenAsync"/> would use now, password included (tests look at it; never log it).</summary>
    internal Task<string> ConnectionStringAsync(CancellationToken cancellationToken) =>
        _passwordSecret is null ? Task.FromResult(_connectionString) : ConnectionStringWithPasswordAsync(_passwordSecret, cancellationToken);

    /// <summary>
    /// Closes the idle pooled connections of both providers, e.g. so that none is kept in a SnapStart snapshot, where
    /// they would be dead on restore. Connections in use are closed when they are returned.
    /// </summary>
    public void ClearPools()
    {
        if (Provider == DatabaseProvider.MySql)
        {
            MySqlConnection.ClearAllPools();
        }
        else
        {
            SqliteConnection.ClearAllPools();
        }
    }

    private static async Task<DbConnection> OpenConnectionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task<string> ConnectionStringWithPasswordAsync(DatabasePasswordSecret secret, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await _secrets.GetSecretAsync(secret.Reference, cancellationToken);
        }
        catch (SecretSourceException exception)
        {
            throw new DatabaseSecretException($"The database password ({secret.Describe()}) cannot be read: {exception.Message}", exception);
        }

        // The secret changes only on rotation: the built string is reused until then, not rebuilt per connection.
        var last = Volatile.Read(ref _lastBuilt);
        if (last is not null && string.Equals(last.SecretText, text, StringComparison.Ordinal))
        {
            return last.ConnectionString;
        }

        var (userName, password) = secret.Read(text);
        var builder = new MySqlConnectionStringBuilder(_connectionString) { Password = password };
        if (userName is not null)
        {
            builder.UserID = userName;
        }

        var built = new SecretConnectionString(text, builder.ConnectionString);
        Volatile.Write(ref _lastBuilt, built);
        return built.ConnectionString;
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

    private sealed record SecretConnectionString(string SecretText, string ConnectionString)
    {
        // A record's generated ToString would print the password.
        public override string ToString() => nameof(SecretConnectionString);
    }
}
