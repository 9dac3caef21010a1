using Microsoft.Extensions.Options;
using ReportingApi.Partners;

namespace ReportingApi.Webhooks;

public enum WebhookSettingsProblem
{
    NoPartner,
    NoWebhook,
    KeyUnavailable,
}

/// <summary>
/// What a change to a partner's endpoint came to: the endpoint before and after (as the API shows it), the new secret
/// when one was made (to show once), or why nothing changed (<see cref="Errors"/> per field, or a <see cref="Problem"/>).
/// </summary>
public sealed record WebhookChange(
    WebhookResponse? Before = null, WebhookResponse? After = null, string? NewSecret = null, Dictionary<string, string[]>? Errors = null, WebhookSettingsProblem? Problem = null);

/// <summary>Configuring partners' webhook endpoints: URL checked against the target rules, secrets made here and kept encrypted, rotation with an overlap.</summary>
public sealed class WebhookSettings(
    WebhookEndpointStore endpoints,
    PartnerStore partners,
    WebhookSecretKeys keys,
    WebhookUrlPolicy urlPolicy,
    WebhookTargetRules rules,
    IOptions<WebhooksOptions> options,
    TimeProvider clock)
{
    public async Task<bool> PartnerExistsAsync(int partnerId, CancellationToken cancellationToken) =>
        await partners.FindAsync(partnerId, cancellationToken) is not null;

    public async Task<WebhookResponse?> FindAsync(int partnerId, CancellationToken cancellationToken) =>
        await endpoints.FindAsync(partnerId, cancellationToken) is { } endpoint ? WebhookResponse.From(endpoint, Now) : null;

    /// <summary>Creates the endpoint with a new secret, or changes its URL and event types (keeping its secrets, and clearing a 410 Gone).</summary>
    public async Task<WebhookChange> SetAsync(int partnerId, WebhookSettingsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!await PartnerExistsAsync(partnerId, cancellationToken))
        {
            return new WebhookChange(Problem: WebhookSettingsProblem.NoPartner);
        }

        var errors = request.ValidateEventTypes();
        var url = await urlPolicy.CheckAsync(request.Url, rules, cancellationToken);
        if (url.Uri is null)
        {
            errors["url"] = [$"The URL {url.Problem}."];
        }

        if (errors.Count > 0)
        {
            return new WebhookChange(Errors: errors);
        }

        var existing = await endpoints.FindAsync(partnerId, cancellationToken);
        var now = Now;
        string? newSecret = null;
        WebhookEndpoint endpoint;
        if (existing is null)
        {
            var protector = await ProtectorAsync(cancellationToken);
            if (protector is null)
            {
                return new WebhookChange(Problem: WebhookSettingsProblem.KeyUnavailable);
            }

            newSecret = WebhookSecrets.Generate();
            endpoint = new WebhookEndpoint(
                partnerId, url.Uri!.OriginalString, [.. request.EventTypes!.Distinct(StringComparer.Ordinal)], protector.Protect(newSecret, WebhookEndpoint.SecretContext(partnerId)),
                WebhookSecrets.Fingerprint(newSecret), null, null, null, null, now, now);
        }
        else
        {
            endpoint = existing with { Url = url.Uri!.OriginalString, EventTypes = [.. request.EventTypes!.Distinct(StringComparer.Ordinal)], GoneReason = null, UpdatedAt = now };
        }

        await endpoints.SaveAsync(endpoint, cancellationToken);
        return new WebhookChange(existing is null ? null : WebhookResponse.From(existing, now), WebhookResponse.From(endpoint, now), newSecret);
    }

    /// <summary>A new current secret; the old one stays valid beside it for <paramref name="overlap"/> (the configured default when null).</summary>
    public async Task<WebhookChange> RotateAsync(int partnerId, TimeSpan? overlap, CancellationToken cancellationToken)
    {
        if (await endpoints.FindAsync(partnerId, cancellationToken) is not { } existing)
        {
            return new WebhookChange(Problem: await PartnerExistsAsync(partnerId, cancellationToken) ? WebhookSettingsProblem.NoWebhook : WebhookSettingsProblem.NoPartner);
        }

        var protector = await ProtectorAsync(cancellationToken);
        if (protector is null)
        {
            return new WebhookChange(Problem: WebhookSettingsProblem.KeyUnavailable);
        }

        var now = Now;
        var keepFor = overlap ?? options.Value.RotationOverlap;
        var secret = WebhookSecrets.Generate();
        var endpoint = existing with
        {
            ProtectedSecret = protector.Protect(secret, WebhookEndpoint.SecretContext(partnerId)),
            SecretFingerprint = WebhookSecrets.Fingerprint(secret),
            ProtectedPreviousSecret = keepFor > TimeSpan.Zero ? existing.ProtectedSecret : null,
            PreviousSecretFingerprint = keepFor > TimeSpan.Zero ? existing.SecretFingerprint : null,
            PreviousSecretExpiresAt = keepFor > TimeSpan.Zero ? now + keepFor : null,
            UpdatedAt = now,
        };
        await endpoints.SaveAsync(endpoint, cancellationToken);
        return new WebhookChange(WebhookResponse.From(existing, now), WebhookResponse.From(endpoint, now), secret);
    }

    public Task<bool> DeleteAsync(int partnerId, CancellationToken cancellationToken) => endpoints.DeleteAsync(partnerId, cancellationToken);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private async Task<WebhookSecretProtector?> ProtectorAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await keys.GetProtectorAsync(cancellationToken);
        }
        catch (WebhooksUnavailableException)
        {
            return null;
        }
    }
}
