using System.Globalization;
using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto;

namespace ReportingApi.Pgp;

/// <summary>
/// What a key's self-signatures say about it: usage flags, expiry, revocation. Only signatures made by the primary
/// key and verified are believed, so a forged or damaged packet changes nothing.
/// </summary>
internal static class OpenPgpKeys
{
    /// <summary>Key flags that allow encryption (RFC 4880 5.2.3.21): communications or storage.</summary>
    public const int EncryptionFlags = PgpKeyFlags.CanEncryptCommunications | PgpKeyFlags.CanEncryptStorage;

    /// <summary>
    /// What BouncyCastle throws for key or message packets it cannot make sense of: its own exceptions (among them
    /// <see cref="UnsupportedPacketVersionException"/>, which is neither an IOException nor a PgpException, and a
    /// <see cref="CryptoException"/> for a wrapped session key that does not unwrap) and the runtime's when damaged
    /// lengths send it past the data. Found by feeding it damaged keys and messages (PgpKeyValidatorTests, PgpEncryptionTests).
    /// </summary>
    public static bool IsMalformedPacket(Exception exception) =>
        exception is IOException or PgpException or UnsupportedPacketVersionException or CryptoException
            or ArgumentException or InvalidOperationException or IndexOutOfRangeException;

    public static string Fingerprint(PgpPublicKey key) => Convert.ToHexString(key.GetFingerprint());

    public static string KeyIdHex(long keyId) => keyId.ToString("X16", CultureInfo.InvariantCulture);

    public static DateTimeOffset CreatedAt(PgpPublicKey key) => new(DateTime.SpecifyKind(key.CreationTime, DateTimeKind.Utc));

    /// <summary>The newest verified self-signature that states the key's properties: a user-id certification or direct-key signature for the primary key, the binding signature for a subkey.</summary>
    public static PgpSignature? LatestSelfSignature(PgpPublicKey primary, PgpPublicKey key) =>
        (key.IsMasterKey ? PrimarySelfSignatures(primary) : SubkeyBindings(primary, key))
        .OrderByDescending(signature => signature.CreationTime)
        .FirstOrDefault();

    /// <summary>Whether the key carries a revocation made by the primary key (for the primary itself: a key revocation; for a subkey: a subkey revocation).</summary>
    public static bool IsRevoked(PgpPublicKey primary, PgpPublicKey key)
    {
        var type = key.IsMasterKey ? PgpSignature.KeyRevocation : PgpSignature.SubkeyRevocation;
        return Signatures(key.GetSignaturesOfType(type))
            .Any(signature => signature.KeyId == primary.KeyId && Verifies(signature, primary, s => key.IsMasterKey ? s.VerifyCertification(key) : s.VerifyCertification(primary, key)));
    }

    /// <summary>The key-flags subpacket of a self-signature, or null when it has none.</summary>
    public static int? KeyFlags(PgpSignature selfSignature)
    {
        var hashed = selfSignature.GetHashedSubPackets();
        return hashed is not null && hashed.HasSubpacket(SignatureSubpacketTag.KeyFlags) ? hashed.GetKeyFlags() : null;
    }

    /// <summary>When the key expires according to its self-signature; null when it does not.</summary>
    public static DateTimeOffset? ExpiresAt(PgpPublicKey key, PgpSignature selfSignature)
    {
        var hashed = selfSignature.GetHashedSubPackets();
        var seconds = hashed is not null && hashed.HasSubpacket(SignatureSubpacketTag.KeyExpireTime) ? hashed.GetKeyExpirationTime() : 0;
        return seconds > 0 ? CreatedAt(key).AddSeconds(seconds) : null;
    }

    public static IReadOnlyList<string> UserIds(PgpPublicKey primary) =>
        primary.GetUserIds().OfType<string>().ToList();

    /// <summary>Algorithm name as a person reads it: <c>RSA</c>, <c>ECDH P-256</c>, <c>EdDSA Ed25519</c>, <c>ECDH Curve25519</c>, ...</summary>
    public static string AlgorithmName(PgpPublicKey key) => key.Algorithm switch
    {
        PublicKeyAlgorithmTag.RsaGeneral or PublicKeyAlgorithmTag.RsaEncrypt or PublicKeyAlgorithmTag.RsaSign => "RSA",
        PublicKeyAlgorithmTag.ECDH => "ECDH " + CurveName(key),
        PublicKeyAlgorithmTag.ECDsa => "ECDSA " + CurveName(key),
        PublicKeyAlgorithmTag.EdDsa_Legacy => "EdDSA " + CurveName(key),
        PublicKeyAlgorithmTag.Dsa => "DSA",
        PublicKeyAlgorithmTag.ElGamalEncrypt or PublicKeyAlgorithmTag.ElGamalGeneral => "ElGamal",
        // RFC 9580's own algorithm ids, distinct from the ECDH and EdDSA (legacy) forms gpg writes for these curves.
        PublicKeyAlgorithmTag.X25519 or PublicKeyAlgorithmTag.X448 or PublicKeyAlgorithmTag.Ed25519 or PublicKeyAlgorithmTag.Ed448 => key.Algorithm + " (RFC 9580)",
        var other => "algorithm " + ((int)other).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The key size as gpg lists it: the RSA modulus or the curve's size. BouncyCastle knows no size for gpg's
    /// Curve25519 OID (it says -1) and gives Ed25519 256 bits; both curves are 255 bits.
    /// </summary>
    public static int Bits(PgpPublicKey key) =>
        IsOnCurve(key, Curves.Curve25519, Curves.Ed25519) ? 255 : key.BitStrength;

    public static bool IsRsa(PgpPublicKey key) =>
        key.Algorithm is PublicKeyAlgorithmTag.RsaGeneral or PublicKeyAlgorithmTag.RsaEncrypt or PublicKeyAlgorithmTag.RsaSign;

    /// <summary>An ECDH, ECDSA or EdDSA key on a curve from <paramref name="curves"/>.</summary>
    public static bool IsOnCurve(PgpPublicKey key, params ReadOnlySpan<string> curves) =>
        key.PublicKeyPacket.Key is ECPublicBcpgKey ec && curves.Contains(ec.CurveOid.Id);

    /// <summary>Curve OIDs as OpenPGP keys name them (RFC 6637, RFC 9580 9.2).</summary>
    public static class Curves
    {
        public const string NistP256 = "1.2.840.10045.3.1.7";
        public const string NistP384 = "1.3.132.0.34";
        public const string NistP521 = "1.3.132.0.35";

        /// <summary>Ed25519 for EdDSA (legacy) keys, gpg's ed25519.</summary>
        public const string Ed25519 = "1.3.6.1.4.1.11591.15.1";

        /// <summary>Curve25519 for ECDH keys, gpg's cv25519.</summary>
        public const string Curve25519 = "1.3.6.1.4.1.3029.1.5.1";

        public static string Name(string oid) => oid switch
        {
            NistP256 => "P-256",
            NistP384 => "P-384",
            NistP521 => "P-521",
            Ed25519 => "Ed25519",
            Curve25519 => "Curve25519",
            "1.3.101.112" => "Ed25519",
            "1.3.101.113" => "Ed448",
            "1.3.101.110" => "X25519",
            "1.3.101.111" => "X448",
            "1.3.36.3.3.2.8.1.1.7" => "brainpoolP256r1",
            "1.3.36.3.3.2.8.1.1.11" => "brainpoolP384r1",
            "1.3.36.3.3.2.8.1.1.13" => "brainpoolP512r1",
            "1.3.132.0.10" => "secp256k1",
            _ => "curve " + oid,
        };
    }

    /// <summary>ASCII armor of encoded key material; BouncyCastle picks the block type (public or private key) from the first packet.</summary>
    public static string Armor(Action<Stream> encode)
    {
        using var text = new MemoryStream();
        // Without the default "Version: BCPG C# v2.7.0" header, which tells every reader which library and version we run.
        using (var armor = new ArmoredOutputStream(text, addVersionHeader: false))
        {
            encode(armor);
        }

        return Encoding.ASCII.GetString(text.GetBuffer(), 0, (int)text.Length);
    }

    private static string CurveName(PgpPublicKey key) =>
        key.PublicKeyPacket.Key is ECPublicBcpgKey ec ? Curves.Name(ec.CurveOid.Id) : "unknown curve";

    private static IEnumerable<PgpSignature> PrimarySelfSignatures(PgpPublicKey primary)
    {
        foreach (var userId in UserIds(primary))
        {
            foreach (var signature in Signatures(primary.GetSignaturesForId(userId)))
            {
                if (signature.KeyId == primary.KeyId && IsUserIdCertification(signature.SignatureType)
                    && Verifies(signature, primary, s => s.VerifyCertification(userId, primary)))
                {
                    yield return signature;
                }
            }
        }

        foreach (var signature in Signatures(primary.GetSignaturesOfType(PgpSignature.DirectKey)))
        {
            if (signature.KeyId == primary.KeyId && Verifies(signature, primary, s => s.VerifyCertification(primary)))
            {
                yield return signature;
            }
        }
    }

    private static IEnumerable<PgpSignature> SubkeyBindings(PgpPublicKey primary, PgpPublicKey subkey) =>
        Signatures(subkey.GetSignaturesOfType(PgpSignature.SubkeyBinding))
            .Where(signature => signature.KeyId == primary.KeyId && Verifies(signature, primary, s => s.VerifyCertification(primary, subkey)));

    private static bool IsUserIdCertification(int signatureType) =>
        signatureType is PgpSignature.DefaultCertification or PgpSignature.NoCertification
            or PgpSignature.CasualCertification or PgpSignature.PositiveCertification;

    private static IEnumerable<PgpSignature> Signatures(System.Collections.IEnumerable? signatures) =>
        signatures?.OfType<PgpSignature>() ?? [];

    private static bool Verifies(PgpSignature signature, PgpPublicKey signer, Func<PgpSignature, bool> verify)
    {
        try
        {
            signature.InitVerify(signer);
            return verify(signature);
        }
        catch (Exception exception) when (IsMalformedPacket(exception))
        {
            // An algorithm or packet BouncyCastle cannot check counts as not verified.
            return false;
        }
    }
}
