using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ReportingApi.Data;
using ReportingApi.Demo;
using ReportingApi.Partners;
using ReportingApi.Pgp;
using ReportingApi.Reports;
using ReportingApi.Reports.Rendering;

namespace ReportingApi.Benchmarks;

/// <summary>
/// PGP encrypt + sign throughput per key kind: ours (<see cref="PgpEncryptor"/>, in this process) beside
/// <c>gpg --encrypt --sign</c> on the same file, for each kind of recipient key partners send (made by gpg, as they
/// make them) and each kind of company key (made by <see cref="PgpKeyGenerator"/> and imported into gpg, which signs
/// with the same key). Both sides take turns, the first of each turn alternating, and the medians are compared.
/// </summary>
internal static class PgpBenchmark
{
    private const string Passphrase = "benchmark-passphrase";

    /// <summary>gpg's names of the recipient key kinds measured.</summary>
    private static readonly string[] RecipientAlgorithms = ["rsa3072", "rsa4096", "nistp256", "future-default"];

    public static async Task RunAsync(string plainPath, string workFolder, int turns, CompressionLevel level)
    {
        // A fresh key ring each run: gpg refuses to make a key whose user id a work folder's earlier run left in it.
        var folder = Path.Combine(workFolder, "bench-pgp-keys");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        var gnupgHome = Directory.CreateDirectory(Path.Combine(folder, "gnupg")).FullName;
        if (!OperatingSystem.IsWindows())
        {
            // gpg warns about (and some versions refuse) a home folder others can read.
            File.SetUnixFileMode(gnupgHome, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var passphraseFile = Path.Combine(folder, "passphrase");
        await File.WriteAllTextAsync(passphraseFile, Passphrase + "\n");
        var companies = new List<(PgpKeyKind Kind, UnlockedPgpKey Key)>();
        foreach (var kind in Enum.GetValues<PgpKeyKind>())
        {
            var generated = new PgpKeyGenerator(TimeProvider.System).Generate($"Benchmark Company {kind} <company-{kind}@bench.example>", Passphrase, kind: kind);
            var secretPath = Path.Combine(folder, $"company-{kind}.secret.asc");
            await File.WriteAllTextAsync(secretPath, generated.ArmoredSecretKey);
            await Gpg(gnupgHome, $"--pinentry-mode loopback --passphrase-file {passphraseFile} --import {secretPath}");
            companies.Add((kind, UnlockedPgpKey.Unlock(generated.ArmoredSecretKey, Passphrase, DateTimeOffset.UtcNow)));
        }

        var recipients = new List<(string Algorithm, string Fingerprint, PartnerPgpKey Key)>();
        foreach (var algorithm in RecipientAlgorithms)
        {
            var userId = $"Benchmark Partner <{algorithm}@bench.example>";
            if (algorithm == "future-default")
            {
                await Gpg(gnupgHome, $"--pinentry-mode loopback --passphrase '' --quick-gen-key '{userId}' future-default default never");
            }
            else
            {
                await Gpg(gnupgHome, $"--pinentry-mode loopback --passphrase '' --quick-gen-key '{userId}' {algorithm} sign never");
                await Gpg(gnupgHome, $"--pinentry-mode loopback --passphrase '' --quick-add-key {await FingerprintAsync(gnupgHome, userId)} {algorithm} encr never");
            }

            var validation = new PgpKeyValidator(TimeProvider.System).Validate(await Gpg(gnupgHome, $"--armor --export '{userId}'"));
            recipients.Add((algorithm, await FingerprintAsync(gnupgHome, userId), validation.Key ?? throw new InvalidOperationException(validation.Rejection!.Message)));
        }

        var megabytes = new FileInfo(plainPath).Length / 1e6;
        Console.WriteLine($"PGP encrypt + sign of a {megabytes:F0} MB CSV, MB/s (medians of {turns} alternating turns; ours at zlib {level}, gpg at its default, level 6):");
        Console.WriteLine($"  {"company",-9}{"recipient",-34}{"ours MB/s",10}{"gpg MB/s",10}{"ours/gpg",10}{"ours MB",9}{"gpg MB",9}   ours, gpg: slowest-fastest turn");
        foreach (var (companyKind, company) in companies)
        {
            var encryptor = new PgpEncryptor(company, armorByDefault: false, level, TimeProvider.System);
            foreach (var (algorithm, fingerprint, recipient) in recipients)
            {
                var ours = new List<double>();
                var gpg = new List<double>();
                long oursBytes = 0, gpgBytes = 0;
                for (var turn = 0; turn < turns; turn++)
                {
                    var oursFirst = turn % 2 == 0;
                    if (oursFirst)
                    {
                        (var seconds, oursBytes) = await OursAsync(encryptor, recipient, plainPath);
                        ours.Add(megabytes / seconds);
                    }

                    var watch = Stopwatch.StartNew();
                    await Gpg(gnupgHome, $"--yes --quiet --pinentry-mode loopback --passphrase-file {passphraseFile} --trust-model always " +
                        $"--cipher-algo AES256 --digest-algo SHA256 -u {company.Fingerprint} -r {fingerprint} --encrypt --sign -o {plainPath}.gpg {plainPath}");
                    gpg.Add(megabytes / watch.Elapsed.TotalSeconds);
                    gpgBytes = new FileInfo(plainPath + ".gpg").Length;
                    File.Delete(plainPath + ".gpg");

                    if (!oursFirst)
                    {
                        (var seconds, oursBytes) = await OursAsync(encryptor, recipient, plainPath);
                        ours.Add(megabytes / seconds);
                    }
                }

                var (oursMedian, gpgMedian) = (Statistics.Median(ours), Statistics.Median(gpg));
                Console.WriteLine($"  {companyKind,-9}{algorithm + " (" + recipient.EncryptionKey.Algorithm + ")",-34}{oursMedian,10:F1}{gpgMedian,10:F1}{oursMedian / gpgMedian,10:F2}{oursBytes / 1e6,9:F1}{gpgBytes / 1e6,9:F1}" +
                    $"   {ours.Min():F0}-{ours.Max():F0}, {gpg.Min():F0}-{gpg.Max():F0}");
            }
        }
    }

    /// <summary>
    /// The contracts report as CSV for the benchmark's full partner, from a SQLite database filled by the demo data
    /// generator (no MariaDB needed): <paramref name="contracts"/> contracts, about 160 bytes a row for a year.
    /// </summary>
    public static async Task<string> ContractsCsvAsync(string workFolder, int contracts)
    {
        var databasePath = Path.Combine(workFolder, $"bench-pgp-{contracts}.db");
        var csvPath = Path.Combine(workFolder, $"bench-pgp-contracts-{contracts}.csv");
        Directory.CreateDirectory(workFolder);
        File.Delete(databasePath);
        var connections = new DbConnectionFactory(
            Options.Create(new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = $"Data Source={databasePath}" }),
            new DeliveryBenchmark.BenchmarkEnvironment(workFolder));
        await new MigrationRunner(connections, NullLogger<MigrationRunner>.Instance).MigrateAsync();
        var generator = new DemoDataGenerator(contracts);
        await using (var connection = await connections.OpenAsync())
        {
            // The contracts report does not read installments, the largest table.
            foreach (var table in generator.Tables().Where(table => table.Table != "installments"))
            {
                await BulkLoader.LoadAsync(connection, table);
            }

            await DemoDataSeeder.AddPartnersAsync(connection,
                [new DemoPartner(ReportMeasurement.FullPartnerId, "Benchmark, all employers", "bench-all", Enumerable.Range(1, generator.Employers).ToList(), null)]);
        }

        var request = ReportMeasurement.BenchmarkRequest(ReportCatalog.Contracts, ReportFormat.Csv, generator.ReferenceMonth);
        await using (var csv = File.Create(csvPath))
        await using (var rows = await new ReportReader(connections).OpenAsync(request, ReportMeasurement.FullPartnerId, CancellationToken.None))
        {
            await rows.RenderAsync(new CsvReportRenderer(), csv, CancellationToken.None);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(databasePath);
        return csvPath;
    }

    private static async Task<(double Seconds, long Bytes)> OursAsync(PgpEncryptor encryptor, PartnerPgpKey recipient, string plainPath)
    {
        var outputPath = plainPath + ".ours.pgp";
        var watch = Stopwatch.StartNew();
        await using (var input = File.OpenRead(plainPath))
        await using (var output = File.Create(outputPath))
        {
            await encryptor.EncryptAsync(input, output, recipient, Path.GetFileName(plainPath));
        }

        var seconds = watch.Elapsed.TotalSeconds;
        var bytes = new FileInfo(outputPath).Length;
        File.Delete(outputPath);
        return (seconds, bytes);
    }

    private static Task<string> Gpg(string gnupgHome, string arguments) => Shell.RunAsync("gpg --batch " + arguments, gnupgHome);

    private static async Task<string> FingerprintAsync(string gnupgHome, string userId) =>
        (await Gpg(gnupgHome, $"--with-colons --list-keys '{userId}'")).Split('\n').First(line => line.StartsWith("fpr:", StringComparison.Ordinal)).Split(':')[9];
}
