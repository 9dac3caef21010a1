using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReportingApi.Webhooks;

/// <summary>The event types a partner can subscribe to; the names are part of the API and never change meaning.</summary>
public static class WebhookEventTypes
{
    public const string RunDelivered = "run.delivered";
    public const string RunFailed = "run.failed";
    public const string InboundStored = "inbound.stored";
    public const string InboundRejected = "inbound.rejected";

    public static IReadOnlyList<string> All { get; } = [RunDelivered, RunFailed, InboundStored, InboundRejected];

    public static IReadOnlyList<string> RunTypes { get; } = [RunDelivered, RunFailed];

    public static bool IsKnown(string? type) => All.Contains(type, StringComparer.Ordinal);
}

/// <summary>
/// What a partner receives: <c>{"id", "type", "time", "data"}</c>. The <c>id</c> is the same on every retry of the
/// event, so a receiver that keeps the ids it has processed handles each event once (delivery is at-least-once).
/// </summary>
/// <param name="Id"><c>evt_</c> and 32 hex digits, time-ordered.</param>
/// <param name="Time">When the event happened (UTC), not when this attempt was sent.</param>
public sealed record WebhookEvent<TData>(string Id, string Type, DateTime Time, TData Data);

/// <summary>The <c>data</c> of a <c>run.*</c> event: the run's fields as <c>GET /v1/report-runs/{id}</c> shows them, without the steps.</summary>
/// <param name="From">First day of the period, <c>yyyy-MM-dd</c>.</param>
/// <param name="To">Last day of the period, <c>yyyy-MM-dd</c>.</param>
/// <param name="Status"><c>delivered</c> or <c>failed</c>.</param>
/// <param name="FailureReason">Why the run failed; null when it was delivered.</param>
/// <param name="FileName">Name of the encrypted file on your SFTP server.</param>
/// <param name="Sha256">SHA-256 of the encrypted file, as in the .sha256 file beside it.</param>
/// <param name="Self">The run's URL path in the API.</param>
public sealed record RunEventData(
    string RunId,
    string Report,
    string Format,
    string From,
    string To,
    string Status,
    int Attempts,
    string? FailureReason,
    long? Rows,
    long? Bytes,
    string? Sha256,
    string? FileName,
    DateTime CreatedAt,
    DateTime? DeliveredAt,
    string Self);

/// <summary>An event serialised once: these exact bytes are stored, signed and sent on every attempt.</summary>
public sealed record WebhookEventBody(string Id, string Type, DateTime Time, byte[] Json)
{
    /// <summary>Leaves the body out: it can be large, and its place is the request, not a log line.</summary>
    public override string ToString() => $"{Type} {Id} at {Time:O} ({Json.Length} bytes)";
}

public static class WebhookEvents
{
    public const string IdPrefix = "evt_";

    /// <summary>A new event id: <c>evt_</c> and a UUIDv7 in hex, so ids sort by creation time.</summary>
    public static string NewId() => IdPrefix + Guid.CreateVersion7().ToString("N");

    /// <summary>A <c>run.delivered</c> or <c>run.failed</c> event, serialised.</summary>
    public static WebhookEventBody ForRun(string type, RunEventData data, DateTimeOffset time, string? id = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!WebhookEventTypes.RunTypes.Contains(type, StringComparer.Ordinal))
        {
            throw new ArgumentException($"'{type}' is not a run event type ({string.Join(", ", WebhookEventTypes.RunTypes)}).", nameof(type));
        }

        var webhookEvent = new WebhookEvent<RunEventData>(id ?? NewId(), type, time.UtcDateTime, data with
        {
            CreatedAt = AsUtc(data.CreatedAt),
            DeliveredAt = data.DeliveredAt is { } delivered ? AsUtc(delivered) : null,
        });
        var json = JsonSerializer.SerializeToUtf8Bytes(webhookEvent, WebhookJsonContext.Default.WebhookEventRunEventData);
        return new WebhookEventBody(webhookEvent.Id, type, webhookEvent.Time, json);
    }

    // The database hands back DATETIME without a kind; the values are UTC. A time with a kind of Local is converted.
    private static DateTime AsUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Unspecified => DateTime.SpecifyKind(value, DateTimeKind.Utc),
        _ => value.ToUniversalTime(),
    };
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(WebhookEvent<RunEventData>))]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;
