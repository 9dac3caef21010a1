using System.Text.Json;

namespace Lambda.Hosting.Events;

/// <summary>
/// An invocation the app sends itself (e.g. Lambda <c>Invoke</c> with <c>InvocationType: Event</c>):
/// <c>{"kind": "...", "payload": ...}</c>. Handlers are chosen by <see cref="Kind"/>.
/// </summary>
/// <param name="Kind">What to do; the key handlers are registered under.</param>
/// <param name="Payload">The kind-specific data (JSON null when absent).</param>
public sealed record AppInvocation(string Kind, JsonElement Payload)
{
    /// <summary>The JSON property that names the kind; its presence marks an app invocation.</summary>
    public const string KindProperty = "kind";

    /// <summary>The JSON property that holds the payload.</summary>
    public const string PayloadProperty = "payload";

    /// <summary>The event to send to the function for <paramref name="kind"/> with <paramref name="payload"/>.</summary>
    public static byte[] ToEventJson<TPayload>(string kind, TPayload payload, JsonSerializerOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        var document = new Dictionary<string, object?>
        {
            [KindProperty] = kind,
            [PayloadProperty] = JsonSerializer.SerializeToElement(payload, options ?? JsonSerializerOptions.Web),
        };
        return JsonSerializer.SerializeToUtf8Bytes(document);
    }
}
