using System.Diagnostics;
using Dapper;
using ReportingApi.Data;
using ReportingApi.Demo;
using ReportingApi.Partners;
using ReportingApi.TestSupport;
using static ReportingApi.Benchmarks.CommandLine;

namespace ReportingApi.Benchmarks;

/// <summary>
/// The benchmark's MariaDB database: generated in a private server (<c>--contracts N</c>, in <c>--work DIR</c>; kept
/// running with <c>--keep</c>), or one generated before (<c>--database "connection string"</c> with
/// <c>--client-options</c>, the mariadb client defaults file of its server, which <c>--keep</c> printed).
/// </summary>
internal sealed class BenchmarkDatabase : IAsyncDisposable
{
    public const string OnePartnerClientId = "bench-one";

    private readonly MariaDbServer? _server;

    private BenchmarkDatabase(MariaDbServer? server, string connectionString, string clientOptionsFile, DemoDataGenerator generator)
    {
        (_server, ConnectionString, ClientOptionsFile, Generator) = (server, connectionString, clientOptionsFile, generator);
        Connections = MariaDbServer.ConnectionFactory(connectionString);
    }

    public string ConnectionString { get; }

    /// <summary>The mariadb client's defaults file (server address, login); its folder holds the server's pid file.</summary>
    public string ClientOptionsFile { get; }

    public string ClientArguments => $"--defaults-file={ClientOptionsFile} bench";

    public DbConnectionFactory Connections { get; }

    public DemoDataGenerator Generator { get; }

    /// <summary>The database server's CPU time.</summary>
    public ProcessCpu ServerCpu() => new(MariaDbServer.ProcessIdBeside(ClientOptionsFile));

    public static async Task<BenchmarkDatabase> OpenAsync(string[] args, int contracts, string workFolder)
    {
        var generator = new DemoDataGenerator(contracts);
        if (Option(args, "--database") is { } existing)
        {
            var clientOptions = Option(args, "--client-options") ?? throw new ArgumentException("--database needs --client-options too (both are printed by --keep).");
            return new BenchmarkDatabase(null, existing, clientOptions, generator);
        }

        var server = await MariaDbServer.StartAsync(workFolder, innoDbBufferPoolMegabytes: 4096);
        var database = new BenchmarkDatabase(server, await server.CreateDatabaseAsync("bench"), server.ClientOptionsFile, generator);
        Console.WriteLine($"Started a private MariaDB under {workFolder}; database: {database.ConnectionString}; mariadb client: {database.ClientArguments}");
        await MariaDbServer.MigrateAsync(database.ConnectionString);
        await database.GenerateAsync();
        if (args.Contains("--keep"))
        {
            Console.WriteLine($"The server stays running: measure again with --database \"{database.ConnectionString}\" --client-options {server.KeepRunning()}");
        }

        return database;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private async Task GenerateAsync()
    {
        var load = Stopwatch.StartNew();
        long loadedRows = 0;
        await using (var connection = await Connections.OpenAsync())
        {
            foreach (var table in Generator.Tables())
            {
                var tableWatch = Stopwatch.StartNew();
                var rows = await BulkLoader.LoadAsync(connection, table);
                loadedRows += rows;
                Console.WriteLine($"  loaded {table.Table,-13} {rows,11:N0} rows in {tableWatch.Elapsed.TotalSeconds,6:F1} s");
            }

            // Benchmark partners: one with every employer (the full 1x run), one with every tenth (~0.1x), one with one employer.
            var all = Enumerable.Range(1, Generator.Employers).ToList();
            await DemoDataSeeder.AddPartnersAsync(connection,
            [
                new DemoPartner(ReportMeasurement.FullPartnerId, "Benchmark, all employers", "bench-all", all, null),
                new DemoPartner(ReportMeasurement.TenthPartnerId, "Benchmark, every tenth employer", "bench-tenth", all.Where(id => id % 10 == 1).ToList(), null),
                new DemoPartner(ReportMeasurement.OnePartnerId, "Benchmark, one employer", OnePartnerClientId, [(Generator.Employers / 2) + 1], null),
            ]);
            await connection.ExecuteAsync("ANALYZE TABLE employers, employees, dealers, bikes, contracts, installments, partners, partner_employers", commandTimeout: 600);
        }

        Console.WriteLine($"Generated {Generator.Contracts:N0} contracts ({loadedRows:N0} rows in all) in {load.Elapsed.TotalSeconds:F0} s ({loadedRows / load.Elapsed.TotalSeconds:N0} rows/s).");
    }
}
