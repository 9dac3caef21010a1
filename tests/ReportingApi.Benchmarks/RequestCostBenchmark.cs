using System.Diagnostics;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ReportingApi.Data;
using ReportingApi.Demo;
using ReportingApi.Partners;
using ReportingApi.Reports;
using ReportingApi.Reports.Rendering;
using ReportingApi.Security;
using ReportingApi.TestSupport;
using static ReportingApi.Benchmarks.CommandLine;

namespace ReportingApi.Benchmarks;

/// <summary>
/// What one small report request costs, step by step, in this process on one thread: the access token's validation
/// (in full, and remembered by <see cref="ValidatedTokenCache"/>), the partner's lookup (from the registry's cache, and
/// from the database), a pooled connection, the query with every row read, and the query with the rows rendered as
/// JSON; the small report of the load benchmark (bikes, one month, a partner with one employer), on a SQLite demo
/// database and on MariaDB (<c>--database</c>, the benchmark data of <see cref="BenchmarkDatabase"/>).
/// Usage: dotnet run -c Release --project tests/ReportingApi.Benchmarks -- --request-cost [--database CS] [--repeat N]
/// </summary>
public static class RequestCostBenchmark
{
    public const string Command = "--request-cost";

    private const int SqlitePartnerId = 90;

    private const string SqliteClientId = "bench-one-sqlite";

    public static async Task<int> RunAsync(string[] args)
    {
        var turns = IntOption(args, "--repeat", 5);
        var folder = Directory.CreateTempSubdirectory("reportingapi-request-cost-").FullName;
        try
        {
            Console.WriteLine($"Per request, microseconds (medians of {turns} turns of many operations each, one thread; load average {LoadAverage.Now()}; 2 cores, shared):");
            await MeasureTokenAsync(turns);
            await MeasureDatabaseAsync("sqlite", await SqliteDemoAsync(folder), SqliteClientId, SqlitePartnerId, turns);
            if (Option(args, "--database") is { } mariaDb)
            {
                await MeasureDatabaseAsync("mariadb", MariaDbServer.ConnectionFactory(mariaDb), BenchmarkDatabase.OnePartnerClientId, ReportMeasurement.OnePartnerId, turns);
            }

            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task MeasureTokenAsync(int turns)
    {
        using var rsa = RSA.Create(2048);
        var key = new RsaSecurityKey(rsa) { KeyId = "bench" };
        var full = new JsonWebTokenHandler { MapInboundClaims = false };
        using var cached = new ValidatedTokenCache(TimeProvider.System) { MapInboundClaims = false };
        var token = full.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://issuer.bench",
            Subject = new ClaimsIdentity([new Claim("client_id", SqliteClientId), new Claim("token_use", "access"), new Claim("scope", "reports/read")]),
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
        var parameters = new TokenValidationParameters { ValidIssuer = "https://issuer.bench", ValidateAudience = false, IssuerSigningKey = key, ValidAlgorithms = [SecurityAlgorithms.RsaSha256] };
        Print("token", "validated in full (RS256, JsonWebTokenHandler)", await MeasureAsync(turns, 2_000, async () => Check((await full.ValidateTokenAsync(token, parameters)).IsValid)));
        Print("token", "remembered (ValidatedTokenCache)", await MeasureAsync(turns, 200_000, async () => Check((await cached.ValidateTokenAsync(token, parameters)).IsValid)));
    }

    private static async Task MeasureDatabaseAsync(string database, DbConnectionFactory connections, string clientId, int partnerId, int turns)
    {
        using var cache = new MemoryCache(new MemoryCacheOptions());
        var registry = new PartnerRegistry(connections, cache, Options.Create(new PartnersOptions()), NullLogger<PartnerRegistry>.Instance);
        Print(database, "partner from the registry's cache", await MeasureAsync(turns, 200_000, async () => Check(await registry.FindByClientIdAsync(clientId, default) is not null)));
        Print(database, "partner from the database", await MeasureAsync(turns, 2_000, async () =>
        {
            registry.Forget(clientId);
            Check(await registry.FindByClientIdAsync(clientId, default) is not null);
        }));
        Print(database, "pooled connection opened and closed", await MeasureAsync(turns, 5_000, async () =>
        {
            await using var connection = await connections.OpenAsync();
        }));

        var month = DemoDataGenerator.DefaultReferenceMonth.AddMonths(-1);
        var request = new ReportRequest(ReportCatalog.Bikes, ReportFormat.Json, month, month.AddMonths(1).AddDays(-1), new Dictionary<string, string>());
        var reader = new ReportReader(connections);
        var renderer = new JsonReportRenderer();
        long rows = 0;
        var query = await MeasureAsync(turns, 300, async () =>
        {
            await using var opened = await reader.OpenAsync(request, partnerId, default);
            await opened.RenderAsync(new RowCounter(), Stream.Null, default);
        });
        var rendered = await MeasureAsync(turns, 300, async () =>
        {
            await using var opened = await reader.OpenAsync(request, partnerId, default);
            rows = await opened.RenderAsync(renderer, Stream.Null, default);
        });
        Print(database, $"query, every row read ({rows} rows)", query);
        Print(database, "query, rows rendered as JSON", rendered);
        Print(database, "  so rendering JSON", rendered - query);
    }

    /// <summary>Reads every row and nothing else: the query's share of a report.</summary>
    private sealed class RowCounter : IReportRenderer
    {
        public ReportFormat Format => ReportFormat.Json;

        public async Task<long> RenderAsync(ReportDefinition report, System.Data.Common.DbDataReader reader, Stream output, CancellationToken cancellationToken)
        {
            long count = 0;
            while (await reader.ReadAsync(cancellationToken))
            {
                count++;
            }

            return count;
        }
    }

    private static async Task<DbConnectionFactory> SqliteDemoAsync(string folder)
    {
        var connections = new DbConnectionFactory(
            Options.Create(new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = $"Data Source={Path.Combine(folder, "demo.db")}" }),
            new DeliveryBenchmark.BenchmarkEnvironment(folder));
        await new MigrationRunner(connections, NullLogger<MigrationRunner>.Instance).MigrateAsync();
        await using var connection = await connections.OpenAsync();
        await DemoDataSeeder.SeedAsync(connection, new DemoDataGenerator(2000), [new DemoPartner(SqlitePartnerId, "Benchmark, one employer", SqliteClientId, [1], null)]);
        return connections;
    }

    /// <summary>Microseconds per operation: the median of <paramref name="turns"/> turns of <paramref name="operations"/> each, after one turn not counted.</summary>
    private static async Task<double> MeasureAsync(int turns, int operations, Func<Task> operation)
    {
        var perOperation = new List<double>();
        for (var turn = 0; turn <= turns; turn++)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < operations; i++)
            {
                await operation();
            }

            if (turn > 0)
            {
                perOperation.Add(watch.Elapsed.TotalMicroseconds / operations);
            }
        }

        return Statistics.Median(perOperation);
    }

    private static void Check(bool passed)
    {
        if (!passed)
        {
            throw new InvalidOperationException("A measured step failed.");
        }
    }

    private static void Print(string where, string step, double microseconds) => Console.WriteLine($"  {where,-8}{step,-52}{microseconds,10:F1}");
}
