using Dapper;
using Org.BouncyCastle.Bcpg.OpenPgp;
using ReportingApi.Data;
using ReportingApi.Partners;
using ReportingApi.Pgp;

namespace ReportingApi.Inbound;

/// <summary>A partner as inbound processing sees it: its policy and the public key its signatures are checked against (null: none usable on file).</summary>
public sealed record InboundPartner(int PartnerId, InboundPolicy Policy, PgpPublicKeyRing? SigningKey, string? SigningKeyFingerprint);

/// <summary>Each partner's inbound policy (<c>inbound_policies</c>, defaults without a row) and its PGP key on file.</summary>
public sealed class InboundPartners(DbConnectionFactory connections, PartnerStore partners, PgpKeyValidator keys)
{
    /// <summary>The partner, or null when there is none.</summary>
    public async Task<InboundPartner?> FindAsync(int partnerId, CancellationToken cancellationToken)
    {
        if (await partners.FindAsync(partnerId, cancellationToken) is null)
        {
            return null;
        }

        var profile = await partners.GetAsync(partnerId, cancellationToken);
        // The key the partner admin endpoint stored whole; one no longer valid (expired, revoked) verifies nothing.
        var key = profile.PgpPublicKey is { } armored && keys.Validate(armored) is { IsValid: true } valid ? valid.Key : null;
        return new InboundPartner(partnerId, await GetPolicyAsync(partnerId, cancellationToken), key?.PublicKeyRing, key?.Fingerprint);
    }

    public async Task<InboundPolicy> GetPolicyAsync(int partnerId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(string SignaturePolicy, int AllowPlaintext, long? MaxBytes)?>(
            "SELECT signature_policy, allow_plaintext, max_bytes FROM inbound_policies WHERE partner_id = @partnerId", new { partnerId });
        return row is { } policy && Enum.TryParse<SignaturePolicy>(policy.SignaturePolicy, out var signature)
            ? new InboundPolicy(signature, policy.AllowPlaintext != 0, policy.MaxBytes)
            : InboundPolicy.Default;
    }

    public async Task SetPolicyAsync(int partnerId, InboundPolicy policy, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var values = new { partnerId, signature = policy.Signature.ToString(), plaintext = policy.AllowPlaintext ? 1 : 0, maxBytes = policy.MaxBytes };
        if (await connection.ExecuteAsync(
                "UPDATE inbound_policies SET signature_policy = @signature, allow_plaintext = @plaintext, max_bytes = @maxBytes WHERE partner_id = @partnerId", values, transaction) == 0)
        {
            await connection.ExecuteAsync(
                "INSERT INTO inbound_policies (partner_id, signature_policy, allow_plaintext, max_bytes) VALUES (@partnerId, @signature, @plaintext, @maxBytes)", values, transaction);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
