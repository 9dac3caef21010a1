using System.Data.Common;
using ReportingApi.TestSupport;

namespace ReportingApi.IntegrationTests.Infrastructure;

/// <summary>
/// The MariaDB of <see cref="MariaDbCollectionDefinition"/>: a private <see cref="MariaDbServer"/>, started once, with one
/// database migrated by the app's scripts and seeded with <see cref="SeededContracts"/> generated contracts and the demo
/// partners, so tests compare the app's output with what is really stored.
/// </summary>
public sealed class MariaDbFixture : IAsyncLifetime
{
    public const int SeededContracts = 3_000;
    public const string DatabaseName = "reporting";

    private MariaDbServer? _server;

    /// <summary>The server, to stop and restart it in tests of what happens while the database is down.</summary>
    public MariaDbServer Server => _server ?? throw new InvalidOperationException("The fixture has not been initialized.");

    /// <summary>Connection string of the seeded database, as the app uses it.</summary>
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _server = await MariaDbServer.StartAsync();
        try
        {
            ConnectionString = await _server.CreateDatabaseAsync(DatabaseName);
            await MariaDbServer.SeedAsync(ConnectionString, SeededContracts);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
    }

    /// <summary>A connection to the seeded database through the app's own factory.</summary>
    public Task<DbConnection> OpenConnectionAsync() => MariaDbServer.ConnectionFactory(ConnectionString).OpenAsync();
}
