using System.ComponentModel.DataAnnotations;

namespace ReportingApi.Data;

public enum DatabaseProvider
{
    Sqlite,
    MySql,
}

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>ADO.NET connection string. A relative SQLite file path is resolved against the content root.</summary>
    [Required]
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// ARN (or name) of the Secrets Manager secret with the MySQL password, used when <c>Secrets:Provider</c> is
    /// <c>SecretsManager</c>: a plain password (its first line) or RDS's JSON (<c>{"username": ..., "password": ...}</c>,
    /// then the user name is taken from it too). It replaces any password in <see cref="ConnectionString"/>.
    /// </summary>
    public string? PasswordSecretArn { get; set; }

    /// <summary>
    /// File with the MySQL password, in the same forms as <see cref="PasswordSecretArn"/>, used when <c>Secrets:Provider</c>
    /// is <c>Files</c>. A relative path is resolved against the content root.
    /// </summary>
    public string? PasswordPath { get; set; }

    /// <summary>Apply pending migrations at start.</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>Seconds a report query may run before the database gives up.</summary>
    [Range(1, 3600)]
    public int CommandTimeoutSeconds { get; set; } = 600;
}
