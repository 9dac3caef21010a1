using System.Text;
using System.Text.Json;

namespace ReportingApi.Observability;

/// <summary>CloudWatch's embedded metric format, shared by the run and inbound metrics.</summary>
internal static class EmfDocument
{
    /// <summary>One EMF document: <paramref name="values"/> as metrics without dimensions, and one plain property that identifies what they measure.</summary>
    public static string Format(DateTimeOffset at, IReadOnlyList<(string Name, string Unit, double Value)> values, string propertyName, string propertyValue)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("_aws");
            json.WriteNumber("Timestamp", at.ToUnixTimeMilliseconds());
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

            json.WriteString(propertyName, propertyValue);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Writes one document as one line; a lost metric must not fail what it describes, so write errors are logged only.</summary>
    public static void Write(TextWriter output, string document, ILogger logger, string subject, string id)
    {
        try
        {
            // WriteLine of one string keeps the document on one line even with the console logger writing too.
            output.WriteLine(document);
            output.Flush();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            logger.LogWarning(e, "Could not write the metrics of {Subject} {Id}", subject, id);
        }
    }
}
