using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ReportingApi.TestSupport.Lambda;

namespace ReportingApi.Benchmarks;

/// <summary>
/// The apps the start-up and load benchmarks run: published as deploy/package.sh publishes the service (ReadyToRun,
/// linux-x64, framework-dependent) and started as separate processes, as Lambda or a container would start them.
/// </summary>
internal static class PublishedApp
{
    public const string ServiceProject = "src/ReportingApi";
    public const string EmptyAppProject = "tests/ReportingApi.Benchmarks.EmptyApp";
    public const string HealthPath = "/health/live";

    /// <summary>Publishes <paramref name="project"/> (a folder under the repository root) to <paramref name="output"/>; the path of its assembly.</summary>
    public static async Task<string> PublishAsync(string project, string output)
    {
        var watch = Stopwatch.StartNew();
        await Shell.RunProgramAsync(
            "dotnet",
            ["publish", project, "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-p:PublishReadyToRun=true", "-o", output],
            AppProcess.RepositoryRoot(),
            name: $"dotnet publish {project}");
        Console.WriteLine($"Published {project} ReadyToRun (linux-x64, framework-dependent) in {watch.Elapsed.TotalSeconds:F0} s");
        return Path.Combine(output, Path.GetFileName(project) + ".dll");
    }

    /// <summary>The service on its embedded defaults (Development: SQLite demo data, local keys and token endpoint), every file under <paramref name="data"/>.</summary>
    public static Dictionary<string, string?> EmbeddedDefaults(string data) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["Database__ConnectionString"] = $"Data Source={Path.Combine(data, "demo.db")}",
        ["ObjectStore__FolderPath"] = Path.Combine(data, "objects"),
        ["DemoOnboarding__SftpRootFolder"] = Path.Combine(data, "sftp"),
        ["DemoOnboarding__KeysFolder"] = Path.Combine(data, "demo-keys"),
        ["Pgp__SecretKeyPath"] = Path.Combine(data, "pgp", "company-secret-key.asc"),
        ["Pgp__PassphrasePath"] = Path.Combine(data, "pgp", "company-passphrase.txt"),
    };

    /// <summary>Starts <paramref name="appDll"/> on Kestrel at <paramref name="baseAddress"/> (see <see cref="LoopbackAddress"/>).</summary>
    public static AppProcess StartOnKestrel(string appDll, IReadOnlyDictionary<string, string?> environment, Uri baseAddress) =>
        AppProcess.Start(appDll, environment, "--urls", baseAddress.ToString().TrimEnd('/'));

    /// <summary>A free loopback port as a base address.</summary>
    public static Uri LoopbackAddress()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
    }

    /// <summary>Asks for <paramref name="url"/> every 5 ms until it answers 200; the time on <paramref name="watch"/> then.</summary>
    public static async Task<TimeSpan> FirstOkAsync(AppProcess app, Uri url, Stopwatch watch, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (watch.Elapsed < timeout)
        {
            if (app.HasExited)
            {
                throw new InvalidOperationException("The app exited:\n" + app.Output);
            }

            try
            {
                using var response = await http.GetAsync(url);
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

        throw new TimeoutException($"No 200 from {url}:\n" + app.Output);
    }

    /// <summary>
    /// The id of the process this benchmark started (<see cref="AppProcess"/>, <c>dotnet app.dll ...</c>) whose command
    /// line holds <paramref name="mark"/>: for its CPU time (<see cref="ProcessCpu"/>). Looked for again for a few
    /// seconds: on a machine at load 50 a start once went unfound at the first look.
    /// </summary>
    public static int ChildProcessId(string mark)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (FindChildProcess(mark) is { } id)
            {
                return id;
            }

            if (watch.Elapsed > TimeSpan.FromSeconds(5))
            {
                throw new InvalidOperationException($"No child process with '{mark}' in its command line.");
            }

            Thread.Sleep(20);
        }
    }

    private static int? FindChildProcess(string mark)
    {
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), CultureInfo.InvariantCulture, out var id))
            {
                continue;
            }

            try
            {
                // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count from the last ')'.
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                if (parent == Environment.ProcessId && File.ReadAllText(Path.Combine(folder, "cmdline")).Contains(mark, StringComparison.Ordinal))
                {
                    return id;
                }
            }
            catch (IOException)
            {
                // The process ended while it was listed.
            }
        }

        return null;
    }
}

/// <summary>The machine's load average (1, 5, 15 minutes), which the figures of a shared machine must be read with.</summary>
internal static class LoadAverage
{
    public static string Now() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}

internal static class CommandLine
{
    /// <summary>The value after <paramref name="name"/> in <paramref name="args"/>, or null.</summary>
    public static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    public static int IntOption(string[] args, string name, int defaultValue) =>
        Option(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : defaultValue;
}
