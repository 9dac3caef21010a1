using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ReportingApi.TestSupport.Webhooks;

/// <summary>
/// A partner's check of <c>Webhook-Signature</c>, written from the documented format only (it shares no code with the
/// app's signer, so a test that passes through it shows the format as documented): parse <c>t=</c> and every
/// <c>v1=</c>, refuse a <c>t</c> outside the tolerance, and accept when any <c>v1</c> equals the HMAC-SHA256 of
/// <c>{t}.{body}</c> under any secret held, compared in constant time. The README's C# snippet is a compact form of this method.
/// </summary>
public static class WebhookSignatureVerifier
{
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    public static WebhookVerification Verify(string? header, byte[] body, IEnumerable<string> secrets, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(secrets);
        if (string.IsNullOrWhiteSpace(header))
        {
            return WebhookVerification.MissingHeader;
        }

        long? timestamp = null;
        var signatures = new List<byte[]>();
        foreach (var entry in header.Split(','))
        {
            var pair = entry.Trim().Split('=', 2);
            if (pair.Length != 2)
            {
                return WebhookVerification.Malformed;
            }

            if (pair[0] == "t")
            {
                if (timestamp is not null || !long.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out var t))
                {
                    return WebhookVerification.Malformed;
                }

                timestamp = t;
            }
            else if (pair[0] == "v1" && pair[1].Length == 64 && pair[1].All(char.IsAsciiHexDigitLower))
            {
                signatures.Add(Convert.FromHexString(pair[1]));
            }
        }

        if (timestamp is not { } signedAt || signatures.Count == 0)
        {
            return WebhookVerification.Malformed;
        }

        if (Math.Abs(now.ToUnixTimeSeconds() - signedAt) > tolerance.TotalSeconds)
        {
            return WebhookVerification.OutsideTolerance;
        }

        var signed = Encoding.ASCII.GetBytes(signedAt.ToString(CultureInfo.InvariantCulture) + ".").Concat(body).ToArray();
        foreach (var secret in secrets)
        {
            var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
            if (signatures.Any(signature => CryptographicOperations.FixedTimeEquals(signature, expected)))
            {
                return WebhookVerification.Valid;
            }
        }

        return WebhookVerification.NoMatchingSignature;
    }
}

public enum WebhookVerification
{
    Valid,
    MissingHeader,
    Malformed,
    OutsideTolerance,
    NoMatchingSignature,
}
