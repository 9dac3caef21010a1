using System.Net;
using System.Net.Sockets;
using Dapper;
using Microsoft.Data.Sqlite;
using MySqlConnector;
using ReportingApi.Data;

namespace ReportingApi.Tests.Data;

/// <summary>
/// What counts as "the database is unavailable" (503, a retried run step, not ready) and what does not (a bug: 500, a
/// failed run). The errors are the drivers' own, made by real failures where one can be had without a server.
/// </summary>
public sealed class DatabaseFailuresTests
{
    [Fact]
    public async Task A_MySQL_server_that_cannot_be_reached_is_unavailable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var connection = new MySqlConnection($"Server=127.0.0.1;Port={port};User ID=nobody;Password=x;Connection Timeout=2;Pooling=false");

        var error = await Assert.ThrowsAsync<MySqlException>(() => connection.OpenAsync());

        Assert.True(DatabaseFailures.IsUnavailable(error), error.ToString());
    }

    [Fact]
    public async Task A_SQLite_file_that_cannot_be_opened_is_unavailable_and_bad_SQL_is_not()
    {
        var missingFolder = Path.Combine(Path.GetTempPath(), "reportingapi-" + Guid.NewGuid().ToString("N"), "none", "db.sqlite");
        await using (var unopenable = new SqliteConnection($"Data Source={missingFolder};Mode=ReadOnly;Pooling=False"))
        {
            var cannotOpen = await Assert.ThrowsAsync<SqliteException>(() => unopenable.OpenAsync());
            Assert.True(DatabaseFailures.IsUnavailable(cannotOpen), cannotOpen.ToString());
        }

        await using var memory = new SqliteConnection("Data Source=:memory:");
        await memory.OpenAsync();
        var badSql = await Assert.ThrowsAsync<SqliteException>(() => memory.ExecuteAsync("SELEC 1"));
        Assert.False(DatabaseFailures.IsUnavailable(badSql));
    }

    [Fact]
    public void A_password_secret_that_cannot_be_read_is_unavailable_and_other_exceptions_are_not()
    {
        Assert.True(DatabaseFailures.IsUnavailable(new DatabaseSecretException("The database password cannot be read.")));
        Assert.False(DatabaseFailures.IsUnavailable(new InvalidOperationException("A bug.")));
        Assert.False(DatabaseFailures.IsUnavailable(new TimeoutException()));
        Assert.False(DatabaseFailures.IsUnavailable(new OperationCanceledException()));
    }
}
