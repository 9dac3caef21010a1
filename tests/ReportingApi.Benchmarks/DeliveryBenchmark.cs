using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using ReportingApi.Data;
using ReportingApi.Delivery;
using ReportingApi.Demo;
using ReportingApi.Partners;
using ReportingApi.Pgp;
using ReportingApi.Reports;
using ReportingApi.Reports.Rendering;
using ReportingApi.Runs;
using ReportingApi.Storage;
using ReportingApi.TestSupport;

namespace ReportingApi.Benchmarks;

/// <summary>
/// The whole-run benchmark: a report run (MariaDB → CSV → PGP → object store → delivery folder) through the app's own
/// pipeline, in a process of its own, beside <c>mariadb --batch --quick -e "&lt;query&gt;" | gpg --encrypt --sign</c>.
/// </summary>
internal static class DeliveryBenchmark
{
    public const string RunCommand = "run";
    private const string Passphrase = "benchmark-passphrase";

    public sealed record RunResult(long Rows, long Bytes, double Seconds, long PeakRssBytes, string Status);

    /// <summary>Keys for both sides: ours as files the app reads, the same ones imported into a private GNUPGHOME.</summary>
    public sealed record Keys(string Folder, string GnupgHome, GeneratedPgpKey Company, GeneratedPgpKey Partner)
    {
        public string CompanySecretPath => Path.Combine(Folder, "company.secret.asc");

        public string PassphrasePath => Path.Combine(Folder, "passphrase");
    }

    public static async Task<Keys> CreateKeysAsync(string workFolder)
    {
        var folder = Directory.CreateDirectory(Path.Combine(workFolder, "bench-keys")).FullName;
        var generator = new PgpKeyGenerator(TimeProvider.System);
        var keys = new Keys(folder, Directory.CreateDirectory(Path.Combine(folder, "gnupg")).FullName,
            generator.Generate("Benchmark Company <company@bench.example>", Passphrase),
            generator.Generate("Benchmark Partner <partner@bench.example>", Passphrase));
        await File.WriteAllTextAsync(keys.CompanySecretPath, keys.Company.ArmoredSecretKey);
        await File.WriteAllTextAsync(keys.PassphrasePath, Passphrase + "\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "partner.public.asc"), keys.Partner.ArmoredPublicKey);
        if (!OperatingSystem.IsWindows())
        {
            // gpg warns about (and some versions refuse) a home folder others can read.
            File.SetUnixFileMode(keys.GnupgHome, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        await Shell.RunAsync($"gpg --batch --quiet --import {Path.Combine(folder, "partner.public.asc")}", keys.GnupgHome);
        await Shell.RunAsync($"gpg --batch --quiet --pinentry-mode loopback --passphrase-file {keys.PassphrasePath} --import {keys.CompanySecretPath}", keys.GnupgHome);
        return keys;
    }

    /// <summary>The gpg command that encrypts to the partner and signs as the company, AES-256 and SHA-256 like ours.</summary>
    public static string GpgEncryptSign(Keys keys, string input, string output) =>
        $"gpg --batch --yes --quiet --pinentry-mode loopback --passphrase-file {keys.PassphrasePath} --trust-model always " +
        $"--cipher-algo AES256 --digest-algo SHA256 -u {keys.Company.Fingerprint} -r {keys.Partner.Fingerprint} --encrypt --sign -o {output} {input}";

    /// <summary>Gives the partner the benchmark key and a delivery folder, so the app's run executor can deliver to it.</summary>
    public static async Task OnboardAsync(string connectionString, int partnerId, Keys keys, string workFolder)
    {
        await using var provider = Services(connectionString, keys, workFolder);
        var partners = provider.GetRequiredService<PartnerStore>();
        await partners.SetPgpKeyAsync(partnerId, keys.Partner.ArmoredPublicKey, keys.Partner.Fingerprint, CancellationToken.None);
        await partners.SetDeliveryAsync(partnerId, new DeliveryTarget(DeliveryKind.Folder, "/inbound", FolderPath: Path.Combine(workFolder, "bench-sftp")), CancellationToken.None);
    }

    public static async Task<RunResult> RunInChildProcessAsync(string connectionString, string reportId, int partnerId, string workFolder, string keysFolder, CompressionLevel compression) =>
        JsonSerializer.Deserialize<RunResult>(await ChildProcess.RunAsync([RunCommand, connectionString, reportId, partnerId.ToString(CultureInfo.InvariantCulture), workFolder, keysFolder, compression.ToString()]))!;

    /// <summary>In the child: one run through <see cref="RunExecutor"/>, timed from the request to delivered.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var (connectionString, reportId, partnerId, workFolder, keysFolder, compression) = (args[0], args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args[3], args[4], args[5]);
        var keys = new Keys(keysFolder, Path.Combine(keysFolder, "gnupg"), null!, null!);
        await using var provider = Services(connectionString, keys, workFolder, compression);
        var report = ReportCatalog.Find(reportId)!;
        var request = ReportMeasurement.BenchmarkRequest(report, ReportFormat.Csv, ReportingApi.Demo.DemoDataGenerator.DefaultReferenceMonth);
        // As a running service has them: the company key loaded (at start), a pooled database connection and the run's
        // code at the JIT's last tier, by runs of the same report for one employer for a while (see ReportMeasurement).
        var executor = provider.GetRequiredService<RunExecutor>();
        var store = provider.GetRequiredService<RunStore>();
        var oneEmployer = request with { Filters = new Dictionary<string, string> { ["employerId"] = "1" } };
        await WarmUp.UntilJitQuietAsync(async () =>
        {
            var (warmUpRun, _) = await store.CreateAsync(ReportRun.ForReport(oneEmployer, armored: false, partnerId, "benchmark", idempotencyKey: null), CancellationToken.None);
            await executor.ExecuteAsync(warmUpRun.Id, CancellationToken.None);
        });

        var watch = Stopwatch.StartNew();
        var (run, _) = await store.CreateAsync(ReportRun.ForReport(request, armored: false, partnerId, "benchmark", idempotencyKey: null), CancellationToken.None);
        await executor.ExecuteAsync(run.Id, CancellationToken.None);
        var seconds = watch.Elapsed.TotalSeconds;

        var finished = (await store.GetAsync(run.Id))!;
        Console.WriteLine(JsonSerializer.Serialize(new RunResult(finished.RowCount ?? 0, finished.ByteCount ?? 0, seconds, ChildProcess.PeakRssBytes(), finished.Status + (finished.FailureReason is null ? "" : ": " + finished.FailureReason))));
        return 0;
    }

    /// <summary>The app's own services for a run, on MySQL, the folder object store and the benchmark keys.</summary>
    private static ServiceProvider Services(string connectionString, Keys keys, string workFolder, string compression = nameof(CompressionLevel.Optimal))
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = nameof(DatabaseProvider.MySql),
            ["Database:ConnectionString"] = connectionString,
            ["Pgp:SecretKeyPath"] = keys.CompanySecretPath,
            ["Pgp:PassphrasePath"] = keys.PassphrasePath,
            ["Pgp:CompressionLevel"] = compression,
            ["ObjectStore:Provider"] = "Folder",
            ["ObjectStore:FolderPath"] = Path.Combine(workFolder, "bench-objects"),
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<IHostEnvironment>(new BenchmarkEnvironment(workFolder));
        services.AddLogging();
        services.AddData().AddPartners().AddRendering().AddReports().AddPgp().AddStorage().AddDelivery().AddRuns();
        return services.BuildServiceProvider();
    }

    internal sealed class BenchmarkEnvironment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Production";

        public string ApplicationName { get; set; } = "ReportingApi.Benchmarks";

        public string ContentRootPath { get; set; } = root;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}

/// <summary>Runs this benchmark's own executable as a child process (so each measurement has its own peak RSS).</summary>
internal static class ChildProcess
{
    public static async Task<string> RunAsync(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (!Environment.ProcessPath!.EndsWith("ReportingApi.Benchmarks", StringComparison.Ordinal))
        {
            start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? output.Trim().Split('\n')[^1]
            // Only the command: the arguments include a connection string with its password.
            : throw new InvalidOperationException($"The benchmark's '{arguments.First()}' child process failed (exit code {process.ExitCode}): {output}");
    }

    /// <summary>VmHWM: the process's peak resident set size.</summary>
    public static long PeakRssBytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}

/// <summary>A bash command line or a program, timed by the caller; fails loudly.</summary>
internal static class Shell
{
    /// <param name="argument0">Passed as <c>$0</c>, so that a query needs no quoting inside the command line.</param>
    /// <returns>What the command wrote to standard output (nothing when it redirects it).</returns>
    public static Task<string> RunAsync(string commandLine, string? gnupgHome = null, string argument0 = "bash") =>
        RunProgramAsync("bash", ["-o", "pipefail", "-c", commandLine, argument0], environment: gnupgHome is null ? null : new() { ["GNUPGHOME"] = gnupgHome },
            name: commandLine.Split(' ')[0]);

    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/> as they are (no shell); its standard output.</summary>
    /// <param name="name">What a failure names (never the arguments: they may hold a connection string or a token).</param>
    public static async Task<string> RunProgramAsync(
        string program, IEnumerable<string> arguments, string? workingDirectory = null, Dictionary<string, string>? environment = null, string? name = null)
    {
        var start = new ProcessStartInfo(program, arguments) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var (variable, value) in environment ?? [])
        {
            start.Environment[variable] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"'{name ?? program}' exited with {process.ExitCode}: {error}{await output}");
    }
}
