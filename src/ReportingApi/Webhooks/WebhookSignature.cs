using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ReportingApi.Webhooks;

/// <summary>
/// How a webhook request is signed, in the style of Stripe and Standard Webhooks. The signed string is
/// <c>{t}.{body}</c>: the Unix time in seconds as decimal ASCII digits, one '.', then the request body byte for
/// byte as sent (UTF-8 JSON, no trailing newline). The key is the secret exactly as shown at creation
/// (<c>whsec_...</c>, all of it, as UTF-8 bytes). The header is
/// <c>Webhook-Signature: t=1767225600, v1=5f0c...</c>: lowercase hex HMAC-SHA256. While a secret is rotated, both
/// valid secrets sign and the header carries two <c>v1=</c> entries; a receiver accepts the request when any one of
/// them matches a secret it holds, and when <c>t</c> is within its tolerance of its own clock (against replays).
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "Webhook-Id";
    public const string TimestampHeader = "Webhook-Timestamp";
    public const string SignatureHeader = "Webhook-Signature";

    /// <summary>The scheme of the signatures we send; a later scheme would get a new name beside it.</summary>
    public const string Scheme = "v1";

    /// <summary>Valid secrets at one time: the current one, and the previous one during a rotation's overlap.</summary>
    public const int MaxSecrets = 2;

    /// <summary>The exact bytes that are signed: <c>{timestamp}.{body}</c>.</summary>
    public static byte[] SignedPayload(long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var payload = new byte[prefix.Length + body.Length];
        prefix.CopyTo(payload, 0);
        body.CopyTo(payload.AsSpan(prefix.Length));
        return payload;
    }

    /// <summary>The lowercase hex HMAC-SHA256 of <see cref="SignedPayload"/> under <paramref name="secret"/>.</summary>
    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), SignedPayload(timestamp, body));
        return Convert.ToHexStringLower(mac);
    }

    /// <summary>The <c>Webhook-Signature</c> value: <c>t={timestamp}</c>, then one <c>v1=</c> entry per secret, in the order given.</summary>
    public static string HeaderValue(long timestamp, ReadOnlySpan<byte> body, IReadOnlyList<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        if (secrets.Count is 0 or > MaxSecrets)
        {
            throw new ArgumentException($"A webhook is signed with 1 to {MaxSecrets} secrets, not {secrets.Count}.", nameof(secrets));
        }

        var header = new StringBuilder("t=").Append(timestamp.ToString(CultureInfo.InvariantCulture));
        foreach (var secret in secrets)
        {
            header.Append(", ").Append(Scheme).Append('=').Append(Sign(secret, timestamp, body));
        }

        return header.ToString();
    }
}
