namespace ReportingApi.Audit;

/// <summary>
/// What the admin endpoints call after a successful change: one line each,
/// <c>await audit.RecordAsync(context, AuditActions.X, partnerId, target, before, after, cancellationToken);</c>, with the
/// states as the API shows them (before null on creation, after null on removal). The actor (client id and subject)
/// comes from the token and the address from the connection; values under a name in <see cref="Redactions"/> are
/// fingerprinted or hidden, after comparing, so a changed secret still shows as a change.
/// </summary>
public sealed class AuditTrail(AuditStore store, TimeProvider clock)
{
    /// <summary>
    /// By property name, at any depth: key material and generated secrets become their <see cref="AuditFingerprint"/>;
    /// anything that could be a low-entropy secret is hidden. SFTP login secrets are stored as references (names of
    /// secrets), which are shown as they are.
    /// </summary>
    public static IReadOnlyDictionary<string, AuditRedaction> Redactions { get; } = new Dictionary<string, AuditRedaction>(StringComparer.OrdinalIgnoreCase)
    {
        ["armoredPublicKey"] = AuditRedaction.Fingerprint,
        ["secret"] = AuditRedaction.Fingerprint,
        ["previousSecret"] = AuditRedaction.Fingerprint,
        ["privateKey"] = AuditRedaction.Secret,
        ["password"] = AuditRedaction.Secret,
        ["passphrase"] = AuditRedaction.Secret,
        ["clientSecret"] = AuditRedaction.Secret,
    };

    public async Task RecordAsync<TState>(
        HttpContext context, string action, int? partnerId, string? target, TState? before, TState? after, CancellationToken cancellationToken)
        where TState : class
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrEmpty(action);
        var entry = new AuditEntry(
            clock.GetUtcNow(),
            AuditActor.From(context.User, context.Connection.RemoteIpAddress),
            action,
            partnerId,
            target,
            AuditDiff.Compute(before, after, Redactions));
        await store.AppendAsync(entry, cancellationToken);
    }
}
