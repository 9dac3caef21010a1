using System.Net;
using Dapper;
using ReportingApi.Demo;
using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.Reports;
using ReportingApi.Reports.Rendering;
using ReportingApi.TestSupport;

namespace ReportingApi.IntegrationTests.Reports;

/// <summary>
/// A report that stops before its last row stops its query on MariaDB: the client hangs up mid-download, the run's
/// token is cancelled, or rendering fails. Each time the statement must leave <c>information_schema.PROCESSLIST</c>
/// within 5 s, and MariaDB must have sent less than half the report's rows: read to the end and dropped, they would all
/// have been sent (and on a large enough table the statement would stay for as long as that takes).
/// </summary>
[Collection(MariaDbCollectionDefinition.Name)]
public sealed class QueryCancellationTests(LargeReportApp app) : IClassFixture<LargeReportApp>
{
    private static readonly TimeSpan StopWithin = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_client_that_hangs_up_mid_download_stops_the_query_on_the_server()
    {
        var sentBefore = await app.RowsSentAsync();
        using var client = await app.CreateClientForAsync(DemoClients.Acme);
        using (var response = await client.GetAsync(LargeReportApp.ContractsUrl, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var body = await response.Content.ReadAsStreamAsync();
            Assert.True(await body.ReadAsync(new byte[64 * 1024]) > 0);
            await app.AssertQueryStaysRunningAsync();
        }

        await app.AssertQueryStopsAsync(StopWithin, sentBefore);
    }

    [Fact]
    public async Task A_cancelled_token_stops_the_query_on_the_server()
    {
        var sentBefore = await app.RowsSentAsync();
        using var cancel = new CancellationTokenSource();
        var rows = await app.OpenContractsAsync(cancel.Token);
        await using (rows)
        {
            // The output takes one buffer, then waits for the query to be seen running before the token is cancelled.
            var output = new BlockingStream(async () =>
            {
                await app.AssertQueryStaysRunningAsync();
                await cancel.CancelAsync();
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => rows.RenderAsync(new CsvReportRenderer(), output, cancel.Token));
        }

        await app.AssertQueryStopsAsync(StopWithin, sentBefore);
    }

    [Fact]
    public async Task A_renderer_that_fails_midway_stops_the_query_on_the_server()
    {
        var sentBefore = await app.RowsSentAsync();
        var rows = await app.OpenContractsAsync(CancellationToken.None);
        await using (rows)
        {
            var output = new BlockingStream(async () =>
            {
                await app.AssertQueryStaysRunningAsync();
                throw new IOException("The disk is full.");
            });
            await Assert.ThrowsAsync<IOException>(() => rows.RenderAsync(new CsvReportRenderer(), output, CancellationToken.None));
        }

        await app.AssertQueryStopsAsync(StopWithin, sentBefore);
    }

    /// <summary>Takes the first write; on the second runs <paramref name="onSecondWrite"/> (which waits, then fails or cancels).</summary>
    private sealed class BlockingStream(Func<Task> onSecondWrite) : Stream
    {
        private int _writes;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (++_writes == 2)
            {
                await onSecondWrite();
            }

            cancellationToken.ThrowIfCancellationRequested();
        }

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Asynchronous writes only.");

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

/// <summary>
/// The app on a database of its own on the collection's MariaDB, with <see cref="Contracts"/> contracts (no installments)
/// and every employer assigned to the demo partner Acme: its contracts report is some 40 MB on the wire, far more than the
/// socket buffers hold, so its query is still running while the app has not taken its rows.
/// </summary>
public sealed class LargeReportApp(MariaDbFixture database)
    : ReportingApiFactory(MariaDbAppFactory.Settings(database.Server.ConnectionString(DatabaseName))), IAsyncLifetime
{
    public const int Contracts = 300_000;
    public const string ContractsUrl = "/v1/reports/contracts?format=csv&from=2026-01-01&to=2026-12-31";
    private const string DatabaseName = "large_reports";

    // The app's report queries read partner_employers; the observer's own query names the text too, so it excludes itself.
    private const string RunningReportQuery = """
        SELECT COUNT(*) FROM information_schema.PROCESSLIST
        WHERE DB = @database AND COMMAND = 'Query' AND INFO LIKE '%partner_employers%' AND ID <> CONNECTION_ID()
        """;

    private string ConnectionString => database.Server.ConnectionString(DatabaseName);

    public async Task InitializeAsync()
    {
        await database.Server.CreateDatabaseAsync(DatabaseName);
        await MariaDbServer.MigrateAsync(ConnectionString);
        var generator = new DemoDataGenerator(Contracts);
        await using var connection = await MariaDbServer.ConnectionFactory(ConnectionString).OpenAsync();
        foreach (var table in generator.Tables().Where(table => table.Table != "installments"))
        {
            await BulkLoader.LoadAsync(connection, table);
        }

        var acme = DemoPartners.All[0] with { EmployerIds = Enumerable.Range(1, generator.Employers).ToList() };
        await DemoDataSeeder.AddPartnersAsync(connection, [acme, .. DemoPartners.All.Skip(1).Select(partner => partner with { EmployerIds = [] })]);
    }

    Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;

    /// <summary>Acme's contracts for 2026 through the app's own reader.</summary>
    public Task<ReportRows> OpenContractsAsync(CancellationToken cancellationToken)
    {
        var request = new ReportRequest(ReportCatalog.Contracts, ReportFormat.Csv, new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31), new Dictionary<string, string>());
        return new ReportReader(MariaDbServer.ConnectionFactory(ConnectionString)).OpenAsync(request, DemoPartners.All[0].Id, cancellationToken);
    }

    /// <summary>The report's statement is running, and still is a second later: it waits for the app, not the other way round.</summary>
    public async Task AssertQueryStaysRunningAsync()
    {
        Assert.True(await WaitForRunningAsync(expectRunning: true, TimeSpan.FromSeconds(10)), "The report's query never showed in the process list.");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.True(await RunningAsync() > 0, "The report's query ended by itself; the result is too small to test cancellation.");
    }

    /// <summary>The statement is gone within <paramref name="within"/>, and fewer than half its rows were sent since <paramref name="rowsSentBefore"/>.</summary>
    public async Task AssertQueryStopsAsync(TimeSpan within, long rowsSentBefore)
    {
        Assert.True(await WaitForRunningAsync(expectRunning: false, within), $"The report's query was still running {within.TotalSeconds} s after the report stopped.");
        var sent = await RowsSentAsync() - rowsSentBefore;
        await using var connection = await MariaDbServer.ConnectionFactory(ConnectionString).OpenAsync();
        var reportRows = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM contracts WHERE start_date <= '2026-12-31' AND end_date >= '2026-01-01'");
        Assert.True(sent < reportRows / 2, $"MariaDB sent {sent:N0} rows of the report's {reportRows:N0}: the query ran on after the report stopped.");
    }

    /// <summary>MariaDB's count of rows sent to clients, all sessions together (the collection's tests run one at a time).</summary>
    public async Task<long> RowsSentAsync()
    {
        await using var connection = await MariaDbServer.ConnectionFactory(ConnectionString).OpenAsync();
        var value = await connection.ExecuteScalarAsync<string>("SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'ROWS_SENT'");
        return long.Parse(value!, System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<bool> WaitForRunningAsync(bool expectRunning, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while ((await RunningAsync() > 0) != expectRunning)
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    private async Task<long> RunningAsync()
    {
        await using var connection = await MariaDbServer.ConnectionFactory(ConnectionString).OpenAsync();
        return await connection.ExecuteScalarAsync<long>(RunningReportQuery, new { database = DatabaseName });
    }
}
