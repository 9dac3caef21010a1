using Dapper;
using Microsoft.Extensions.DependencyInjection;
using MySql.Data.MySqlClient;
using ReportingApi.Data;
using ReportingApi.IntegrationTests.Infrastructure;

namespace ReportingApi.IntegrationTests.Reports;

/// <summary>
/// Connections from the app's factory read MariaDB's packets through a buffer (MySql.Data 8.0.16 would otherwise make
/// two receive calls per row), and results larger than the buffer, many small rows and a reused pooled connection all
/// read correctly through it.
/// </summary>
[Collection(MariaDbCollectionDefinition.Name)]
public sealed class MySqlReadBufferTests(MariaDbAppFactory app) : IClassFixture<MariaDbAppFactory>
{
    [Fact]
    public async Task Factory_connections_read_through_the_buffer_and_every_row_arrives_intact()
    {
        Assert.True(MySqlReadBuffer.IsSupported, "MySql.Data no longer has the fields the read buffer is put into.");
        var connections = app.Services.GetRequiredService<DbConnectionFactory>();

        for (var use = 0; use < 2; use++)
        {
            // The second connection comes from the pool: it keeps the one buffer it has, and still reads correctly.
            await using var connection = await connections.OpenAsync();
            var buffer = ReadBuffer((MySqlConnection)connection);
            Assert.True(buffer is { BufferSize: MySqlReadBuffer.BufferBytes }, "The factory's connection reads without the buffer.");
            Assert.True(MySqlReadBuffer.Apply((MySqlConnection)connection));
            Assert.Same(buffer, ReadBuffer((MySqlConnection)connection));

            // Many small rows, then one value far larger than the buffer: packet boundaries fall anywhere in it.
            var numbers = (await connection.QueryAsync<long>("SELECT seq FROM seq_1_to_50000")).ToList();
            Assert.Equal(Enumerable.Range(1, 50000).Select(n => (long)n), numbers);
            var large = await connection.ExecuteScalarAsync<string>("SELECT REPEAT('Müller-', 100000)");
            Assert.Equal(string.Concat(Enumerable.Repeat("Müller-", 100000)), large);
            Assert.Equal(MariaDbFixture.SeededContracts, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM contracts"));
        }
    }

    private static BufferedStream? ReadBuffer(MySqlConnection connection)
    {
        const System.Reflection.BindingFlags Instance = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic;
        var driver = typeof(MySqlConnection).GetField("driver", Instance)!.GetValue(connection)!;
        var handler = driver.GetType().GetField("handler", Instance)!.GetValue(driver)!;
        var stream = handler.GetType().GetField("stream", Instance)!.GetValue(handler)!;
        var input = stream.GetType().GetField("inStream", Instance)!.GetValue(stream);
        return input as BufferedStream;
    }
}
