using System.Globalization;
using System.Text;

namespace ReportingApi.Pgp;

/// <summary>A key packet as it is on the wire, read without BouncyCastle (which cannot parse every algorithm).</summary>
/// <param name="CurveOid">Dotted OID of the curve for ECDH, ECDSA and EdDSA keys.</param>
internal sealed record KeyPacketInfo(bool IsSecret, bool IsSubkey, int Version, int Algorithm, string? CurveOid);

/// <summary>
/// Walks the packets of a (dearmored) key block and reports each key packet's version, algorithm and curve.
/// The validator uses it to explain why BouncyCastle rejected a key: a Curve25519 key then gets "unsupported
/// algorithm, use RSA", not "unparseable".
/// </summary>
internal static class OpenPgpPacketScanner
{
    public const int RsaGeneral = 1;
    public const int RsaEncryptOnly = 2;
    public const int RsaSignOnly = 3;
    public const int Ecdh = 18;
    public const int Ecdsa = 19;
    public const int EdDsaLegacy = 22;

    private const string NistP256 = "1.2.840.10045.3.1.7";
    private const string NistP384 = "1.3.132.0.34";
    private const string NistP521 = "1.3.132.0.35";

    private const int SecretKeyTag = 5;
    private const int PublicKeyTag = 6;
    private const int SecretSubkeyTag = 7;
    private const int PublicSubkeyTag = 14;

    /// <summary>The key packets in <paramref name="packets"/>; null when the bytes are not a well-formed packet sequence.</summary>
    public static IReadOnlyList<KeyPacketInfo>? ScanKeyPackets(ReadOnlySpan<byte> packets)
    {
        var keys = new List<KeyPacketInfo>();
        while (!packets.IsEmpty)
        {
            if (!TryReadHeader(packets, out var tag, out var headerLength, out var bodyLength))
            {
                return null;
            }

            var body = packets.Slice(headerLength, bodyLength);
            if (tag is SecretKeyTag or PublicKeyTag or SecretSubkeyTag or PublicSubkeyTag)
            {
                var key = ReadKeyPacket(body, tag);
                if (key is null)
                {
                    return null;
                }

                keys.Add(key);
            }

            packets = packets[(headerLength + bodyLength)..];
        }

        return keys;
    }

    public static bool IsNistCurve(string? oid) => oid is NistP256 or NistP384 or NistP521;

    public static string CurveName(string? oid) => oid switch
    {
        NistP256 => "P-256",
        NistP384 => "P-384",
        NistP521 => "P-521",
        "1.3.6.1.4.1.11591.15.1" => "Ed25519",
        "1.3.6.1.4.1.3029.1.5.1" => "Curve25519",
        "1.3.36.3.3.2.8.1.1.7" => "brainpoolP256r1",
        "1.3.36.3.3.2.8.1.1.11" => "brainpoolP384r1",
        "1.3.36.3.3.2.8.1.1.13" => "brainpoolP512r1",
        "1.3.132.0.10" => "secp256k1",
        null => "unknown curve",
        _ => "curve " + oid,
    };

    /// <summary>Algorithm (and curve) as a person reads it.</summary>
    public static string Describe(KeyPacketInfo key) => key.Algorithm switch
    {
        RsaGeneral or RsaEncryptOnly or RsaSignOnly => "RSA",
        16 or 20 => "ElGamal",
        17 => "DSA",
        Ecdh => "ECDH " + CurveName(key.CurveOid),
        Ecdsa => "ECDSA " + CurveName(key.CurveOid),
        EdDsaLegacy => "EdDSA " + CurveName(key.CurveOid),
        25 => "X25519",
        26 => "X448",
        27 => "Ed25519",
        28 => "Ed448",
        var other => "algorithm " + other.ToString(CultureInfo.InvariantCulture),
    };

    private static bool TryReadHeader(ReadOnlySpan<byte> packets, out int tag, out int headerLength, out int bodyLength)
    {
        tag = headerLength = bodyLength = 0;
        var first = packets[0];
        if ((first & 0x80) == 0)
        {
            return false;
        }

        long length;
        if ((first & 0x40) != 0)
        {
            tag = first & 0x3F;
            if (packets.Length < 2)
            {
                return false;
            }

            var octet = packets[1];
            if (octet < 192)
            {
                (length, headerLength) = (octet, 2);
            }
            else if (octet < 224)
            {
                if (packets.Length < 3)
                {
                    return false;
                }

                (length, headerLength) = (((octet - 192) << 8) + packets[2] + 192, 3);
            }
            else if (octet == 255)
            {
                if (packets.Length < 6)
                {
                    return false;
                }

                (length, headerLength) = (System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(packets[2..6]), 6);
            }
            else
            {
                // Partial body lengths belong to streamed messages, never to keys.
                return false;
            }
        }
        else
        {
            tag = (first >> 2) & 0x0F;
            var lengthBytes = (first & 0x03) switch { 0 => 1, 1 => 2, 2 => 4, _ => 0 };
            headerLength = 1 + lengthBytes;
            if (lengthBytes == 0)
            {
                length = packets.Length - 1;
            }
            else
            {
                if (packets.Length < headerLength)
                {
                    return false;
                }

                length = 0;
                foreach (var b in packets[1..headerLength])
                {
                    length = (length << 8) | b;
                }
            }
        }

        if (length > packets.Length - headerLength)
        {
            return false;
        }

        bodyLength = (int)length;
        return true;
    }

    private static KeyPacketInfo? ReadKeyPacket(ReadOnlySpan<byte> body, int tag)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        var version = body[0];
        // v2/v3: version, time (4), validity days (2), algorithm. v4: version, time (4), algorithm.
        // v5/v6: as v4, then a four-byte length of the key material.
        var algorithmOffset = version switch { 2 or 3 => 7, 4 or 5 or 6 => 5, _ => -1 };
        if (algorithmOffset < 0 || body.Length <= algorithmOffset)
        {
            return null;
        }

        var algorithm = body[algorithmOffset];
        string? curve = null;
        if (algorithm is Ecdh or Ecdsa or EdDsaLegacy)
        {
            var oidOffset = algorithmOffset + 1 + (version is 5 or 6 ? 4 : 0);
            if (body.Length <= oidOffset)
            {
                return null;
            }

            var oidLength = body[oidOffset];
            if (oidLength is 0 or 0xFF || body.Length < oidOffset + 1 + oidLength)
            {
                return null;
            }

            curve = DecodeOid(body.Slice(oidOffset + 1, oidLength));
        }

        return new KeyPacketInfo(tag is SecretKeyTag or SecretSubkeyTag, tag is SecretSubkeyTag or PublicSubkeyTag, version, algorithm, curve);
    }

    /// <summary>The DER contents of an OBJECT IDENTIFIER (no tag or length, as OpenPGP stores curves) in dotted form.</summary>
    private static string DecodeOid(ReadOnlySpan<byte> contents)
    {
        var text = new StringBuilder();
        long arc = 0;
        var first = true;
        foreach (var b in contents)
        {
            arc = (arc << 7) | (uint)(b & 0x7F);
            if ((b & 0x80) != 0)
            {
                continue;
            }

            if (first)
            {
                var top = Math.Min(arc / 40, 2);
                text.Append(top.ToString(CultureInfo.InvariantCulture)).Append('.').Append((arc - (top * 40)).ToString(CultureInfo.InvariantCulture));
                first = false;
            }
            else
            {
                text.Append('.').Append(arc.ToString(CultureInfo.InvariantCulture));
            }

            arc = 0;
        }

        return text.ToString();
    }
}
