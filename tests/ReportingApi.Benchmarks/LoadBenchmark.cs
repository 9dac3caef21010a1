using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using ReportingApi.Demo;
using ReportingApi.TestSupport;
using ReportingApi.TestSupport.Lambda;
using static ReportingApi.Benchmarks.CommandLine;

namespace ReportingApi.Benchmarks;

/// <summary>
/// Throughput of the published service (ReadyToRun, as deploy/ packages it) on Kestrel under wrk: <c>/health/live</c>
/// (what the framework alone answers), the report catalog (token, partner, a small JSON) and a small report (bikes as
/// JSON, one month, a partner with one employer), on the embedded default (SQLite demo data) and on MariaDB with the
/// benchmark data (<see cref="BenchmarkDatabase"/>: generated, or <c>--database</c>). Both apps run side by side; the
/// targets and databases take turns and the medians are printed, with each app's (and mariadbd's) CPU time per request,
/// which the shared machine's other load inflates less than wall-clock figures.
/// Usage: dotnet run -c Release --project tests/ReportingApi.Benchmarks -- --load [--repeat N] [--duration 15s]
///   [--connections 64] [--threads 2] [--databases sqlite,mariadb] [--contracts N --work DIR [--keep] | --database CS --client-options FILE]
/// </summary>
public static class LoadBenchmark
{
    public const string Command = "--load";

    /// <summary>The acceptance bounds of issue 15 for the small report: this share of /health/live's rate, and its p99.</summary>
    private const double TargetShareOfHealth = 0.25;

    private const double TargetP99Milliseconds = 50;

    private const string LoadClientSecret = "load-benchmark-secret";

    /// <summary>The one-employer partner's employer in the SQLite demo data (the MariaDB benchmark data has its own, <see cref="BenchmarkDatabase"/>).</summary>
    private const int SqliteEmployerId = 1;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(300);

    private sealed record Target(string Label, string PathAndQuery, bool Authenticated);

    private sealed record Sample(Wrk.Result Load, double AppCpuMicroseconds, double? DatabaseCpuMicroseconds);

    private sealed record RunningApp(string Database, AppProcess Process, Uri Address, string Token, ProcessCpu Cpu, ProcessCpu? DatabaseCpu);

    public static async Task<int> RunAsync(string[] args)
    {
        var turns = IntOption(args, "--repeat", 5);
        var threads = IntOption(args, "--threads", 2);
        var connections = IntOption(args, "--connections", 64);
        var duration = Option(args, "--duration") ?? "15s";
        var databases = (Option(args, "--databases") ?? "sqlite,mariadb").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var workFolder = Option(args, "--work") ?? Path.GetTempPath();
        var folder = Directory.CreateDirectory(Path.Combine(workFolder, "reportingapi-load-" + Guid.NewGuid().ToString("N")[..8])).FullName;

        await Wrk.EnsureInstalledAsync();
        var service = await PublishedApp.PublishAsync(PublishedApp.ServiceProject, Path.Combine(folder, "service"));
        var month = DemoDataGenerator.DefaultReferenceMonth.AddMonths(-1);
        var targets = new[]
        {
            new Target(PublishedApp.HealthPath, PublishedApp.HealthPath, Authenticated: false),
            new Target("catalog", "/v1/reports", Authenticated: true),
            new Target($"bikes JSON, one employer, {month:yyyy-MM}", FormattableString.Invariant($"/v1/reports/bikes?format=json&from={month:yyyy-MM-dd}&to={month.AddMonths(1).AddDays(-1):yyyy-MM-dd}"), Authenticated: true),
        };

        var apps = new List<RunningApp>();
        BenchmarkDatabase? mariaDb = null;
        try
        {
            if (databases.Contains("sqlite"))
            {
                apps.Add(await StartOnSqliteAsync(service, Path.Combine(folder, "sqlite")));
            }

            if (databases.Contains("mariadb"))
            {
                // In the work folder, not the run's: with --keep the server outlives this run.
                mariaDb = await BenchmarkDatabase.OpenAsync(args, IntOption(args, "--contracts", 1_000_000), workFolder);
                apps.Add(await StartOnMariaDbAsync(service, Path.Combine(folder, "mariadb"), mariaDb));
            }

            var bytes = await WarmUpAsync(apps, targets, threads, connections);
            var loadBefore = LoadAverage.Now();
            var samples = await MeasureTurnsAsync(apps, targets, turns, threads, connections, duration);
            Console.WriteLine();
            Console.WriteLine($"wrk -t{threads} -c{connections} -d{duration} --latency on loopback, medians of {turns} alternating turns; load average {loadBefore} before, " +
                $"{LoadAverage.Now()} after (1, 5, 15 min; 2 cores, shared with wrk and the database server):");
            PrintSummary(apps, targets, samples, bytes);
            return samples.Values.SelectMany(s => s).Any(s => s.Load.FailedResponses > 0) ? 1 : 0;
        }
        finally
        {
            foreach (var app in apps)
            {
                await app.Process.DisposeAsync();
            }

            if (mariaDb is not null)
            {
                await mariaDb.DisposeAsync();
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Checks that every target answers 200 (its body size is printed), then loads each for 3 s, not counted: tiered JIT, pools, caches.</summary>
    private static async Task<Dictionary<(RunningApp, Target), long>> WarmUpAsync(List<RunningApp> apps, Target[] targets, int threads, int connections)
    {
        var bytes = new Dictionary<(RunningApp, Target), long>();
        foreach (var app in apps)
        {
            foreach (var target in targets)
            {
                bytes[(app, target)] = await ResponseBytesAsync(app, target);
                await Wrk.RunAsync(new Uri(app.Address, target.PathAndQuery), target.Authenticated ? app.Token : null, threads, connections, "3s");
            }
        }

        return bytes;
    }

    /// <summary>Each turn loads every target on every app; the apps take turns, in the other order on every other turn.</summary>
    private static async Task<Dictionary<(RunningApp, Target), List<Sample>>> MeasureTurnsAsync(
        List<RunningApp> apps, Target[] targets, int turns, int threads, int connections, string duration)
    {
        var samples = apps.SelectMany(app => targets.Select(target => (app, target))).ToDictionary(key => key, _ => new List<Sample>());
        for (var turn = 1; turn <= turns; turn++)
        {
            foreach (var target in targets)
            {
                foreach (var app in turn % 2 == 1 ? apps : Enumerable.Reverse(apps))
                {
                    var sample = await MeasureAsync(app, target, threads, connections, duration);
                    samples[(app, target)].Add(sample);
                    Console.WriteLine($"  turn {turn}: {app.Database,-8}{target.Label,-32}{sample.Load.RequestsPerSecond,10:N0} req/s  p50 {sample.Load.P50Milliseconds,6:F2} ms  " +
                        $"p99 {sample.Load.P99Milliseconds,6:F2} ms  load {LoadAverage.Now()}" +
                        (sample.Load.FailedResponses > 0 || sample.Load.SocketErrors is not null ? $"  FAILED {sample.Load.FailedResponses}, socket errors {sample.Load.SocketErrors}" : ""));
                }
            }
        }

        return samples;
    }

    /// <summary>Medians per app and target, then the small report against issue 15's bounds.</summary>
    private static void PrintSummary(List<RunningApp> apps, Target[] targets, Dictionary<(RunningApp, Target), List<Sample>> samples, Dictionary<(RunningApp, Target), long> bytes)
    {
        Console.WriteLine($"{"database",-10}{"target",-32}{"bytes",9}{"req/s",10}{"p50 ms",8}{"p99 ms",8}{"app CPU us/req",16}{"db CPU us/req",15}{"x health",10}");
        foreach (var app in apps)
        {
            var health = Statistics.Median(samples[(app, targets[0])].Select(s => s.Load.RequestsPerSecond));
            foreach (var target in targets)
            {
                var turnSamples = samples[(app, target)];
                var rate = Statistics.Median(turnSamples.Select(s => s.Load.RequestsPerSecond));
                var databaseCpu = turnSamples.All(s => s.DatabaseCpuMicroseconds is not null)
                    ? Statistics.Median(turnSamples.Select(s => s.DatabaseCpuMicroseconds!.Value)).ToString("F0", CultureInfo.InvariantCulture)
                    : "";
                Console.WriteLine($"{app.Database,-10}{target.Label,-32}{bytes[(app, target)],9:N0}{rate,10:N0}{Statistics.Median(turnSamples.Select(s => s.Load.P50Milliseconds)),8:F2}" +
                    $"{Statistics.Median(turnSamples.Select(s => s.Load.P99Milliseconds)),8:F2}{Statistics.Median(turnSamples.Select(s => s.AppCpuMicroseconds)),16:F0}{databaseCpu,15}{rate / health,10:F3}");
            }
        }

        Console.WriteLine();
        var report = targets[^1];
        foreach (var app in apps)
        {
            var health = Statistics.Median(samples[(app, targets[0])].Select(s => s.Load.RequestsPerSecond));
            var share = Statistics.Median(samples[(app, report)].Select(s => s.Load.RequestsPerSecond)) / health;
            var p99 = Statistics.Median(samples[(app, report)].Select(s => s.Load.P99Milliseconds));
            Console.WriteLine($"{app.Database}: {report.Label} / {PublishedApp.HealthPath} = {share:F3} (target >= {TargetShareOfHealth}: {Verdict(share >= TargetShareOfHealth)}), " +
                $"p99 {p99:F1} ms (target < {TargetP99Milliseconds}: {Verdict(p99 < TargetP99Milliseconds)})");
        }
    }

    private static string Verdict(bool met) => met ? "met" : "not met";

    private static async Task<Sample> MeasureAsync(RunningApp app, Target target, int threads, int connections, string duration)
    {
        var appBefore = app.Cpu.Used();
        var databaseBefore = app.DatabaseCpu?.Used();
        var load = await Wrk.RunAsync(new Uri(app.Address, target.PathAndQuery), target.Authenticated ? app.Token : null, threads, connections, duration);
        var perRequest = 1e6 / Math.Max(1, load.Requests);
        return new Sample(load, (app.Cpu.Used() - appBefore).TotalSeconds * perRequest,
            databaseBefore is { } before ? (app.DatabaseCpu!.Used() - before).TotalSeconds * perRequest : null);
    }

    /// <summary>One request as wrk will send it, which must succeed; the size of its body.</summary>
    private static async Task<long> ResponseBytesAsync(RunningApp app, Target target)
    {
        using var http = new HttpClient { BaseAddress = app.Address };
        if (target.Authenticated)
        {
            http.WithToken(app.Token);
        }

        using var response = await http.GetAsync(new Uri(target.PathAndQuery, UriKind.Relative));
        var body = await response.Content.ReadAsByteArrayAsync();
        return response.StatusCode == HttpStatusCode.OK
            ? body.Length
            : throw new InvalidOperationException($"{app.Database} {target.PathAndQuery}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}");
    }

    /// <summary>
    /// The embedded defaults, where a partner with one employer is registered through the admin API, as an operator
    /// would, for the load client.
    /// </summary>
    private static Task<RunningApp> StartOnSqliteAsync(string service, string data) =>
        StartAsync("sqlite", service, PublishedApp.EmbeddedDefaults(data), null, async address =>
        {
            using var http = new HttpClient { BaseAddress = address };
            http.WithToken(await DemoClients.GetTokenAsync(http, DemoClients.Operator));
            using var created = await http.PostAsJsonAsync(new Uri("/v1/admin/partners", UriKind.Relative), new
            {
                name = "Load benchmark, one employer",
                clientId = BenchmarkDatabase.OnePartnerClientId,
                employerIds = new[] { SqliteEmployerId },
            });
            if (created.StatusCode != HttpStatusCode.Created)
            {
                throw new InvalidOperationException($"Registering the load partner failed: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
            }
        });

    /// <summary>The benchmark database, whose one-employer partner the load client is; no demo data or demo onboarding.</summary>
    private static Task<RunningApp> StartOnMariaDbAsync(string service, string data, BenchmarkDatabase database)
    {
        var environment = PublishedApp.EmbeddedDefaults(data);
        environment["Database__Provider"] = "MySql";
        environment["Database__ConnectionString"] = database.ConnectionString;
        environment["Database__DemoDataContracts"] = "0";
        environment["DemoOnboarding__Enabled"] = "false";
        return StartAsync("mariadb", service, environment, database.ServerCpu(), _ => Task.CompletedTask);
    }

    /// <summary>
    /// Starts the service with the load client added to its local token endpoint's clients, waits until it answers,
    /// lets <paramref name="prepare"/> set it up, and takes a token for the load client.
    /// </summary>
    private static async Task<RunningApp> StartAsync(
        string database, string service, Dictionary<string, string?> environment, ProcessCpu? databaseCpu, Func<Uri, Task> prepare)
    {
        // A list index past appsettings.Development.json's clients: the binder appends it to them.
        const string client = "LocalTokenEndpoint__Clients__99__";
        environment[client + "ClientId"] = BenchmarkDatabase.OnePartnerClientId;
        environment[client + "ClientSecret"] = LoadClientSecret;
        environment[client + "Scopes__0"] = "reports/read";
        var address = PublishedApp.LoopbackAddress();
        var process = PublishedApp.StartOnKestrel(service, environment, address);
        try
        {
            await PublishedApp.FirstOkAsync(process, new Uri(address, PublishedApp.HealthPath), System.Diagnostics.Stopwatch.StartNew(), StartTimeout);
            await prepare(address);
            using var http = new HttpClient { BaseAddress = address };
            var token = await DemoClients.GetTokenAsync(http, (BenchmarkDatabase.OnePartnerClientId, LoadClientSecret));
            return new RunningApp(database, process, address, token, new ProcessCpu(PublishedApp.ChildProcessId(address.ToString().TrimEnd('/'))), databaseCpu);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }
}
