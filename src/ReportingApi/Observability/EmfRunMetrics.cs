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
    internal string Format(string runId, IReadOnlyList<(string Name, string Unit, double Value)> values)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("_aws");
            json.WriteNumber("Timestamp", clock.GetUtcNow().ToUnixTimeMilliseconds());
            json.WriteStartArray("CloudWatchMetrics");
            json.WriteStartObject();
            json.WriteString("Namespace", RunMetricNames.Namespace);
            // One empty dimension set: the metrics are published without dimensions.
            json.WriteStartArray("Dimensions");
            json.WriteStartArray();
            json.WriteEndArray();
            json.WriteEndArray();
            json.WriteStartArray("Metrics");
            foreach (var (name, unit, _) in values)
            {
                json.WriteStartObject();
                json.WriteString("Name", name);
                json.WriteString("Unit", unit);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            foreach (var (name, _, value) in values)
            {
                json.WriteNumber(name, value);
            }

            json.WriteString("RunId", runId);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private void Write(string runId, IReadOnlyList<(string Name, string Unit, double Value)> values)
    {
        var line = Format(runId, values);
        try
        {
            // WriteLine of one string keeps the document on one line even with the console logger writing too.
            output.WriteLine(line);
            output.Flush();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // A lost metric must not fail the run it describes.
            logger.LogWarning(e, "Could not write the metrics of run {RunId}", runId);
        }
    }
}
