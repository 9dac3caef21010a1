using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace ReportingApi.Delivery.Sftp;

/// <summary>
/// An SFTP server's public host key as pinned for a delivery target: its type and key blob. Read from a known_hosts
/// style line (<c>[host]:port type base64 [comment]</c>, as <c>ssh-keyscan</c> prints it, or just <c>type base64</c>);
/// the host names are not kept, because the key itself is what is compared.
/// </summary>
public sealed class SshHostKey
{
    /// <summary>The key types SSH.NET can verify, each with the host key algorithms that sign with it (RSA: SHA-2 first).</summary>
    private static readonly Dictionary<string, string[]> AlgorithmsByType = new(StringComparer.Ordinal)
    {
        ["ssh-ed25519"] = ["ssh-ed25519"],
        ["ecdsa-sha2-nistp256"] = ["ecdsa-sha2-nistp256"],
        ["ecdsa-sha2-nistp384"] = ["ecdsa-sha2-nistp384"],
        ["ecdsa-sha2-nistp521"] = ["ecdsa-sha2-nistp521"],
        ["ssh-rsa"] = ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
    };

    private SshHostKey(string type, byte[] blob)
    {
        Type = type;
        Blob = blob;
    }

    /// <summary>The key type, e.g. <c>ssh-ed25519</c>.</summary>
    public string Type { get; }

    /// <summary>The key in SSH wire format (what known_hosts holds in base64).</summary>
    public byte[] Blob { get; }

    /// <summary>The host key algorithms to offer, so that a server with keys of several types shows the pinned one.</summary>
    public IReadOnlyList<string> Algorithms => AlgorithmsByType[Type];

    /// <summary>The key types that can be pinned.</summary>
    public static IEnumerable<string> SupportedTypes => AlgorithmsByType.Keys;

    public string Fingerprint => FingerprintOf(Blob);

    /// <summary>
    /// Reads a known_hosts style line: an optional hosts field, the key type, the base64 key and an optional comment. The
    /// key's own type field must match the named type, so a pasted fingerprint or a truncated key is refused when the
    /// target is set, not at delivery. Marker lines (<c>@cert-authority</c>, <c>@revoked</c>) are refused.
    /// </summary>
    public static bool TryParse(string? line, [NotNullWhen(true)] out SshHostKey? key)
    {
        key = null;
        var fields = line?.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries) ?? [];
        var typeIndex = Array.FindIndex(fields, AlgorithmsByType.ContainsKey);
        if (typeIndex is < 0 or > 1 || typeIndex + 1 >= fields.Length || fields[0].StartsWith('@'))
        {
            return false;
        }

        var type = fields[typeIndex];
        var encoded = fields[typeIndex + 1];
        var blob = new byte[encoded.Length];
        if (!Convert.TryFromBase64String(encoded, blob, out var length) || length < 4)
        {
            return false;
        }

        var typeLength = BinaryPrimitives.ReadUInt32BigEndian(blob);
        if (typeLength > length - 4 || Encoding.ASCII.GetString(blob, 4, (int)typeLength) != type)
        {
            return false;
        }

        key = new SshHostKey(type, blob[..length]);
        return true;
    }

    /// <summary>The SHA-256 fingerprint as <c>ssh-keygen -l</c> prints it: <c>SHA256:</c> and unpadded base64.</summary>
    public static string FingerprintOf(ReadOnlySpan<byte> blob) => "SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');

    /// <summary>Whether the server presented exactly this key.</summary>
    public bool Matches(ReadOnlySpan<byte> presented) => presented.SequenceEqual(Blob);

    /// <summary>The pinned form that is stored: <c>type base64</c>.</summary>
    public override string ToString() => $"{Type} {Convert.ToBase64String(Blob)}";
}
