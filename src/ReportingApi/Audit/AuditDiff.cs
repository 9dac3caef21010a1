using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ReportingApi.Audit;

/// <summary>How a property's value appears in the audit trail.</summary>
public enum AuditRedaction
{
    /// <summary>Replaced by <see cref="AuditDiff.Redacted"/>: the entry says it changed, never what it was.</summary>
    Secret,

    /// <summary>Replaced by its <see cref="AuditFingerprint"/>: long key material, told apart but not repeated. Not for low-entropy secrets (guessable).</summary>
    Fingerprint,
}

/// <summary>
/// The before → after of an admin change, as audit entries record it: both states serialised as the API shows them
/// (camelCase, enums as names), compared property by property (objects recursively, arrays and other values whole),
/// and each changed value redacted by property name, at any depth. The comparison sees the real values, so a
/// changed secret still shows as a change.
/// </summary>
public static class AuditDiff
{
    public const string Redacted = "[redacted]";

    /// <summary>How states are serialised for the diff: as the API writes them.</summary>
    public static JsonSerializerOptions SerializerOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    /// <param name="before">The state before the change; null when it was created.</param>
    /// <param name="after">The state after the change; null when it was removed.</param>
    /// <param name="redactions">By property name (matched ignoring case), how its value is shown.</param>
    public static IReadOnlyList<AuditChange> Compute<T>(T? before, T? after, IReadOnlyDictionary<string, AuditRedaction> redactions)
        where T : class =>
        Compute(
            before is null ? null : JsonSerializer.SerializeToNode(before, SerializerOptions),
            after is null ? null : JsonSerializer.SerializeToNode(after, SerializerOptions),
            redactions);

    public static IReadOnlyList<AuditChange> Compute(JsonNode? before, JsonNode? after, IReadOnlyDictionary<string, AuditRedaction> redactions)
    {
        ArgumentNullException.ThrowIfNull(redactions);
        var byName = new Dictionary<string, AuditRedaction>(redactions, StringComparer.OrdinalIgnoreCase);
        var changes = new List<AuditChange>();
        Compare("", null, before, after, byName, changes);
        return changes;
    }

    private static void Compare(string path, string? name, JsonNode? before, JsonNode? after, Dictionary<string, AuditRedaction> redactions, List<AuditChange> changes)
    {
        // Objects are compared field by field (one created or removed too, so that every path reads the same way),
        // unless the property is redacted as a whole.
        var redacted = name is not null && redactions.ContainsKey(name);
        if (!redacted && (before is JsonObject || after is JsonObject) && before is null or JsonObject && after is null or JsonObject)
        {
            var beforeObject = before as JsonObject;
            var afterObject = after as JsonObject;
            var names = (beforeObject?.Select(p => p.Key) ?? []).Concat(afterObject?.Select(p => p.Key) ?? []).Distinct(StringComparer.Ordinal);
            foreach (var property in names)
            {
                Compare(path.Length == 0 ? property : $"{path}.{property}", property, beforeObject?[property], afterObject?[property], redactions, changes);
            }

            return;
        }

        if (!JsonNode.DeepEquals(before, after))
        {
            changes.Add(new AuditChange(path, Redact(name, before, redactions), Redact(name, after, redactions)));
        }
    }

    private static JsonNode? Redact(string? name, JsonNode? value, Dictionary<string, AuditRedaction> redactions)
    {
        if (value is null)
        {
            return null;
        }

        if (name is not null && redactions.TryGetValue(name, out var redaction))
        {
            return redaction switch
            {
                AuditRedaction.Fingerprint => JsonValue.Create(Fingerprint(value)),
                _ => JsonValue.Create(Redacted),
            };
        }

        return value switch
        {
            JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, Redact(p.Key, p.Value, redactions)))),
            JsonArray array => new JsonArray([.. array.Select(item => Redact(null, item, redactions))]),
            _ => value.DeepClone(),
        };
    }

    private static string Fingerprint(JsonNode value) =>
        AuditFingerprint.Of(value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString());
}
