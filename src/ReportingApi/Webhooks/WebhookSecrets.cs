using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

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
    private const int FingerprintBytes = 8;

    /// <summary><c>whsec_</c> and 256 random bits in base64url (43 characters, no padding), safe in shells and URLs.</summary>
    public static string Generate() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(RandomBytes));

    /// <summary>
    /// <c>sha256:</c> and the first 64 bits of the secret's SHA-256, in hex: tells two secrets apart without revealing
    /// either. Safe only because the secret is 256 random bits; never fingerprint a password this way.
    /// </summary>
    public static string Fingerprint(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        return "sha256:" + Convert.ToHexStringLower(hash.AsSpan(0, FingerprintBytes));
    }
}
