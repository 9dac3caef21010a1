namespace ReportingApi.Webhooks;

/// <summary>A partner's webhook endpoint as an operator sets it.</summary>
/// <param name="Url">https URL that receives the events (http and loopback only in Development); never private, loopback or link-local addresses.</param>
/// <param name="EventTypes">Any of run.delivered, run.failed.</param>
public sealed record WebhookSettingsRequest(string? Url, IReadOnlyList<string>? EventTypes)
{
    /// <summary>The event types that can be subscribed today (the inbound.* types come with inbound files).</summary>
    public static IReadOnlyList<string> Subscribable => WebhookEventTypes.RunTypes;

    public Dictionary<string, string[]> ValidateEventTypes()
    {
        var errors = new Dictionary<string, string[]>();
        if (EventTypes is not { Count: > 0 } types || types.Any(type => !Subscribable.Contains(type, StringComparer.Ordinal)))
        {
            errors["eventTypes"] = [$"'eventTypes' must list one or more of: {string.Join(", ", Subscribable)}."];
        }

        return errors;
    }
}

/// <summary>A partner's webhook endpoint. Secrets are named by fingerprint only; the secret itself is shown once, when it is made.</summary>
/// <param name="SecretFingerprint">sha256: and 16 hex digits of the current secret's SHA-256.</param>
/// <param name="PreviousSecretFingerprint">During a rotation's overlap: the previous secret, which still signs until <paramref name="PreviousSecretValidUntil"/>.</param>
/// <param name="GoneReason">Set when the receiver answered 410 Gone: nothing is sent until the endpoint is set again (PUT).</param>
public sealed record WebhookResponse(
    int PartnerId,
    string Url,
    IReadOnlyList<string> EventTypes,
    string SecretFingerprint,
    string? PreviousSecretFingerprint,
    DateTime? PreviousSecretValidUntil,
    string? GoneReason,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    public static WebhookResponse From(WebhookEndpoint endpoint, DateTime now)
    {
        var previousValid = endpoint.PreviousSecretValidAt(now);
        return new(
            endpoint.PartnerId, endpoint.Url, endpoint.EventTypes, endpoint.SecretFingerprint, previousValid ? endpoint.PreviousSecretFingerprint : null,
            previousValid ? endpoint.PreviousSecretExpiresAt : null, endpoint.GoneReason, endpoint.CreatedAt, endpoint.UpdatedAt);
    }
}

/// <summary>The endpoint with its new signing secret: shown this once, never again. Give it to the partner over a safe channel.</summary>
/// <param name="Secret">whsec_ and 43 characters; the HMAC-SHA256 key, used as UTF-8 bytes, all of it.</param>
public sealed record WebhookWithSecretResponse(WebhookResponse Webhook, string Secret);

/// <summary>The endpoint's settings as the audit trail compares them: secrets by fingerprint.</summary>
public sealed record WebhookAuditState(string Url, IReadOnlyList<string> EventTypes, string SecretFingerprint, string? PreviousSecretFingerprint, DateTime? PreviousSecretValidUntil, string? GoneReason)
{
    public static WebhookAuditState? From(WebhookResponse? response) => response is null
        ? null
        : new(response.Url, response.EventTypes, response.SecretFingerprint, response.PreviousSecretFingerprint, response.PreviousSecretValidUntil, response.GoneReason);
}

/// <summary>A page of the delivery log, newest event first; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record WebhookDeliveryPage(IReadOnlyList<LoggedWebhookEvent> Items, string? NextCursor);
