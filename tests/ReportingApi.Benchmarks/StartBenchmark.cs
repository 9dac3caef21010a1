using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Lambda.Hosting;
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
/// process's CPU time by then (all threads), which the shared machine's other load inflates less. For the Lambda path it
/// also prints the medians of each start-up phase as the app logs them (<c>Lambda.Hosting.StartupTimeline</c>: wall, CPU,
/// methods jitted and the JIT's time). Warm starts: a first,
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

    private sealed record StartTime(double WallMilliseconds, double CpuMilliseconds, IReadOnlyList<Phase>? Phases = null);

    /// <summary>One phase of the app's start-up timeline: wall and CPU ms, methods jitted and the JIT's ms.</summary>
    private sealed record Phase(string Name, double WallMilliseconds, double CpuMilliseconds, int JittedMethods, double JitMilliseconds);

    /// <summary>A phase in the timeline line: "name +WALL (CPU C, jitted J in T)".</summary>
    private static readonly Regex PhasePattern = new(@"(?<name>[^;:]+?) \+(?<wall>\d+) \(CPU (?<cpu>-?\d+), jitted (?<jitted>\d+) in (?<jit>\d+)\)", RegexOptions.CultureInvariant);

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

            PrintPhases(times[2]);
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
            [$"Logging__LogLevel__{typeof(StartupTimeline).FullName}"] = "Information",
        };
        var reportEvent = LambdaEvents.AuthorizedGet("/v1/reports/contracts", "format=csv&from=2026-01-01&to=2026-01-31", "demo-acme", "reports/read");
        var watch = Stopwatch.StartNew();
        await using var app = AppProcess.Start(appDll, lambdaEnvironment);
        var cpu = new ProcessCpu(PublishedApp.ChildProcessId(appDll));
        var answer = runtime.InvokeAsync(reportEvent);
        await app.WaitUntilAsync(answer, StartTimeout);
        var (wall, used) = (watch.Elapsed.TotalMilliseconds, cpu.Used().TotalMilliseconds);
        var response = PayloadResponse.From(await answer);
        if (response.StatusCode != 200 || !response.BodyText.TrimStart('\uFEFF').StartsWith("contractNumber,", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Unexpected report answer {response.StatusCode}:\n{app.Output}");
        }

        return new StartTime(wall, used, await TimelineAsync(app));
    }

    /// <summary>The phases of the app's start-up timeline, logged just after the first answer (console logging is queued, so waited for briefly).</summary>
    private static async Task<IReadOnlyList<Phase>> TimelineAsync(AppProcess app)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var matches = PhasePattern.Matches(app.Output);
            if (matches.Count > 0 && app.Output.Contains("response posted", StringComparison.Ordinal))
            {
                return [.. matches.Select(match => new Phase(
                    match.Groups["name"].Value.Trim(),
                    double.Parse(match.Groups["wall"].Value, CultureInfo.InvariantCulture),
                    double.Parse(match.Groups["cpu"].Value, CultureInfo.InvariantCulture),
                    int.Parse(match.Groups["jitted"].Value, CultureInfo.InvariantCulture),
                    double.Parse(match.Groups["jit"].Value, CultureInfo.InvariantCulture)))];
            }

            await Task.Delay(20);
        }

        throw new InvalidOperationException("The app logged no start-up timeline:\n" + app.Output);
    }

    private static void PrintPhases(IReadOnlyList<StartTime> turns)
    {
        var phases = turns.Select(turn => turn.Phases ?? []).ToList();
        Console.WriteLine();
        Console.WriteLine("Lambda path, start-up phases as the app logs them (medians; ms; a phase may overlap the next on another thread):");
        Console.WriteLine($"{"phase",-36}{"wall",8}{"CPU",8}{"jitted",8}{"JIT ms",8}");
        foreach (var name in phases[0].Select(phase => phase.Name))
        {
            var samples = phases.SelectMany(turn => turn.Where(phase => phase.Name == name)).ToList();
            Console.WriteLine($"{name,-36}{Statistics.Median(samples.Select(p => p.WallMilliseconds)),8:F0}{Statistics.Median(samples.Select(p => p.CpuMilliseconds)),8:F0}" +
                $"{Statistics.Median(samples.Select(p => (double)p.JittedMethods)),8:F0}{Statistics.Median(samples.Select(p => p.JitMilliseconds)),8:F0}");
        }

        Console.WriteLine($"{"sum",-36}{Statistics.Median(phases.Select(turn => turn.Sum(p => p.WallMilliseconds))),8:F0}{Statistics.Median(phases.Select(turn => turn.Sum(p => p.CpuMilliseconds))),8:F0}" +
            $"{Statistics.Median(phases.Select(turn => (double)turn.Sum(p => p.JittedMethods))),8:F0}{Statistics.Median(phases.Select(turn => turn.Sum(p => p.JitMilliseconds))),8:F0}");
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
