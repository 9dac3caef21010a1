using System.Data.Common;
using System.Diagnostics;
using ReportingApi.Data;
using ReportingApi.Reports;
using ReportingApi.Reports.Rendering;

namespace ReportingApi.Benchmarks;

/// <summary>
/// A report's query time as the app sees it: from asking the pool for a connection to the last row read, nothing
/// rendered; and the database server's CPU time for it. The partners take turns (the machine is shared, its load
/// changes), on a warm pool, and the medians count.
/// </summary>
internal static class QueryTime
{
    public sealed record Result(int PartnerId, long Rows, double MedianSeconds, double MedianServerCpuSeconds);

    public static async Task<IReadOnlyList<Result>> MeasureAsync(DbConnectionFactory connections, ProcessCpu server, ReportRequest request, IReadOnlyList<int> partnerIds, int turns)
    {
        var reader = new ReportReader(connections);
        var seconds = partnerIds.ToDictionary(id => id, _ => new List<double>());
        var serverSeconds = partnerIds.ToDictionary(id => id, _ => new List<double>());
        var rows = partnerIds.ToDictionary(id => id, _ => 0L);
        for (var turn = 0; turn < turns; turn++)
        {
            foreach (var partnerId in partnerIds)
            {
                var serverBefore = server.Used();
                var watch = Stopwatch.StartNew();
                await using (var data = await reader.OpenAsync(request, partnerId, CancellationToken.None))
                {
                    rows[partnerId] = await data.RenderAsync(new RowCounter(), Stream.Null, CancellationToken.None);
                }

                seconds[partnerId].Add(watch.Elapsed.TotalSeconds);
                serverSeconds[partnerId].Add((server.Used() - serverBefore).TotalSeconds);
            }
        }

        return partnerIds.Select(id => new Result(id, rows[id], Statistics.Median(seconds[id]), Statistics.Median(serverSeconds[id]))).ToList();
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
