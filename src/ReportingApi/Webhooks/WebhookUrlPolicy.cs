using System.Net;
using System.Net.Sockets;

namespace ReportingApi.Webhooks;

/// <summary>
/// Checks a webhook URL when it is configured, so that the operator or partner hears at once why it is refused.
/// This is not the protection against SSRF (a name can resolve elsewhere later); <see cref="WebhookConnectGuard"/>
/// checks again on every connection.
/// </summary>
public sealed class WebhookUrlPolicy(IHostAddressResolver resolver)
{
    public const int MaxUrlLength = 2048;

    /// <summary>The URL's form, without resolving its host: absolute, http(s) as the rules allow, no credentials, no fragment.</summary>
    public static WebhookUrlCheck CheckForm(string? url, WebhookTargetRules rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        if (string.IsNullOrWhiteSpace(url))
        {
            return WebhookUrlCheck.Refused("is empty");
        }

        if (url.Length > MaxUrlLength)
        {
            return WebhookUrlCheck.Refused($"is longer than {MaxUrlLength} characters");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
        {
            return WebhookUrlCheck.Refused(rules.RequireHttps ? "must be an absolute https URL" : "must be an absolute http or https URL");
        }

        if (rules.RequireHttps && uri.Scheme != Uri.UriSchemeHttps)
        {
            return WebhookUrlCheck.Refused("must use https (plain http is accepted in Development only)");
        }

        if (uri.UserInfo.Length > 0)
        {
            return WebhookUrlCheck.Refused("must not contain a user name or password (they would be stored and shown as part of the URL)");
        }

        if (uri.Fragment.Length > 0)
        {
            return WebhookUrlCheck.Refused("must not have a fragment ('#...'): it is never sent");
        }

        return string.IsNullOrEmpty(uri.IdnHost) ? WebhookUrlCheck.Refused("has no host") : WebhookUrlCheck.Allowed(uri);
    }

    /// <summary><see cref="CheckForm"/>, then every address the host resolves to must be allowed by <see cref="ForbiddenAddresses"/>.</summary>
    public async Task<WebhookUrlCheck> CheckAsync(string? url, WebhookTargetRules rules, CancellationToken cancellationToken)
    {
        var form = CheckForm(url, rules);
        if (form.Uri is not { } uri)
        {
            return form;
        }

        IPAddress[] addresses;
        try
        {
            addresses = await ResolveAsync(resolver, uri.IdnHost, cancellationToken);
        }
        catch (SocketException e)
        {
            return WebhookUrlCheck.Refused($"has a host that does not resolve ({uri.IdnHost}: {e.SocketErrorCode})");
        }

        if (addresses.Length == 0)
        {
            return WebhookUrlCheck.Refused($"has a host without addresses ({uri.IdnHost})");
        }

        var forbidden = addresses
            .Select(address => (Address: address, Reason: ForbiddenAddresses.Reason(address, rules)))
            .Where(a => a.Reason is not null)
            .Select(a => $"{a.Address} is {a.Reason}")
            .ToList();
        return forbidden.Count == 0
            ? form
            : WebhookUrlCheck.Refused($"must point to public addresses only: {uri.IdnHost} resolves to {string.Join("; ", forbidden)}");
    }

    /// <summary>An IP literal is its own address; a name is resolved.</summary>
    internal static async Task<IPAddress[]> ResolveAsync(IHostAddressResolver resolver, string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host, out var literal) ? [literal] : await resolver.ResolveAsync(host, cancellationToken);
}

/// <summary>A webhook URL checked: <see cref="Uri"/> when allowed, else <see cref="Problem"/> (what is wrong, to follow "The URL ...").</summary>
public sealed record WebhookUrlCheck(Uri? Uri, string? Problem)
{
    public static WebhookUrlCheck Allowed(Uri uri) => new(uri, null);

    public static WebhookUrlCheck Refused(string problem) => new(null, problem);
}
