using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ReportingApi.Data;
using ReportingApi.Reports;

namespace ReportingApi.Benchmarks;

/// <summary>The baseline: the app's own query through <c>mariadb --batch --quick -e "..." &gt; file</c>.</summary>
internal static partial class MariaDbBatch
{
    public sealed record Result(long Rows, long Bytes, double Seconds);

    public static async Task<Result> RunAsync(string clientArguments, int partnerId, ReportRequest request, string workFolder)
    {
        var sql = Literal(ReportReader.BuildQuery(request, partnerId, DatabaseProvider.MySql));
        var path = Path.Combine(workFolder, $"bench-{request.Report.Id}-mariadb.tsv");
        var watch = Stopwatch.StartNew();
        await Shell.RunAsync($"mariadb {clientArguments} --batch --quick -e \"$0\" > {path}", argument0: sql);
        var seconds = watch.Elapsed.TotalSeconds;
        var rows = File.ReadLines(path).LongCount() - 1;
        var bytes = new FileInfo(path).Length;
        File.Delete(path);
        return new Result(rows, bytes, seconds);
    }

    /// <summary>The same query piped into <c>gpg --encrypt --sign</c>: the shell pipeline a run is compared with. Returns seconds.</summary>
    public static async Task<(double Seconds, long Bytes)> PipedToGpgAsync(string clientArguments, int partnerId, ReportRequest request, DeliveryBenchmark.Keys keys, string workFolder)
    {
        var sql = Literal(ReportReader.BuildQuery(request, partnerId, DatabaseProvider.MySql));
        var path = Path.Combine(workFolder, $"bench-{request.Report.Id}-mariadb.tsv.gpg");
        var watch = Stopwatch.StartNew();
        await Shell.RunAsync($"mariadb {clientArguments} --batch --quick -e \"$0\" | {DeliveryBenchmark.GpgEncryptSign(keys, "-", path)}", keys.GnupgHome, sql);
        var seconds = watch.Elapsed.TotalSeconds;
        var bytes = new FileInfo(path).Length;
        File.Delete(path);
        return (seconds, bytes);
    }

    /// <summary>The query with its parameters written in as literals, for the command-line client.</summary>
    private static string Literal(ReportQuery query)
    {
        var sql = query.Sql;
        foreach (var (name, value) in query.Parameters.OrderByDescending(parameter => parameter.Key.Length))
        {
            var literal = value is string text ? $"'{text.Replace("'", "''", StringComparison.Ordinal)}'" : Convert.ToString(value, CultureInfo.InvariantCulture)!;
            sql = Regex.Replace(sql, $"@{name}\\b", literal);
        }

        return sql;
    }
}
