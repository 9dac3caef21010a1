using Dapper;
using ReportingApi.Data;

namespace ReportingApi.Webhooks;

/// <summary>A partner's webhook endpoint as stored; the secrets encrypted (<see cref="WebhookSecretProtector"/>), named by their fingerprints.</summary>
/// <param name="GoneReason">Set when the receiver answered 410 Gone: nothing is sent until the endpoint is configured again.</param>
public sealed record WebhookEndpoint(
    int PartnerId,
    string Url,
    IReadOnlyList<string> EventTypes,
    string ProtectedSecret,
    string SecretFingerprint,
    string? ProtectedPreviousSecret,
    string? PreviousSecretFingerprint,
    DateTime? PreviousSecretExpiresAt,
    string? GoneReason,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    /// <summary>What the protector authenticates with a partner's secrets, so a value copied to another partner's row does not decrypt.</summary>
    public static string SecretContext(int partnerId) => $"partners/{partnerId}/webhook";

    public bool Subscribes(string eventType) => GoneReason is null && EventTypes.Contains(eventType, StringComparer.Ordinal);

    /// <summary>The previous secret while it is still valid.</summary>
    public bool PreviousSecretValidAt(DateTime now) => ProtectedPreviousSecret is not null && PreviousSecretExpiresAt > now;
}

/// <summary>The <c>webhook_endpoints</c> table: one endpoint per partner.</summary>
public sealed class WebhookEndpointStore(DbConnectionFactory connections)
{
    private const string Columns =
        "partner_id AS PartnerId, url AS Url, event_types AS EventTypes, secret AS ProtectedSecret, secret_fingerprint AS SecretFingerprint, " +
        "previous_secret AS ProtectedPreviousSecret, previous_secret_fingerprint AS PreviousSecretFingerprint, " +
        "previous_secret_expires_at AS PreviousSecretExpiresAt, gone_reason AS GoneReason, created_at AS CreatedAt, updated_at AS UpdatedAt";

    public async Task<WebhookEndpoint?> FindAsync(int partnerId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<EndpointRow>($"SELECT {Columns} FROM webhook_endpoints WHERE partner_id = @partnerId", new { partnerId });
        return row?.ToEndpoint();
    }

    /// <summary>Creates the partner's endpoint or replaces every field of it.</summary>
    public async Task SaveAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        await using var connection = await connections.OpenAsync(cancellationToken);
        var values = new
        {
            endpoint.PartnerId, endpoint.Url, eventTypes = string.Join(',', endpoint.EventTypes), endpoint.ProtectedSecret, endpoint.SecretFingerprint,
            endpoint.ProtectedPreviousSecret, endpoint.PreviousSecretFingerprint, endpoint.PreviousSecretExpiresAt, endpoint.GoneReason, endpoint.CreatedAt, endpoint.UpdatedAt,
        };
        var updated = await connection.ExecuteAsync(
            """
            UPDATE webhook_endpoints SET url = @Url, event_types = @eventTypes, secret = @ProtectedSecret, secret_fingerprint = @SecretFingerprint,
              previous_secret = @ProtectedPreviousSecret, previous_secret_fingerprint = @PreviousSecretFingerprint,
              previous_secret_expires_at = @PreviousSecretExpiresAt, gone_reason = @GoneReason, updated_at = @UpdatedAt
            WHERE partner_id = @PartnerId
            """,
            values);
        if (updated == 0)
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO webhook_endpoints (partner_id, url, event_types, secret, secret_fingerprint, previous_secret, previous_secret_fingerprint,
                  previous_secret_expires_at, gone_reason, created_at, updated_at)
                VALUES (@PartnerId, @Url, @eventTypes, @ProtectedSecret, @SecretFingerprint, @ProtectedPreviousSecret, @PreviousSecretFingerprint,
                  @PreviousSecretExpiresAt, @GoneReason, @CreatedAt, @UpdatedAt)
                """,
                values);
        }
    }

    /// <summary>The receiver said 410 Gone: stop sending until an operator configures the endpoint again.</summary>
    public async Task MarkGoneAsync(int partnerId, string reason, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("UPDATE webhook_endpoints SET gone_reason = @reason WHERE partner_id = @partnerId", new { partnerId, reason });
    }

    /// <summary>Removes the endpoint; its events not yet delivered are dropped (kept in the log as such).</summary>
    public async Task<bool> DeleteAsync(int partnerId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var deleted = await connection.ExecuteAsync("DELETE FROM webhook_endpoints WHERE partner_id = @partnerId", new { partnerId }, transaction);
        await connection.ExecuteAsync(
            "UPDATE webhook_events SET status = @dropped, next_attempt_at = NULL, last_reason = @reason WHERE partner_id = @partnerId AND status = @pending",
            new { partnerId, dropped = WebhookEventStatus.Dropped, pending = WebhookEventStatus.Pending, reason = "The webhook endpoint was removed." },
            transaction);
        await transaction.CommitAsync(cancellationToken);
        return deleted > 0;
    }

    private sealed class EndpointRow
    {
        public int PartnerId { get; set; }

        public string Url { get; set; } = "";

        public string EventTypes { get; set; } = "";

        public string ProtectedSecret { get; set; } = "";

        public string SecretFingerprint { get; set; } = "";

        public string? ProtectedPreviousSecret { get; set; }

        public string? PreviousSecretFingerprint { get; set; }

        public DateTime? PreviousSecretExpiresAt { get; set; }

        public string? GoneReason { get; set; }

        public DateTime CreatedAt { get; set; }

        public DateTime UpdatedAt { get; set; }

        public WebhookEndpoint ToEndpoint() => new(
            PartnerId, Url, EventTypes.Split(',', StringSplitOptions.RemoveEmptyEntries), ProtectedSecret, SecretFingerprint, ProtectedPreviousSecret,
            PreviousSecretFingerprint, PreviousSecretExpiresAt, GoneReason, CreatedAt, UpdatedAt);
    }
}
