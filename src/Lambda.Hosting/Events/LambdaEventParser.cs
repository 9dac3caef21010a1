using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Lambda.Hosting.Events;

/// <summary>Tells the event kind from the JSON and reads the typed models (only the fields handlers need).</summary>
internal static class LambdaEventParser
{
    private const string HttpApiVersion = "2.0";
    private const string S3EventSource = "aws:s3";

    /// <exception cref="JsonException">The event is not JSON.</exception>
    public static JsonElement ParseRoot(ReadOnlySpan<byte> eventJson) => JsonSerializer.Deserialize(eventJson, LambdaJsonContext.Default.JsonElement);

    public static LambdaEventKind Classify(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return LambdaEventKind.Unknown;
        }

        if (StringProperty(root, "version") == HttpApiVersion
            && root.TryGetProperty("requestContext", out var requestContext)
            && requestContext.ValueKind == JsonValueKind.Object
            && requestContext.TryGetProperty("http", out var http)
            && http.ValueKind == JsonValueKind.Object)
        {
            return LambdaEventKind.HttpApi;
        }

        if (root.TryGetProperty("Records", out var records)
            && records.ValueKind == JsonValueKind.Array
            && records.GetArrayLength() > 0
            && records.EnumerateArray().All(record => record.ValueKind == JsonValueKind.Object && StringProperty(record, "eventSource") == S3EventSource))
        {
            return LambdaEventKind.S3;
        }

        if (StringProperty(root, "detail-type") is not null && StringProperty(root, "source") is not null)
        {
            return LambdaEventKind.EventBridge;
        }

        return StringProperty(root, AppInvocation.KindProperty) is { Length: > 0 }
            ? LambdaEventKind.AppInvocation
            : LambdaEventKind.Unknown;
    }

    public static S3Event ReadS3Event(JsonElement root) =>
        new(root.GetProperty("Records").EnumerateArray().Select(ReadS3Record).ToArray());

    public static EventBridgeEvent ReadEventBridgeEvent(JsonElement root) =>
        new(
            StringProperty(root, "id"),
            RequiredString(root, "source"),
            RequiredString(root, "detail-type"),
            StringProperty(root, "account"),
            StringProperty(root, "region"),
            Timestamp(root, "time"),
            root.TryGetProperty("resources", out var resources) && resources.ValueKind == JsonValueKind.Array
                ? resources.EnumerateArray().Select(resource => resource.GetString() ?? string.Empty).ToArray()
                : [],
            root.TryGetProperty("detail", out var detail) ? detail.Clone() : default);

    public static AppInvocation ReadAppInvocation(JsonElement root) =>
        new(
            RequiredString(root, AppInvocation.KindProperty),
            root.TryGetProperty(AppInvocation.PayloadProperty, out var payload) ? payload.Clone() : default);

    private static S3EventRecord ReadS3Record(JsonElement record)
    {
        var s3 = record.GetProperty("s3");
        var bucket = s3.GetProperty("bucket");
        var s3Object = s3.GetProperty("object");
        return new S3EventRecord(
            RequiredString(record, "eventName"),
            Timestamp(record, "eventTime"),
            StringProperty(record, "awsRegion"),
            RequiredString(bucket, "name"),
            // S3 form-encodes keys: '+' is a space and "%2B" a literal plus; UrlDecode does both.
            WebUtility.UrlDecode(RequiredString(s3Object, "key")),
            s3Object.TryGetProperty("size", out var size) && size.ValueKind == JsonValueKind.Number ? size.GetInt64() : null,
            StringProperty(s3Object, "eTag"),
            StringProperty(s3Object, "versionId"));
    }

    private static string? StringProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string RequiredString(JsonElement element, string name) =>
        StringProperty(element, name) ?? throw new JsonException($"The event has no string property '{name}'.");

    private static DateTimeOffset Timestamp(JsonElement element, string name) =>
        DateTimeOffset.TryParse(StringProperty(element, name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : DateTimeOffset.MinValue;
}
