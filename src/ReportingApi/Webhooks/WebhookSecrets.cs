using System.Buffers.Text;
using System.Security.Cryptography;
using ReportingApi.Audit;

namespace ReportingApi.Webhooks;

/// <summary>
/// A partner's webhook signing secret: made here, shown once when it is created (or rotated), then kept only
/// encrypted (<see cref="WebhookSecretProtector"/>) and named by its <see cref="Fingerprint"/> everywhere else
/// (audit, delivery log, admin responses).
/// </summary>
public static class WebhookSecrets
{
    /// <summary>Makes a secret recognisable to secret scanners and to people who find one in a file.</summary>
    public const string Prefix = "whsec_";

    private const int RandomBytes = 32;

    /// <summary><c>whsec_</c> and 256 random bits in base64url (43 characters, no padding), safe in shells and URLs.</summary>
    public static string Generate() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(RandomBytes));

    /// <summary>The secret's <see cref="AuditFingerprint"/>, as the audit trail and the admin API name it. Safe because the secret is 256 random bits.</summary>
    public static string Fingerprint(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        return AuditFingerprint.Of(secret);
    }
}
