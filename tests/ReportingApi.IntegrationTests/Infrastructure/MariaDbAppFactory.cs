using ReportingApi.Data;
using ReportingApi.TestSupport;

namespace ReportingApi.IntegrationTests.Infrastructure;

/// <summary>
/// The app (<see cref="ReportingApiFactory"/>: Development, local token endpoint) on the collection's MariaDB, which the
/// fixture has already migrated and seeded. Use as a class fixture in <see cref="MariaDbCollectionDefinition"/>.
/// </summary>
public sealed class MariaDbAppFactory(MariaDbFixture database) : ReportingApiFactory(new Dictionary<string, string?>
{
    [$"{DatabaseOptions.Section}:{nameof(DatabaseOptions.Provider)}"] = nameof(DatabaseProvider.MySql),
    [$"{DatabaseOptions.Section}:{nameof(DatabaseOptions.ConnectionString)}"] = database.ConnectionString,
    // The fixture has seeded the database; the app must not generate data of its own.
    [$"{DatabaseOptions.Section}:{nameof(DatabaseOptions.DemoDataContracts)}"] = "0",
})
{
    public MariaDbFixture Database => database;
}
