using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ReportingApi.Data;
using ReportingApi.Inbound;
using ReportingApi.Partners;
using ReportingApi.Pgp;
using ReportingApi.Storage;

namespace ReportingApi.Benchmarks;

/// <summary>
/// The inbound benchmark (<c>--inbound [--inbound-mb N] [--work DIR]</c>): a file of N MB (default 1,024) that gpg
/// encrypts to the company key and signs with the partner's key is processed by the app's own
/// <see cref="InboundProcessor"/> (archive copy, decrypt, verify, store the clear file) in a process of its own, on SQLite
/// and the folder object store; it prints the time and the process's peak RSS. The content is random (gpg cannot
/// compress it), so the encrypted file is as large as the clear one.
/// </summary>
internal static class InboundBenchmark
{
    public const string Command = "inbound";

    public sealed record InboundResult(string Status, string? Reason, long ClearBytes, double Seconds, long PeakRssBytes);

    public static async Task<int> MeasureAsync(string workFolder, int megabytes)
    {
        var folder = Directory.CreateDirectory(Path.Combine(workFolder, $"bench-inbound-{Guid.NewGuid():N}")).FullName;
        try
        {
            var keys = await DeliveryBenchmark.CreateKeysAsync(folder);
            var partnerSecret = Path.Combine(keys.Folder, "partner.secret.asc");
            await File.WriteAllTextAsync(partnerSecret, keys.Partner.ArmoredSecretKey);
            await Shell.RunAsync($"gpg --batch --quiet --pinentry-mode loopback --passphrase-file {keys.PassphrasePath} --import {partnerSecret}", keys.GnupgHome);

            var clear = Path.Combine(folder, "clear.bin");
            await WriteRandomAsync(clear, megabytes * 1024L * 1024);
            var upload = Path.Combine(folder, "objects", "partners", "1", "inbound", "payroll.bin.pgp");
            Directory.CreateDirectory(Path.GetDirectoryName(upload)!);
            var gpgWatch = Stopwatch.StartNew();
            await Shell.RunAsync(
                $"gpg --batch --yes --quiet --pinentry-mode loopback --passphrase-file {keys.PassphrasePath} --trust-model always " +
                $"--cipher-algo AES256 --digest-algo SHA256 --compress-algo none -u {keys.Partner.Fingerprint} -r {keys.Company.Fingerprint} --encrypt --sign -o {upload} {clear}",
                keys.GnupgHome);
            Console.WriteLine($"gpg --encrypt --sign of {megabytes:N0} MB: {gpgWatch.Elapsed.TotalSeconds:F1} s");

            var result = JsonSerializer.Deserialize<InboundResult>(await ChildProcess.RunAsync([Command, folder, keys.Folder, keys.Partner.ArmoredPublicKey, keys.Partner.Fingerprint]))!;
            Console.WriteLine($"Inbound {megabytes:N0} MB: " +
                $"{result.Status}{(result.Reason is null ? "" : " (" + result.Reason + ")")}, {result.ClearBytes / 1e6:F1} MB clear, " +
                $"{result.Seconds:F1} s, peak RSS {result.PeakRssBytes / 1e6:F1} MB");
            return result.Status == InboundFileStatus.Stored && result.ClearBytes == new FileInfo(clear).Length ? 0 : 1;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>In the child: the partner onboarded on a new SQLite database, then the upload processed once, timed.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var (folder, keysFolder, partnerKey, partnerFingerprint) = (args[0], args[1], args[2], args[3]);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = nameof(DatabaseProvider.Sqlite),
            ["Database:ConnectionString"] = $"Data Source={Path.Combine(folder, "inbound.db")}",
            ["Pgp:SecretKeyPath"] = Path.Combine(keysFolder, "company.secret.asc"),
            ["Pgp:PassphrasePath"] = Path.Combine(keysFolder, "passphrase"),
            ["ObjectStore:Provider"] = "Folder",
            ["ObjectStore:FolderPath"] = Path.Combine(folder, "objects"),
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<IHostEnvironment>(new DeliveryBenchmark.BenchmarkEnvironment(folder));
        services.AddLogging();
        services.AddData().AddPartners().AddPgp().AddStorage().AddInbound();
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<MigrationRunner>().MigrateAsync();
        var partners = provider.GetRequiredService<PartnerStore>();
        var partnerId = await partners.SaveAsync(null, new PartnerSettings("Benchmark Partner", "bench-partner", true, [], [], [], [], false), CancellationToken.None);
        await partners.SetPgpKeyAsync(partnerId, partnerKey, partnerFingerprint, CancellationToken.None);
        var key = PartnerObjectKeys.InboundPrefix(partnerId) + "payroll.bin.pgp";
        var processor = provider.GetRequiredService<InboundProcessor>();
        _ = provider.GetRequiredService<PgpDecryptor>();

        var watch = Stopwatch.StartNew();
        var outcome = await processor.ProcessAsync(key, "benchmark", CancellationToken.None);
        var seconds = watch.Elapsed.TotalSeconds;
        var file = outcome.File!;
        Console.WriteLine(JsonSerializer.Serialize(new InboundResult(file.Status, file.Reason, file.ClearBytes ?? 0, seconds, ChildProcess.PeakRssBytes())));
        return 0;
    }

    private static async Task WriteRandomAsync(string path, long bytes)
    {
        var random = new Random(13);
        var buffer = new byte[1024 * 1024];
        await using var output = File.Create(path);
        for (long written = 0; written < bytes; written += buffer.Length)
        {
#pragma warning disable CA5394 // Benchmark content, not a secret.
            random.NextBytes(buffer);
#pragma warning restore CA5394
            await output.WriteAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, bytes - written)));
        }
    }
}
