using ReportingApi.Data;
using ReportingApi.Demo;
using ReportingApi.TestSupport;

namespace ReportingApi.IntegrationTests.Infrastructure;

/// <summary>
/// The app (<see cref="ReportingApiFactory"/>: Development, local token endpoint) on the collection's MariaDB, which the
/// fixture has already migrated and seeded. Use as a class fixture in <see cref="MariaDbCollectionDefinition"/>.
/// </summary>
public sealed class MariaDbAppFactory(MariaDbFixture database) : ReportingApiFactory(Settings(database.ConnectionString))
{
    public MariaDbFixture Database => database;

    /// <summary>The app's settings for a database that the test has already seeded: the app must not generate data of its own.</summary>
    public static Dictionary<string, string?> Settings(string connectionString) => new()
    {
        [$"{DatabaseOptions.Section}:{nameof(DatabaseOptions.Provider)}"] = nameof(DatabaseProvider.MySql),
        [$"{DatabaseOptions.Section}:{nameof(DatabaseOptions.ConnectionString)}"] = connectionString,
        [$"{DemoDataOptions.Section}:{nameof(DemoDataOptions.DemoDataContracts)}"] = "0",
    };
}
