using System.Net;
using System.Security.Claims;
using System.Text.Json.Nodes;
using ReportingApi.Security;

namespace ReportingApi.Audit;

/// <summary>What an audit entry records; the names are stored and shown, so they never change meaning.</summary>
public static class AuditActions
{
    public const string PartnerCreated = "partner.created";
    public const string PartnerChanged = "partner.changed";
    public const string PartnerActivated = "partner.activated";
    public const string PartnerDeactivated = "partner.deactivated";
    public const string PgpKeySet = "partner.pgp-key.set";
    public const string DeliverySet = "partner.delivery.set";
    public const string SftpUserChanged = "partner.sftp-user.changed";
    public const string InboundPolicyChanged = "partner.inbound-policy.changed";
    public const string WebhookSet = "partner.webhook.set";
    public const string WebhookSecretRotated = "partner.webhook.secret-rotated";
    public const string WebhookRemoved = "partner.webhook.removed";
    public const string SubscriptionPaused = "subscription.paused";
    public const string SubscriptionResumed = "subscription.resumed";
    public const string RunStarted = "run.started";
    public const string RunRedelivered = "run.redelivered";
}

/// <summary>Who made a change: the OAuth2 client and the token's subject, and the address the call came from.</summary>
public sealed record AuditActor(string ClientId, string? Subject, string? SourceIp)
{
    public const string SubjectClaim = "sub";

    /// <summary>From the request's user (claims as the token carries them: inbound claim mapping is off) and its remote address.</summary>
    public static AuditActor From(ClaimsPrincipal user, IPAddress? remoteAddress)
    {
        ArgumentNullException.ThrowIfNull(user);
        var clientId = user.ClientId() ?? throw new InvalidOperationException("An audited change needs an authenticated client (no client_id claim).");
        return new AuditActor(clientId, user.FindFirst(SubjectClaim)?.Value, remoteAddress?.ToString());
    }
}

/// <summary>
/// One change made through the admin API, as the append-only audit table keeps it. <see cref="Changes"/> come from
/// <see cref="AuditDiff"/>, so secrets are already redacted and key material reduced to fingerprints.
/// </summary>
/// <param name="PartnerId">The partner concerned, when there is one; partners see the entries about themselves.</param>
/// <param name="Target">What was changed within the partner, e.g. a run or subscription id; null for the partner itself.</param>
public sealed record AuditEntry(
    DateTimeOffset At,
    AuditActor Actor,
    string Action,
    int? PartnerId,
    string? Target,
    IReadOnlyList<AuditChange> Changes)
{
    /// <summary>The changes as stored: <c>[{"path": "delivery.host", "before": ..., "after": ...}]</c>.</summary>
    public string ChangesJson() => new JsonArray([.. Changes.Select(change => (JsonNode)new JsonObject
    {
        ["path"] = change.Path,
        ["before"] = change.Before?.DeepClone(),
        ["after"] = change.After?.DeepClone(),
    })]).ToJsonString();
}

/// <summary>One changed value: its dotted path, and the value before and after (null: absent).</summary>
public sealed record AuditChange(string Path, JsonNode? Before, JsonNode? After);
