using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text.Json;
using ReportingApi.Data;
using ReportingApi.Reports;
using ReportingApi.Reports.Rendering;
using ReportingApi.TestSupport;

namespace ReportingApi.Benchmarks;

/// <summary>One report run, query to rendered file, measured in a process of its own so that its peak RSS is its own.</summary>
internal static class ReportMeasurement
{
    public const string Command = "measure";
    public const int FullPartnerId = 100;
    public const int TenthPartnerId = 101;
    public const int OnePartnerId = 102;

    /// <param name="MethodsCompiled">Methods the JIT compiled during the measured run: few once warmed up.</param>
    public sealed record Result(string Report, string Format, int PartnerId, long Rows, long Bytes, double Seconds, long PeakRssBytes, double WarmUpSeconds, long MethodsCompiled);

    /// <summary>
    /// The period each report is measured over: the year up to the reference month for the contract-based reports
    /// (nearly every contract overlaps it), one month for installments (one installment per active contract).
    /// </summary>
    public static ReportRequest BenchmarkRequest(ReportDefinition report, ReportFormat format, DateOnly referenceMonth) =>
        report.Id == ReportCatalog.Installments.Id
            ? new ReportRequest(report, format, referenceMonth.AddMonths(-1), referenceMonth.AddDays(-1), new Dictionary<string, string>())
            : new ReportRequest(report, format, referenceMonth.AddMonths(-11), referenceMonth.AddMonths(1).AddDays(-1), new Dictionary<string, string>());

    public static async Task<Result> InChildProcessAsync(string connectionString, string report, string format, int partnerId, string workFolder) =>
        JsonSerializer.Deserialize<Result>(await ChildProcess.RunAsync([Command, connectionString, report, format, partnerId.ToString(CultureInfo.InvariantCulture), workFolder]))!;

    public static async Task<int> RunAsync(string[] args)
    {
        var (connectionString, reportId, formatName, partnerId, workFolder) = (args[0], args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture), args[4]);
        if (!ReportFormats.TryParse(formatName, out var format))
        {
            throw new ArgumentException($"Unknown format '{formatName}'.");
        }

        var report = ReportCatalog.Find(reportId)!;
        var request = BenchmarkRequest(report, format, ReportingApi.Demo.DemoDataGenerator.DefaultReferenceMonth);
        var connections = MariaDbServer.ConnectionFactory(connectionString);
        IReportRenderer renderer = format switch
        {
            ReportFormat.Csv => new CsvReportRenderer(),
            ReportFormat.Xlsx => new XlsxReportRenderer(),
            _ => new JsonReportRenderer(),
        };

        var path = Path.Combine(workFolder, $"bench-{reportId}-{partnerId}.{formatName}");
        // As a running service is: a pooled connection and the report's code at the JIT's last tier, by the same report
        // for one employer written to a file the same way (see WarmUp).
        var warmUp = await WarmUp.UntilJitQuietAsync(() => RenderToFileAsync(connections, request, OnePartnerId, renderer, path));

        var compiledBefore = JitInfo.GetCompiledMethodCount();
        var watch = Stopwatch.StartNew();
        var rows = await RenderToFileAsync(connections, request, partnerId, renderer, path);
        var seconds = watch.Elapsed.TotalSeconds;
        var bytes = new FileInfo(path).Length;
        File.Delete(path);
        var compiled = JitInfo.GetCompiledMethodCount() - compiledBefore;
        Console.WriteLine(JsonSerializer.Serialize(new Result(reportId, formatName, partnerId, rows, bytes, seconds, ChildProcess.PeakRssBytes(), warmUp.TotalSeconds, compiled)));
        return 0;
    }

    private static async Task<long> RenderToFileAsync(DbConnectionFactory connections, ReportRequest request, int partnerId, IReportRenderer renderer, string path)
    {
        await using var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await using var data = await new ReportReader(connections).OpenAsync(request, partnerId, CancellationToken.None);
        return await data.RenderAsync(renderer, output, CancellationToken.None);
    }
}
