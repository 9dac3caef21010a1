using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ReportingApi.TestSupport.Lambda;

namespace ReportingApi.Benchmarks;

/// <summary>
/// Start-up of the published app (ReadyToRun, linux-x64, framework-dependent, as deploy/ packages it): time from
/// process start to the first answered report event through a fake Runtime API, beside the time to the first
/// <c>/health/live</c> answer on Kestrel. Warm starts: a first start creates the demo database and keys.
/// Usage: dotnet run -c Release --project tests/ReportingApi.Benchmarks -- --lambda-start [--runs N]
/// </summary>
public static class LambdaStartBenchmark
{
    public const string Command = "--lambda-start";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 1 && args[0] == "--runs" ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3;
        var work = Directory.CreateTempSubdirectory("reportingapi-lambda-start-").FullName;
        try
        {
            var publish = Path.Combine(work, "publish");
            var publishWatch = Stopwatch.StartNew();
            await PublishAsync(publish);
            Console.WriteLine($"Published ReadyToRun (linux-x64, framework-dependent) in {publishWatch.Elapsed.TotalSeconds:F0} s to {publish}");
            var appDll = Path.Combine(publish, "ReportingApi.dll");
            var environment = Environment(Path.Combine(work, "data"));

            var first = await KestrelStartAsync(appDll, environment);
            Console.WriteLine($"First start (creates the demo database and keys): {first.TotalMilliseconds:F0} ms to /health/live");

            var lambda = new List<double>();
            var kestrel = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                lambda.Add((await LambdaStartAsync(appDll, environment)).TotalMilliseconds);
                kestrel.Add((await KestrelStartAsync(appDll, environment)).TotalMilliseconds);
            }

            Console.WriteLine($"Lambda (fake Runtime API), start -> first answered report event (contracts CSV, one month): {Format(lambda)}");
            Console.WriteLine($"Kestrel, start -> first /health/live 200:                                               {Format(kestrel)}");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string Format(List<double> millis) =>
        string.Join(", ", millis.Select(m => $"{m:F0}")) + $" ms (median {millis.Order().ElementAt(millis.Count / 2):F0} ms)";

    private static async Task PublishAsync(string output)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = AppProcess.RepositoryRoot(), RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "publish", "src/ReportingApi", "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-p:PublishReadyToRun=true", "-o", output })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
        }
    }

    /// <summary>The embedded defaults (Development: SQLite demo data, local keys), with every file under <paramref name="data"/>.</summary>
    private static Dictionary<string, string?> Environment(string data) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["Database__ConnectionString"] = $"Data Source={Path.Combine(data, "demo.db")}",
        ["ObjectStore__FolderPath"] = Path.Combine(data, "objects"),
        ["DemoOnboarding__SftpRootFolder"] = Path.Combine(data, "sftp"),
        ["DemoOnboarding__KeysFolder"] = Path.Combine(data, "demo-keys"),
        ["Pgp__SecretKeyPath"] = Path.Combine(data, "pgp", "company-secret-key.asc"),
        ["Pgp__PassphrasePath"] = Path.Combine(data, "pgp", "company-passphrase.txt"),
        ["Logging__LogLevel__Default"] = "Warning",
    };

    private static async Task<TimeSpan> LambdaStartAsync(string appDll, Dictionary<string, string?> environment)
    {
        await using var runtime = await FakeRuntimeApi.StartAsync();
        var lambdaEnvironment = new Dictionary<string, string?>(environment)
        {
            ["AWS_LAMBDA_RUNTIME_API"] = runtime.Address,
            ["AWS_LAMBDA_FUNCTION_NAME"] = "reporting-api",
        };
        var reportEvent = LambdaEvents.AuthorizedGet("/v1/reports/contracts", "format=csv&from=2026-01-01&to=2026-01-31", "demo-acme", "reports/read");
        var watch = Stopwatch.StartNew();
        await using var app = AppProcess.Start(appDll, lambdaEnvironment);
        var answer = runtime.InvokeAsync(reportEvent);
        await app.WaitUntilAsync(answer, StartTimeout);
        var elapsed = watch.Elapsed;
        var response = PayloadResponse.From(await answer);
        if (response.StatusCode != 200 || !response.BodyText.TrimStart('\uFEFF').StartsWith("contractNumber,", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Unexpected report answer {response.StatusCode}:\n{app.Output}");
        }

        return elapsed;
    }

    private static async Task<TimeSpan> KestrelStartAsync(string appDll, Dictionary<string, string?> environment)
    {
        var port = FreePort();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var health = new Uri($"http://127.0.0.1:{port}/health/live");
        var watch = Stopwatch.StartNew();
        await using var app = AppProcess.Start(appDll, environment, "--urls", $"http://127.0.0.1:{port}");
        while (watch.Elapsed < StartTimeout)
        {
            if (app.HasExited)
            {
                throw new InvalidOperationException("The app exited:\n" + app.Output);
            }

            try
            {
                using var response = await http.GetAsync(health);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return watch.Elapsed;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(5);
        }

        throw new TimeoutException("No /health/live answer:\n" + app.Output);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
