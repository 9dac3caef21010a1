using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace ReportingApi.SftpUsers;

/// <summary>
/// A partner's SSH public key, read from an OpenSSH <c>authorized_keys</c> line (<c>type base64 [comment]</c>) and
/// checked as far as deciding whether a partner may log in with it: RSA of at least <see cref="MinimumRsaBits"/> bits,
/// ECDSA on nistp256/384/521 (a point on the curve), Ed25519. Everything else gets a <see cref="SshKeyRefusal"/> reason.
/// <para>
/// The key blob is read here (SSH wire format, RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4) rather than by SSH.NET 2026.0.0,
/// which can parse it (<c>SshKeyData</c>, <c>RsaKey</c>, <c>EcdsaKey</c>): tried on truncated, padded and off-curve keys it
/// throws whatever its parsing step meets (ArgumentOutOfRangeException, ArgumentException, OpenSSL's
/// CryptographicException), and it accepts a blob labelled <c>ecdsa-sha2-nistp384</c> that carries a nistp256 key. Four
/// fields read here give one reason per key and nothing to guess.
/// </para>
/// </summary>
public sealed class SshPublicKey
{
    public const int MinimumRsaBits = 3072;

    /// <summary>AWS Transfer Family takes key bodies of at most this many characters (ImportSshPublicKey's <c>SshPublicKeyBody</c>).</summary>
    public const int MaximumLineLength = 2048;

    public const string Rsa = "ssh-rsa";
    public const string Ed25519 = "ssh-ed25519";
    public const string EcdsaNistP256 = "ecdsa-sha2-nistp256";
    public const string EcdsaNistP384 = "ecdsa-sha2-nistp384";
    public const string EcdsaNistP521 = "ecdsa-sha2-nistp521";

    private const string Dsa = "ssh-dss";
    private const int Ed25519KeyLength = 32;

    /// <summary>The ECDSA curves by key type: the curve's SSH name and .NET curve.</summary>
    private static readonly Dictionary<string, (string Identifier, ECCurve Curve, int Bits)> EcdsaCurves = new(StringComparer.Ordinal)
    {
        [EcdsaNistP256] = ("nistp256", ECCurve.NamedCurves.nistP256, 256),
        [EcdsaNistP384] = ("nistp384", ECCurve.NamedCurves.nistP384, 384),
        [EcdsaNistP521] = ("nistp521", ECCurve.NamedCurves.nistP521, 521),
    };

    private SshPublicKey(string type, byte[] blob, int bits, string? comment)
    {
        Type = type;
        Blob = blob;
        Bits = bits;
        Comment = comment;
        Fingerprint = FingerprintOf(blob);
    }

    /// <summary>The key type, e.g. <c>ssh-ed25519</c>.</summary>
    public string Type { get; }

    /// <summary>The key in SSH wire format (what the line holds in base64); two keys are the same key when their blobs are equal.</summary>
    public byte[] Blob { get; }

    /// <summary>The key size in bits: the RSA modulus, the ECDSA curve, 256 for Ed25519.</summary>
    public int Bits { get; }

    /// <summary>The line's comment (often <c>user@host</c>), if it had one.</summary>
    public string? Comment { get; }

    /// <summary>The SHA-256 fingerprint as <c>ssh-keygen -l</c> prints it: <c>SHA256:</c> and unpadded base64.</summary>
    public string Fingerprint { get; }

    /// <summary>The line as imported and written to <c>authorized_keys</c>: <c>type base64 [comment]</c>.</summary>
    public string Line => Comment is null ? $"{Type} {Convert.ToBase64String(Blob)}" : $"{Type} {Convert.ToBase64String(Blob)} {Comment}";

    public static string FingerprintOf(ReadOnlySpan<byte> blob) => "SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');

    /// <summary>Whether <paramref name="other"/> is the same key (comments aside).</summary>
    public bool SameKeyAs(SshPublicKey other) => Blob.AsSpan().SequenceEqual(other.Blob);

    public override string ToString() => $"{Type} {Bits} {Fingerprint}";

    /// <summary>Reads one <c>authorized_keys</c> line; on refusal <paramref name="refusal"/> says why (its index is 0).</summary>
    public static bool TryParse(string? line, [NotNullWhen(true)] out SshPublicKey? key, [NotNullWhen(false)] out SshKeyRefusal? refusal)
    {
        key = null;
        refusal = null;
        var fields = (line ?? "").Split([' ', '\t'], 3, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (fields.Length == 0)
        {
            refusal = Refuse(SshKeyRefusalReason.Empty, "The line is empty.");
            return false;
        }

        if (!LooksLikeKeyType(fields[0]))
        {
            refusal = (line ?? "").Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Skip(1).Any(LooksLikeKeyType)
                ? Refuse(SshKeyRefusalReason.OptionsNotSupported, "The line starts with authorized_keys options (such as from= or command=); give the key alone: type, base64 and an optional comment.")
                : Refuse(SshKeyRefusalReason.Malformed, "The line does not start with an SSH key type such as ssh-ed25519, ecdsa-sha2-nistp256 or ssh-rsa.");
            return false;
        }

        var type = fields[0];
        if (TypeRefusal(type) is { } typeRefusal)
        {
            refusal = typeRefusal;
            return false;
        }

        if (fields.Length < 2 || !TryDecodeBase64(fields[1], out var blob))
        {
            refusal = Refuse(SshKeyRefusalReason.Malformed, $"The {type} key has no valid base64 key data after its type.");
            return false;
        }

        var comment = fields.Length == 3 && fields[2].Length > 0 ? fields[2] : null;
        if (comment is not null && comment.Any(char.IsControl))
        {
            refusal = Refuse(SshKeyRefusalReason.Malformed, "The comment contains control characters.");
            return false;
        }

        if (ReadBlob(type, blob) is not { } read)
        {
            refusal = Refuse(SshKeyRefusalReason.Malformed, $"The {type} key data is not a well-formed {type} public key.", FingerprintOf(blob));
            return false;
        }

        if (read.Refusal is { } blobRefusal)
        {
            refusal = blobRefusal with { Fingerprint = FingerprintOf(blob) };
            return false;
        }

        var parsed = new SshPublicKey(type, blob, read.Bits, comment);
        if (parsed.Line.Length > MaximumLineLength)
        {
            refusal = Refuse(SshKeyRefusalReason.TooLong, $"The key line has {parsed.Line.Length} characters; AWS Transfer Family takes at most {MaximumLineLength} (shorten the comment).", parsed.Fingerprint);
            return false;
        }

        key = parsed;
        return true;
    }

    /// <summary>A type OpenSSH could write at the start of a key line: <c>ssh-...</c>, <c>ecdsa-...</c>, <c>sk-...</c>.</summary>
    private static bool LooksLikeKeyType(string field) =>
        (field.StartsWith("ssh-", StringComparison.Ordinal) || field.StartsWith("ecdsa-", StringComparison.Ordinal) || field.StartsWith("sk-", StringComparison.Ordinal))
        && field.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '@' or '.');

    private static SshKeyRefusal? TypeRefusal(string type) => type switch
    {
        Rsa or Ed25519 or EcdsaNistP256 or EcdsaNistP384 or EcdsaNistP521 => null,
        Dsa => Refuse(SshKeyRefusalReason.UnsupportedType, "DSA (ssh-dss) keys are refused: DSA is limited to 1024 bits and OpenSSH has disabled it since 2015. Use ssh-ed25519, ECDSA or RSA of at least 3072 bits."),
        _ when type.Contains("-cert-", StringComparison.Ordinal) => Refuse(SshKeyRefusalReason.UnsupportedType, $"{type} is an SSH certificate; give the plain public key."),
        _ when type.StartsWith("sk-", StringComparison.Ordinal) => Refuse(SshKeyRefusalReason.UnsupportedType, $"{type} is a hardware security key type, which AWS Transfer Family does not accept. Use ssh-ed25519, ECDSA or RSA of at least 3072 bits."),
        _ => Refuse(SshKeyRefusalReason.UnsupportedType, $"{type} keys are not accepted. Use ssh-ed25519, ECDSA (nistp256, nistp384, nistp521) or RSA of at least 3072 bits."),
    };

    /// <summary>Reads the blob of a key of <paramref name="type"/>; null when it is not well-formed.</summary>
    private static BlobRead? ReadBlob(string type, byte[] blob)
    {
        var reader = new WireReader(blob);
        if (!reader.TryReadString(out var blobType))
        {
            return null;
        }

        var blobTypeName = Encoding.ASCII.GetString(blobType);
        if (blobTypeName != type)
        {
            return new BlobRead(0, Refuse(SshKeyRefusalReason.TypeMismatch, $"The line says {type}, but the key data is of type {Printable(blobTypeName)}."));
        }

        return type switch
        {
            Rsa => ReadRsa(reader),
            Ed25519 => reader.TryReadString(out var point) && point.Length == Ed25519KeyLength && reader.AtEnd ? new BlobRead(256, null) : null,
            _ => ReadEcdsa(type, reader),
        };
    }

    private static BlobRead? ReadRsa(WireReader reader)
    {
        if (!reader.TryReadMpint(out var exponent) || !reader.TryReadMpint(out var modulus) || !reader.AtEnd
            || exponent < 3 || exponent.IsEven || modulus.Sign <= 0 || modulus.IsEven)
        {
            return null;
        }

        var bits = (int)modulus.GetBitLength();
        return bits < MinimumRsaBits
            ? new BlobRead(bits, Refuse(SshKeyRefusalReason.RsaTooSmall, $"The RSA key has {bits} bits; at least {MinimumRsaBits} are required (ssh-keygen -t rsa -b 4096, or better -t ed25519)."))
            : new BlobRead(bits, null);
    }

    private static BlobRead? ReadEcdsa(string type, WireReader reader)
    {
        var (identifier, curve, bits) = EcdsaCurves[type];
        if (!reader.TryReadString(out var curveName) || !reader.TryReadString(out var point) || !reader.AtEnd)
        {
            return null;
        }

        var curveNameText = Encoding.ASCII.GetString(curveName);
        if (curveNameText != identifier)
        {
            return new BlobRead(bits, Refuse(SshKeyRefusalReason.TypeMismatch, $"The line says {type}, but the key data is on curve {Printable(curveNameText)}."));
        }

        // An uncompressed point: 0x04, then X and Y of the curve's size.
        var coordinateLength = (bits + 7) / 8;
        if (point.Length != 1 + (2 * coordinateLength) || point[0] != 0x04)
        {
            return null;
        }

        try
        {
            using var key = ECDsa.Create(new ECParameters
            {
                Curve = curve,
                Q = new ECPoint { X = point[1..(1 + coordinateLength)], Y = point[(1 + coordinateLength)..] },
            });
            return new BlobRead(bits, null);
        }
        catch (CryptographicException)
        {
            return new BlobRead(bits, Refuse(SshKeyRefusalReason.Malformed, $"The {type} key is not a point on the {identifier} curve."));
        }
    }

    private static bool TryDecodeBase64(string text, [NotNullWhen(true)] out byte[]? bytes)
    {
        var buffer = new byte[text.Length];
        if (Convert.TryFromBase64String(text, buffer, out var length) && length > 0)
        {
            bytes = buffer[..length];
            return true;
        }

        bytes = null;
        return false;
    }

    private static string Printable(string text) =>
        text.Length > 0 && text.Length <= 64 && text.All(c => c is > ' ' and < '\u007f') ? text : "(unreadable)";

    private static SshKeyRefusal Refuse(SshKeyRefusalReason reason, string message, string? fingerprint = null) => new(0, reason, message, fingerprint);

    private sealed record BlobRead(int Bits, SshKeyRefusal? Refusal);

    /// <summary>Reads SSH wire-format fields: <c>string</c> (uint32 length, bytes) and <c>mpint</c> (a string holding a two's-complement big-endian integer).</summary>
    private ref struct WireReader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;

        public readonly bool AtEnd => _rest.IsEmpty;

        public bool TryReadString(out byte[] value)
        {
            value = [];
            if (_rest.Length < 4)
            {
                return false;
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(_rest);
            if (length > (uint)(_rest.Length - 4))
            {
                return false;
            }

            value = _rest.Slice(4, (int)length).ToArray();
            _rest = _rest[(4 + (int)length)..];
            return true;
        }

        public bool TryReadMpint(out BigInteger value)
        {
            value = BigInteger.Zero;
            if (!TryReadString(out var bytes))
            {
                return false;
            }

            value = new BigInteger(bytes, isUnsigned: false, isBigEndian: true);
            return true;
        }
    }
}
