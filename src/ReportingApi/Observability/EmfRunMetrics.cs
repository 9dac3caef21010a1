using System.Text;
using System.Text.Json;

namespace ReportingApi.Observability;

/// <summary>
/// Run metrics in CloudWatch's embedded metric format: one JSON object per line on stdout, which Lambda sends to
/// CloudWatch Logs, where the <c>_aws</c> envelope turns its members into metrics. No dimensions: the alarms on
/// these metrics (and their cost) are per function, not per partner; the run id rides along as a plain property.
/// </summary>
public sealed class EmfRunMetrics(TextWriter output, TimeProvider clock, ILogger<EmfRunMetrics> logger) : IRunMetrics
{
    private const string Count = "Count";

    public void RunDelivered(string runId, long? rows, long? bytes, TimeSpan duration)
    {
        var values = new List<(string Name, string Unit, double Value)> { (RunMetricNames.RunsDelivered, Count, 1) };
        if (rows is { } rowCount)
        {
            values.Add((RunMetricNames.RunRows, Count, rowCount));
        }

        if (bytes is { } byteCount)
        {
            values.Add((RunMetricNames.RunBytes, "Bytes", byteCount));
        }

        values.Add((RunMetricNames.RunDurationMs, "Milliseconds", Math.Round(duration.TotalMilliseconds)));
        Write(runId, values);
    }

    public void RunFailed(string runId, TimeSpan duration) =>
        Write(runId, [(RunMetricNames.RunsFailed, Count, 1), (RunMetricNames.RunDurationMs, "Milliseconds", Math.Round(duration.TotalMilliseconds))]);

    /// <summary>One EMF document for the given metrics.</summary>
    internal string Format(string runId, IReadOnlyList<(string Name, string Unit, double Value)> values) =>
        EmfDocument.Format(clock.GetUtcNow(), values, "RunId", runId);

    private void Write(string runId, IReadOnlyList<(string Name, string Unit, double Value)> values) =>
        EmfDocument.Write(output, Format(runId, values), logger, "run", runId);
}
