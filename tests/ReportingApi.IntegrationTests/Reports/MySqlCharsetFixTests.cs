using Dapper;
using Microsoft.Extensions.DependencyInjection;
using ReportingApi.Data;
using ReportingApi.IntegrationTests.Infrastructure;

namespace ReportingApi.IntegrationTests.Reports;

/// <summary>
/// MySql.Data 8.0.16 throws on the <c>utf8mb3</c> metadata MariaDB sends for server variables, SHOW WARNINGS and
/// information_schema, and then corrupts the connection. Connections from the app's factory must handle all three
/// and stay usable.
/// </summary>
[Collection(MariaDbCollectionDefinition.Name)]
public sealed class MySqlCharsetFixTests(MariaDbAppFactory app) : IClassFixture<MariaDbAppFactory>
{
    [Fact]
    public async Task Utf8mb3_metadata_queries_work_and_the_connection_stays_usable()
    {
        var connections = app.Services.GetRequiredService<DbConnectionFactory>();
        Assert.Equal(DatabaseProvider.MySql, connections.Provider);
        await using var connection = await connections.OpenAsync();

        // The server really speaks utf8mb3 for its metadata, so this test exercises the case the fix is for.
        Assert.Equal("utf8mb3", await connection.ExecuteScalarAsync<string>("SELECT @@character_set_system"));

        var version = await connection.ExecuteScalarAsync<string>("SELECT @@version");
        Assert.Contains("MariaDB", version, StringComparison.Ordinal);

        // CAST of a non-number gives a truncation warning, which SHOW WARNINGS reports in utf8mb3 columns.
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT CAST('not a number' AS SIGNED)"));
        var warnings = (await connection.QueryAsync("SHOW WARNINGS")).Select(row => (IDictionary<string, object>)row).ToList();
        Assert.Contains(warnings, warning => (string)warning["Level"] == "Warning" && ((string)warning["Message"]).Contains("not a number", StringComparison.Ordinal));

        var columns = (await connection.QueryAsync<(string Name, string CharacterSet)>(
            "SELECT COLUMN_NAME, CHARACTER_SET_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'employers' AND DATA_TYPE = 'varchar' ORDER BY ORDINAL_POSITION")).ToList();
        Assert.Equal(["name", "vat_id", "city"], columns.Select(column => column.Name));
        Assert.All(columns, column => Assert.Equal("utf8mb4", column.CharacterSet));

        // Still usable: real data, with non-ASCII text intact.
        Assert.Equal(MariaDbFixture.SeededContracts, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM contracts"));
        Assert.True(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM employees WHERE last_name = 'Müller'") > 0);
    }
}
