using System.Diagnostics;
using System.Globalization;
using ReportingApi.Benchmarks;
using ReportingApi.Reports;
using ReportingApi.Reports.Rendering;
using ReportingApi.TestSupport;
using static ReportingApi.Benchmarks.CommandLine;

// Report benchmark: generates N contracts in a private MariaDB, then times each report's query for a partner with
// every employer, every tenth and one employer; then every report in every format end to end (query -> rendered file)
// in a fresh process each, so peak RSS is per run, beside the same query through `mariadb --batch --quick`, in
// alternating turns. Usage: dotnet run -c Release --project tests/ReportingApi.Benchmarks -- [--contracts N] [--work DIR]
switch (args.FirstOrDefault())
{
    case ReportMeasurement.Command:
        return await ReportMeasurement.RunAsync(args[1..]);
    case DeliveryBenchmark.RunCommand:
        return await DeliveryBenchmark.RunAsync(args[1..]);
    case StartBenchmark.Command:
        return await StartBenchmark.RunAsync(args[1..]);
    case LoadBenchmark.Command:
        return await LoadBenchmark.RunAsync(args[1..]);
    case RequestCostBenchmark.Command:
        return await RequestCostBenchmark.RunAsync(args[1..]);
    case InboundBenchmark.Command:
        return await InboundBenchmark.RunAsync(args[1..]);
}

// --inbound: only the inbound benchmark (a gpg-encrypted and signed upload of --inbound-mb MB through InboundProcessor).
if (args.Contains("--inbound"))
{
    return await InboundBenchmark.MeasureAsync(Option(args, "--work") ?? Path.GetTempPath(), int.Parse(Option(args, "--inbound-mb") ?? "1024", CultureInfo.InvariantCulture));
}

var contracts = int.Parse(Option(args, "--contracts") ?? "1000000", CultureInfo.InvariantCulture);
var workFolder = Option(args, "--work") ?? Path.GetTempPath();
var formats = (Option(args, "--formats") ?? "csv,xlsx,json").Split(',');
var reports = (Option(args, "--reports") ?? string.Join(',', ReportCatalog.All.Select(r => r.Id))).Split(',', StringSplitOptions.RemoveEmptyEntries);
var deliveryBenchmark = Option(args, "--delivery") != "no";
// Both sides of a comparison share the machine's two cores (with the database server) and vary by 10-20 % from one
// run to the next, so they take turns, several times, and the medians are compared.
var repetitions = int.Parse(Option(args, "--repeat") ?? "3", CultureInfo.InvariantCulture);
var pgpLevel = Enum.Parse<System.IO.Compression.CompressionLevel>(Option(args, "--pgp-level") ?? nameof(System.IO.Compression.CompressionLevel.Optimal));

// --pgp-only: only the PGP comparison, on --pgp-file or on a contracts CSV rendered from a SQLite database that the demo
// data generator fills with --contracts contracts (no MariaDB needed).
if (args.Contains("--pgp-only"))
{
    var plainPath = Option(args, "--pgp-file") ?? await PgpBenchmark.ContractsCsvAsync(workFolder, contracts);
    await PgpBenchmark.RunAsync(plainPath, workFolder, repetitions, pgpLevel);
    return 0;
}

// --database (connection string) and --client-options (a mariadb client defaults file) measure an already generated
// benchmark database instead of starting and filling a new server.
await using var database = await BenchmarkDatabase.OpenAsync(args, contracts, workFolder);
var (connectionString, clientArguments, connections, generator) = (database.ConnectionString, database.ClientArguments, database.Connections, database.Generator);
var serverCpu = database.ServerCpu();

var partners = new[] { (Id: ReportMeasurement.FullPartnerId, Label: "all"), (Id: ReportMeasurement.TenthPartnerId, Label: "tenth"), (Id: ReportMeasurement.OnePartnerId, Label: "one") };

if (reports.Length > 0)
{
    Console.WriteLine();
    Console.WriteLine($"Query time (pool -> last row read, nothing rendered) and mariadbd's CPU time for it, medians of {repetitions} turns, the partners alternating:");
    Console.WriteLine($"{"report",-13}{"partner",-8}{"rows",12}{"ms",10}{"rows/s",12}{"vs all",8}{"server CPU ms",15}{"vs all",8}");
    foreach (var report in reports.Select(id => ReportCatalog.Find(id)!))
    {
        var request = ReportMeasurement.BenchmarkRequest(report, ReportFormat.Csv, generator.ReferenceMonth);
        var times = await QueryTime.MeasureAsync(connections, serverCpu, request, partners.Select(partner => partner.Id).ToList(), repetitions);
        var (allSeconds, allServerSeconds) = (times[0].MedianSeconds, times[0].MedianServerCpuSeconds);
        foreach (var (time, (_, label)) in times.Zip(partners))
        {
            Console.WriteLine($"{report.Id,-13}{label,-8}{time.Rows,12:N0}{time.MedianSeconds * 1000,10:F1}{time.Rows / time.MedianSeconds,12:N0}{time.MedianSeconds / allSeconds,8:F3}" +
                $"{time.MedianServerCpuSeconds * 1000,15:F1}{time.MedianServerCpuSeconds / allServerSeconds,8:F3}");
        }
    }

    Console.WriteLine();
    Console.WriteLine($"End to end (query -> file), medians of {repetitions} alternating turns; peak RSS the highest; " +
        "the longest warm-up and the most methods compiled during a measured run (after it):");
    Console.WriteLine($"{"report",-13}{"format",-8}{"partner",-8}{"rows",12}{"seconds",9}{"rows/s",11}{"MB",9}{"peak RSS MB",13}{"vs all",8}");
}

foreach (var report in reports.Select(id => ReportCatalog.Find(id)!))
{
    var request = ReportMeasurement.BenchmarkRequest(report, ReportFormat.Csv, generator.ReferenceMonth);
    var baselines = new List<MariaDbBatch.Result>();
    var runs = new Dictionary<(string Format, string Partner), List<ReportMeasurement.Result>>();
    for (var turn = 0; turn < repetitions; turn++)
    {
        baselines.Add(await MariaDbBatch.RunAsync(clientArguments, ReportMeasurement.FullPartnerId, request, workFolder));
        foreach (var format in formats)
        {
            foreach (var (partnerId, label) in partners.Take(2))
            {
                var result = await ReportMeasurement.InChildProcessAsync(connectionString, report.Id, format, partnerId, workFolder);
                runs.TryAdd((format, label), []);
                runs[(format, label)].Add(result);
            }
        }
    }

    var baselineSeconds = Statistics.Median(baselines.Select(b => b.Seconds));
    Console.WriteLine($"{report.Id,-13}{"mariadb",-8}{"all",-8}{baselines[0].Rows,12:N0}{baselineSeconds,9:F2}{baselines[0].Rows / baselineSeconds,11:N0}{baselines[0].Bytes / 1e6,9:F1}{"(client)",13}");
    foreach (var format in formats)
    {
        double? allSeconds = null;
        long? allRss = null;
        foreach (var (_, label) in partners.Take(2))
        {
            var turns = runs[(format, label)];
            var seconds = Statistics.Median(turns.Select(r => r.Seconds));
            var rss = turns.Max(r => r.PeakRssBytes);
            allSeconds ??= seconds;
            allRss ??= rss;
            Console.WriteLine($"{report.Id,-13}{format,-8}{label,-8}{turns[0].Rows,12:N0}{seconds,9:F2}{turns[0].Rows / seconds,11:N0}{turns[0].Bytes / 1e6,9:F1}{rss / 1048576.0,13:F1}" +
                $"{seconds / allSeconds,8:F3}  RSS all/tenth {(double)allRss / rss:F2}  warm-up {turns.Max(r => r.WarmUpSeconds):F1} s, jit {turns.Max(r => r.MethodsCompiled)}" +
                (format == "csv" && label == "all" ? $"  rows/s vs client {baselineSeconds / seconds:F2}" : ""));
        }
    }
}

if (deliveryBenchmark)
{
    Console.WriteLine();
    var keys = await DeliveryBenchmark.CreateKeysAsync(workFolder);
    var contractsRequest = ReportMeasurement.BenchmarkRequest(ReportCatalog.Contracts, ReportFormat.Csv, generator.ReferenceMonth);
    var csvPath = Path.Combine(workFolder, "bench-contracts.csv");
    await using (var csv = File.Create(csvPath))
    await using (var rows = await new ReportReader(connections).OpenAsync(contractsRequest, ReportMeasurement.FullPartnerId, CancellationToken.None))
    {
        await rows.RenderAsync(new CsvReportRenderer(), csv, CancellationToken.None);
    }

    await PgpBenchmark.RunAsync(csvPath, workFolder, repetitions, pgpLevel);
    File.Delete(csvPath);
    Console.WriteLine();

    await DeliveryBenchmark.OnboardAsync(connectionString, ReportMeasurement.FullPartnerId, keys, workFolder);
    // Both sides share the machine's two cores with the database server and vary by 10-20 % from one run to the next,
    // so they take turns, several times, and the medians are compared.
    var compressions = new[] { System.IO.Compression.CompressionLevel.Optimal, System.IO.Compression.CompressionLevel.Fastest };
    var gpgSeconds = new List<double>();
    var runs = compressions.ToDictionary(level => level, _ => new List<DeliveryBenchmark.RunResult>());
    long gpgBytes = 0;
    Console.WriteLine($"Whole run, contracts as CSV (MariaDB -> CSV -> PGP -> object store -> delivery folder), {repetitions} turns each:");
    for (var turn = 1; turn <= repetitions; turn++)
    {
        var pipeline = await MariaDbBatch.PipedToGpgAsync(clientArguments, ReportMeasurement.FullPartnerId, contractsRequest, keys, workFolder);
        gpgSeconds.Add(pipeline.Seconds);
        gpgBytes = pipeline.Bytes;
        var line = $"  turn {turn}: mariadb | gpg {pipeline.Seconds:F2} s";
        foreach (var compression in compressions)
        {
            var run = await DeliveryBenchmark.RunInChildProcessAsync(connectionString, ReportCatalog.Contracts.Id, ReportMeasurement.FullPartnerId, workFolder, keys.Folder, compression);
            runs[compression].Add(run);
            line += $", run zlib {compression} {run.Seconds:F2} s ({run.Status})";
        }

        Console.WriteLine(line);
    }

    var gpgMedian = Statistics.Median(gpgSeconds);
    Console.WriteLine($"  mariadb --batch | gpg         {gpgMedian,8:F2} s median  {"",11}       {gpgBytes / 1e6,7:F1} MB");
    foreach (var (compression, turns) in runs)
    {
        var median = Statistics.Median(turns.Select(r => r.Seconds));
        var last = turns[^1];
        Console.WriteLine($"  report run, zlib {compression,-9}  {median,8:F2} s median  {last.Rows,11:N0} rows  {last.Bytes / 1e6,7:F1} MB  " +
            $"peak RSS {turns.Max(r => r.PeakRssBytes) / 1048576.0:F1} MB  ratio {median / gpgMedian:F2}");
    }
}

return 0;
