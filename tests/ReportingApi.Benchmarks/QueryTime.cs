using System.Data.Common;
using System.Diagnostics;
using ReportingApi.Data;
using ReportingApi.Rendering;
using ReportingApi.Reports;

namespace ReportingApi.Benchmarks;

/// <summary>
/// A report's query time as the app sees it: from asking the pool for a connection to the last row read, nothing
/// rendered. The median of several runs on a warm pool, so that it is the database's work that is measured.
/// </summary>
internal static class QueryTime
{
    public sealed record Result(long Rows, double MedianSeconds);

    public static async Task<Result> MeasureAsync(DbConnectionFactory connections, ReportRequest request, int partnerId, int runs)
    {
        var reader = new ReportReader(connections);
        var seconds = new List<double>();
        long rows = 0;
        for (var run = 0; run < runs; run++)
        {
            var watch = Stopwatch.StartNew();
            await using (var data = await reader.OpenAsync(request, partnerId, CancellationToken.None))
            {
                rows = await data.RenderAsync(new RowCounter(), Stream.Null, CancellationToken.None);
            }

            seconds.Add(watch.Elapsed.TotalSeconds);
        }

        return new Result(rows, Statistics.Median(seconds));
    }

    /// <summary>Reads every row and writes nothing.</summary>
    private sealed class RowCounter : IReportRenderer
    {
        public ReportFormat Format => ReportFormat.Csv;

        public async Task<long> RenderAsync(ReportDefinition report, DbDataReader rows, Stream output, CancellationToken cancellationToken)
        {
            long count = 0;
            while (await rows.ReadAsync(cancellationToken))
            {
                count++;
            }

            return count;
        }
    }
}

internal static class Statistics
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
