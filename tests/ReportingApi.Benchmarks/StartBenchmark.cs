using System.Diagnostics;
using ReportingApi.TestSupport.Lambda;
using static ReportingApi.Benchmarks.CommandLine;

namespace ReportingApi.Benchmarks;

/// <summary>
/// Start-up of the published service beside an empty ASP.NET Core app (<see cref="PublishedApp.EmptyAppProject"/>),
/// both published alike (ReadyToRun, linux-x64, framework-dependent, as deploy/ packages the service) and started alike
/// (<c>dotnet app.dll</c>, Development, logging at Warning), in alternating turns: the empty app's start → first 200
/// on Kestrel, ours → first <c>/health/live</c> 200 on Kestrel, and ours → first answered report event through a fake
/// Lambda Runtime API, configured as serverless.template configures the function (Production, migrations applied at
/// deploy, no demo data; the token checked by API Gateway's authorizer). Wall time from process start, and the
/// process's CPU time by then (all threads), which the shared machine's other load inflates less. Warm starts: a first,
/// uncounted start creates the demo database and keys. <c>--env NAME=VALUE</c> (repeatable) sets a runtime setting
/// for every app, e.g. <c>DOTNET_TieredPGO=0</c>.
/// Usage: dotnet run -c Release --project tests/ReportingApi.Benchmarks -- --start [--repeat N] [--env NAME=VALUE ...]
/// </summary>
public static class StartBenchmark
{
    public const string Command = "--start";

    /// <summary>The acceptance bound of issue 15: ours to the first report on Lambda within this multiple of the empty app.</summary>
    private const double TargetRatio = 1.5;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    private sealed record StartTime(double WallMilliseconds, double CpuMilliseconds);

    public static async Task<int> RunAsync(string[] args)
    {
        var turns = IntOption(args, "--repeat", 5);
        var work = Directory.CreateTempSubdirectory("reportingapi-start-").FullName;
        try
        {
            var service = await PublishedApp.PublishAsync(PublishedApp.ServiceProject, Path.Combine(work, "service"));
            var emptyApp = await PublishedApp.PublishAsync(PublishedApp.EmptyAppProject, Path.Combine(work, "empty"));
            var environment = PublishedApp.EmbeddedDefaults(Path.Combine(work, "data"));
            environment["Logging__LogLevel__Default"] = "Warning";
            foreach (var setting in args.Select((arg, index) => (arg, index)).Where(a => a.arg == "--env" && a.index + 1 < args.Length).Select(a => args[a.index + 1]))
            {
                var (name, value) = (setting[..setting.IndexOf('=', StringComparison.Ordinal)], setting[(setting.IndexOf('=', StringComparison.Ordinal) + 1)..]);
                environment[name] = value;
            }

            var first = await KestrelStartAsync(service, environment, PublishedApp.HealthPath);
            Console.WriteLine($"First start of ours (creates the demo database and keys, not counted): {first.WallMilliseconds:F0} ms to {PublishedApp.HealthPath}");
            await KestrelStartAsync(emptyApp, environment, "/");

            var measures = new (string Label, Func<Task<StartTime>> Start)[]
            {
                ("empty app: start -> first 200 (Kestrel)", () => KestrelStartAsync(emptyApp, environment, "/")),
                ($"ours: start -> first {PublishedApp.HealthPath} 200 (Kestrel)", () => KestrelStartAsync(service, environment, PublishedApp.HealthPath)),
                ("ours: start -> first answered report event (Lambda)", () => LambdaStartAsync(service, environment)),
            };
            var times = measures.Select(_ => new List<StartTime>()).ToList();
            var loadBefore = LoadAverage.Now();
            for (var turn = 0; turn < turns; turn++)
            {
                // Each turn starts with the next measure, so none always runs first (or right after the same other).
                for (var step = 0; step < measures.Length; step++)
                {
                    var measure = (turn + step) % measures.Length;
                    times[measure].Add(await measures[measure].Start());
                }
            }

            Console.WriteLine();
            Console.WriteLine($"Start-up, {turns} alternating turns; load average {loadBefore} before, {LoadAverage.Now()} after (1, 5, 15 min; 2 cores, shared):");
            Console.WriteLine($"{"",-54}{"wall ms, each turn",-36}{"median",8}{"CPU ms",8}{"x empty",9}");
            var emptyMedian = Statistics.Median(times[0].Select(t => t.WallMilliseconds));
            foreach (var ((label, _), turnTimes) in measures.Zip(times))
            {
                var median = Statistics.Median(turnTimes.Select(t => t.WallMilliseconds));
                Console.WriteLine($"{label,-54}{string.Join(' ', turnTimes.Select(t => $"{t.WallMilliseconds,5:F0}")),-36}{median,8:F0}" +
                    $"{Statistics.Median(turnTimes.Select(t => t.CpuMilliseconds)),8:F0}{median / emptyMedian,9:F2}");
            }

            var lambdaRatio = Statistics.Median(times[2].Select(t => t.WallMilliseconds)) / emptyMedian;
            Console.WriteLine($"Lambda first report / empty app first 200: {lambdaRatio:F2} (target <= {TargetRatio}: {(lambdaRatio <= TargetRatio ? "met" : "not met")})");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<StartTime> LambdaStartAsync(string appDll, Dictionary<string, string?> environment)
    {
        await using var runtime = await FakeRuntimeApi.StartAsync();
        // As serverless.template sets the function up, on the embedded database and key files of the first start.
        var lambdaEnvironment = new Dictionary<string, string?>(environment)
        {
            ["AWS_LAMBDA_RUNTIME_API"] = runtime.Address,
            ["AWS_LAMBDA_FUNCTION_NAME"] = "reporting-api",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Authentication__Issuer"] = "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Benchmark",
            ["Database__MigrateOnStart"] = "false",
            ["Database__DemoDataContracts"] = "0",
        };
        var reportEvent = LambdaEvents.AuthorizedGet("/v1/reports/contracts", "format=csv&from=2026-01-01&to=2026-01-31", "demo-acme", "reports/read");
        var watch = Stopwatch.StartNew();
        await using var app = AppProcess.Start(appDll, lambdaEnvironment);
        var cpu = new ProcessCpu(PublishedApp.ChildProcessId(appDll));
        var answer = runtime.InvokeAsync(reportEvent);
        await app.WaitUntilAsync(answer, StartTimeout);
        var time = new StartTime(watch.Elapsed.TotalMilliseconds, cpu.Used().TotalMilliseconds);
        var response = PayloadResponse.From(await answer);
        if (response.StatusCode != 200 || !response.BodyText.TrimStart('\uFEFF').StartsWith("contractNumber,", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Unexpected report answer {response.StatusCode}:\n{app.Output}");
        }

        return time;
    }

    private static async Task<StartTime> KestrelStartAsync(string appDll, Dictionary<string, string?> environment, string path)
    {
        var address = PublishedApp.LoopbackAddress();
        var watch = Stopwatch.StartNew();
        await using var app = PublishedApp.StartOnKestrel(appDll, environment, address);
        var cpu = new ProcessCpu(PublishedApp.ChildProcessId(address.ToString().TrimEnd('/')));
        var elapsed = await PublishedApp.FirstOkAsync(app, new Uri(address, path), watch, StartTimeout);
        return new StartTime(elapsed.TotalMilliseconds, cpu.Used().TotalMilliseconds);
    }
}
