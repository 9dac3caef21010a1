using System.Security.Cryptography;
using System.Text;

namespace ReportingApi.Audit;

/// <summary>
/// <c>sha256:</c> and the first 64 bits of a value's SHA-256, in hex: tells two values apart in the audit trail (and
/// wherever else a value is named without being shown) without repeating them. Only for values with much entropy
/// (generated secrets, key material): a short password could be guessed back from it.
/// </summary>
public static class AuditFingerprint
{
    private const int Bytes = 8;

    public static string Of(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)).AsSpan(0, Bytes));
    }
}
