namespace ReportingApi.Webhooks;

/// <summary>
/// Where webhooks may go. Outside Development: https only, and only to public addresses (no SSRF into our VPC or the
/// instance metadata service). In Development also plain http and loopback, so that tests and the demo can use a
/// receiver on the same machine; private ranges stay refused there too.
/// </summary>
public sealed record WebhookTargetRules(bool RequireHttps, bool AllowLoopback)
{
    public static WebhookTargetRules Production { get; } = new(RequireHttps: true, AllowLoopback: false);

    public static WebhookTargetRules Development { get; } = new(RequireHttps: false, AllowLoopback: true);

    public static WebhookTargetRules For(IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment.IsDevelopment() ? Development : Production;
    }
}
