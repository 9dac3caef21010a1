using Microsoft.Data.Sqlite;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Api;

/// <summary>One app on a fresh SQLite file with generated demo data, shared by a test class.</summary>
public sealed class SqliteApiFixture : IDisposable
{
    public const int Contracts = 1_500;

    private readonly string _folder = Directory.CreateTempSubdirectory("reportingapi-tests-").FullName;

    public SqliteApiFixture()
    {
        DatabasePath = Path.Combine(_folder, "reports.db");
        Factory = new ReportingApiFactory(Settings(DatabasePath));
        Factory.Server.PreserveExecutionContext = true;
    }

    public string DatabasePath { get; }

    public ReportingApiFactory Factory { get; }

    public static Dictionary<string, string?> Settings(string databasePath) => new()
    {
        ["Database:Provider"] = "Sqlite",
        ["Database:ConnectionString"] = $"Data Source={databasePath}",
        ["Database:DemoDataContracts"] = Contracts.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public SqliteConnection OpenDatabase()
    {
        var connection = new SqliteConnection($"Data Source={DatabasePath}");
        connection.Open();
        return connection;
    }

    public Task<HttpClient> ClientForAsync((string Id, string Secret) credentials, string? scope = null) =>
        Factory.CreateClientForAsync(credentials, scope);

    public void Dispose()
    {
        Factory.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
