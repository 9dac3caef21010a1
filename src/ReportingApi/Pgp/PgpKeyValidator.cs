using System.Globalization;
using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace ReportingApi.Pgp;

/// <summary>
/// Checks a partner's ASCII-armored public key when the partner is onboarded (and again before use, since keys
/// expire), so that an unusable key is reported then, with a reason, rather than failing a delivery later.
/// Accepted: OpenPGP v4 keys whose primary key is RSA (at least <see cref="MinimumRsaBits"/> bits), ECDSA on NIST
/// P-256/P-384/P-521 or EdDSA on Ed25519, with an encryption key that is RSA, ECDH on one of those NIST curves, or
/// ECDH on Curve25519 (X25519): what <c>gpg --quick-gen-key NAME future-default</c>, <c>rsa3072</c>, <c>rsa4096</c> and
/// <c>nistp256</c> make.
/// </summary>
public sealed class PgpKeyValidator(TimeProvider timeProvider)
{
    /// <summary>Smallest RSA modulus accepted.</summary>
    public const int MinimumRsaBits = 2048;

    /// <summary>Larger text is not a public key someone meant to send (a key with many signatures is a few hundred KiB at most).</summary>
    public const int MaxArmoredLength = 1024 * 1024;

    /// <summary>The key kinds we accept, as the sentence every rejection for the kind of key ends with.</summary>
    public const string AcceptedKinds =
        "Please send a public key with an encryption subkey of one of these kinds: Ed25519 with a Cv25519 subkey (gpg --quick-gen-key NAME future-default), " +
        "NIST P-256, P-384 or P-521 (nistp256, nistp384, nistp521), or RSA of at least 2048 bits (rsa3072 or rsa4096 recommended).";

    private const string PublicKeyArmorHeader = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
    private const string PrivateKeyArmorHeader = "-----BEGIN PGP PRIVATE KEY BLOCK-----";

    private static readonly string[] NistCurves = [OpenPgpKeys.Curves.NistP256, OpenPgpKeys.Curves.NistP384, OpenPgpKeys.Curves.NistP521];

    public PgpKeyValidationResult Validate(string armoredPublicKey)
    {
        ArgumentNullException.ThrowIfNull(armoredPublicKey);
        if (armoredPublicKey.Length > MaxArmoredLength)
        {
            return Reject(PgpKeyRejectionReason.Unparseable, "The text is larger than 1 MiB, which no public key is. Export just the public key, ASCII-armored (gpg --armor --export KEYID).");
        }

        if (armoredPublicKey.Contains(PrivateKeyArmorHeader, StringComparison.Ordinal))
        {
            return SecretKeyRejection();
        }

        if (!armoredPublicKey.Contains(PublicKeyArmorHeader, StringComparison.Ordinal))
        {
            return Reject(PgpKeyRejectionReason.Unparseable, $"This is not an ASCII-armored OpenPGP public key: it must start with {PublicKeyArmorHeader} (gpg --armor --export KEYID).");
        }

        var packets = Dearmor(armoredPublicKey);
        if (packets is null)
        {
            return Reject(PgpKeyRejectionReason.Unparseable, "The armored key is damaged (bad base64 or checksum). Export it again, unchanged (gpg --armor --export KEYID).");
        }

        var (ring, rejection) = ReadSingleKey(packets);
        return ring is null ? rejection! : CheckKey(ring);
    }

    private static (PgpPublicKeyRing? Ring, PgpKeyValidationResult? Rejection) ReadSingleKey(byte[] packets)
    {
        var rings = new List<PgpPublicKeyRing>();
        try
        {
            var factory = new PgpObjectFactory(packets);
            while (factory.NextPgpObject() is { } next)
            {
                switch (next)
                {
                    case PgpSecretKeyRing:
                        return (null, SecretKeyRejection());
                    case PgpPublicKeyRing ring:
                        rings.Add(ring);
                        break;
                    default:
                        return (null, Reject(PgpKeyRejectionReason.Unparseable, "The block holds OpenPGP data that is not a public key. Export the key (gpg --armor --export KEYID)."));
                }
            }
        }
        catch (Exception exception) when (OpenPgpKeys.IsMalformedPacket(exception))
        {
            // Malformed packets, and key algorithms BouncyCastle does not know at all.
            return (null, Reject(PgpKeyRejectionReason.Unparseable, "The key could not be read as an OpenPGP public key. Export it again (gpg --armor --export KEYID)."));
        }

        return rings.Count == 1
            ? (rings[0], null)
            : (null, Reject(PgpKeyRejectionReason.NotASingleKey, rings.Count == 0
                ? "The block contains no public key."
                : $"The block contains {rings.Count.ToString(CultureInfo.InvariantCulture)} keys; send exactly one (gpg --armor --export KEYID)."));
    }

    private PgpKeyValidationResult CheckKey(PgpPublicKeyRing ring)
    {
        var primary = ring.GetPublicKey();
        if (Unsupported(primary) is { } unsupported)
        {
            return Reject(PgpKeyRejectionReason.UnsupportedAlgorithm, $"The key cannot be used: its primary key {unsupported}. {AcceptedKinds}");
        }

        var selfSignature = OpenPgpKeys.LatestSelfSignature(primary, primary);
        if (selfSignature is null)
        {
            return Reject(PgpKeyRejectionReason.InvalidSelfSignature, "No self-signature of the key verifies, so its user id, usage and expiry cannot be trusted. Export the key again from the owner's keyring.");
        }

        if (OpenPgpKeys.IsRevoked(primary, primary))
        {
            return Reject(PgpKeyRejectionReason.Revoked, $"The key {OpenPgpKeys.Fingerprint(primary)} has been revoked by its owner. Please send your current public key.");
        }

        var now = timeProvider.GetUtcNow();
        var primaryExpiry = OpenPgpKeys.ExpiresAt(primary, selfSignature);
        if (primaryExpiry <= now)
        {
            return Reject(PgpKeyRejectionReason.Expired, $"The key {OpenPgpKeys.Fingerprint(primary)} expired on {primaryExpiry.Value:yyyy-MM-dd}. Extend its expiry (gpg --quick-set-expire) or send a new key.");
        }

        if (IsWeak(primary))
        {
            return WeakKeyRejection(primary);
        }

        return ChooseEncryptionKey(ring, primary, selfSignature, now) switch
        {
            (null, var rejection) => rejection!,
            var (encryption, _) => PgpKeyValidationResult.Valid(new PartnerPgpKey(
                ring,
                Details(primary, primaryExpiry),
                Details(encryption.Key, encryption.ExpiresAt),
                encryption.Key)),
        };
    }

    /// <summary>Why we cannot use <paramref name="key"/> (completing "its primary key ..."), or null when we can.</summary>
    private static string? Unsupported(PgpPublicKey key)
    {
        if (key.Version != 4)
        {
            return $"is an OpenPGP version {key.Version.ToString(CultureInfo.InvariantCulture)} key; only version 4 keys are supported";
        }

        var supported = key.Algorithm switch
        {
            PublicKeyAlgorithmTag.RsaGeneral or PublicKeyAlgorithmTag.RsaEncrypt or PublicKeyAlgorithmTag.RsaSign => true,
            PublicKeyAlgorithmTag.ECDsa => OpenPgpKeys.IsOnCurve(key, NistCurves),
            PublicKeyAlgorithmTag.ECDH => OpenPgpKeys.IsOnCurve(key, NistCurves) || OpenPgpKeys.IsOnCurve(key, OpenPgpKeys.Curves.Curve25519),
            PublicKeyAlgorithmTag.EdDsa_Legacy => OpenPgpKeys.IsOnCurve(key, OpenPgpKeys.Curves.Ed25519),
            _ => false,
        };
        return supported ? null : $"uses {OpenPgpKeys.AlgorithmName(key)}, which this service cannot use";
    }

    private static bool IsWeak(PgpPublicKey key) => OpenPgpKeys.IsRsa(key) && key.BitStrength < MinimumRsaBits;

    /// <summary>
    /// The newest usable (sub)key whose self-signature's key flags allow encryption. BouncyCastle's
    /// <c>IsEncryptionKey</c> is no guide: it looks only at the algorithm, so an RSA signing primary says yes too.
    /// </summary>
    private static (EncryptionCandidate? Chosen, PgpKeyValidationResult? Rejection) ChooseEncryptionKey(
        PgpPublicKeyRing ring, PgpPublicKey primary, PgpSignature primarySelfSignature, DateTimeOffset now)
    {
        var candidates = new List<EncryptionCandidate>();
        foreach (var key in ring.GetPublicKeys().OfType<PgpPublicKey>())
        {
            var selfSignature = key.IsMasterKey ? primarySelfSignature : OpenPgpKeys.LatestSelfSignature(primary, key);
            if (selfSignature is null || !CanEncrypt(key, OpenPgpKeys.KeyFlags(selfSignature)))
            {
                continue;
            }

            var expiresAt = OpenPgpKeys.ExpiresAt(key, selfSignature);
            PgpKeyRejectionReason? problem =
                OpenPgpKeys.IsRevoked(primary, key) ? PgpKeyRejectionReason.Revoked
                : expiresAt <= now ? PgpKeyRejectionReason.Expired
                : Unsupported(key) is not null ? PgpKeyRejectionReason.UnsupportedAlgorithm
                : IsWeak(key) ? PgpKeyRejectionReason.WeakKey
                : null;
            candidates.Add(new EncryptionCandidate(key, expiresAt, problem));
        }

        var newestFirst = candidates.OrderByDescending(candidate => candidate.Key.CreationTime).ToList();
        var usable = newestFirst.FirstOrDefault(candidate => candidate.Problem is null);
        if (usable is not null)
        {
            return (usable, null);
        }

        if (newestFirst.Count == 0)
        {
            return (null, Reject(PgpKeyRejectionReason.NoEncryptionKey,
                $"The key has no key or subkey whose key flags allow encryption (it is a sign-only key). Add an encryption subkey (gpg --quick-add-key FINGERPRINT {MatchingEncryptionSubkey(primary)} encr) and send the key again."));
        }

        var newest = newestFirst[0];
        var subkey = OpenPgpKeys.KeyIdHex(newest.Key.KeyId);
        return (null, newest.Problem switch
        {
            PgpKeyRejectionReason.Revoked => Reject(PgpKeyRejectionReason.Revoked, $"The key's encryption subkey {subkey} has been revoked. Add a new encryption subkey and send the key again."),
            PgpKeyRejectionReason.Expired => Reject(PgpKeyRejectionReason.Expired, $"The key's encryption subkey {subkey} expired on {newest.ExpiresAt!.Value:yyyy-MM-dd}. Extend its expiry (gpg --quick-set-expire FINGERPRINT 2y '*') or add a new encryption subkey."),
            PgpKeyRejectionReason.UnsupportedAlgorithm => Reject(PgpKeyRejectionReason.UnsupportedAlgorithm, $"The key cannot be used: its encryption subkey {subkey} {Unsupported(newest.Key)}. {AcceptedKinds}"),
            _ => WeakKeyRejection(newest.Key),
        });
    }

    /// <summary>The gpg algorithm name of an encryption subkey that goes with the primary key's kind.</summary>
    private static string MatchingEncryptionSubkey(PgpPublicKey primary) => primary.Algorithm switch
    {
        PublicKeyAlgorithmTag.EdDsa_Legacy => "cv25519",
        PublicKeyAlgorithmTag.ECDsa when OpenPgpKeys.IsOnCurve(primary, OpenPgpKeys.Curves.NistP384) => "nistp384",
        PublicKeyAlgorithmTag.ECDsa when OpenPgpKeys.IsOnCurve(primary, OpenPgpKeys.Curves.NistP521) => "nistp521",
        PublicKeyAlgorithmTag.ECDsa => "nistp256",
        _ => "rsa" + Math.Max(3072, OpenPgpKeys.Bits(primary)).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// Whether the key is meant for encryption. Algorithms we cannot use count too (ElGamal, X25519 of RFC 9580, ...),
    /// so that such a subkey is refused by name rather than reported missing.
    /// </summary>
    private static bool CanEncrypt(PgpPublicKey key, int? keyFlags)
    {
        var algorithmCanEncrypt = key.Algorithm is PublicKeyAlgorithmTag.RsaGeneral or PublicKeyAlgorithmTag.RsaEncrypt or PublicKeyAlgorithmTag.ECDH
            or PublicKeyAlgorithmTag.ElGamalEncrypt or PublicKeyAlgorithmTag.ElGamalGeneral or PublicKeyAlgorithmTag.X25519 or PublicKeyAlgorithmTag.X448;
        // A self-signature without key flags (keys from before RFC 4880) allows what the algorithm allows, for subkeys.
        return algorithmCanEncrypt && (keyFlags is { } flags ? (flags & OpenPgpKeys.EncryptionFlags) != 0 : !key.IsMasterKey);
    }

    private static byte[]? Dearmor(string armored)
    {
        try
        {
            using var armor = new ArmoredInputStream(new MemoryStream(Encoding.ASCII.GetBytes(armored)));
            using var packets = new MemoryStream();
            armor.CopyTo(packets);
            return packets.ToArray();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static PgpKeyDetails Details(PgpPublicKey key, DateTimeOffset? expiresAt) => new(
        OpenPgpKeys.Fingerprint(key),
        OpenPgpKeys.KeyIdHex(key.KeyId),
        OpenPgpKeys.AlgorithmName(key),
        OpenPgpKeys.Bits(key),
        OpenPgpKeys.CreatedAt(key),
        expiresAt);

    private static PgpKeyValidationResult WeakKeyRejection(PgpPublicKey key) => Reject(PgpKeyRejectionReason.WeakKey,
        $"The key {OpenPgpKeys.KeyIdHex(key.KeyId)} is RSA with {key.BitStrength.ToString(CultureInfo.InvariantCulture)} bits; at least {MinimumRsaBits.ToString(CultureInfo.InvariantCulture)} are required. {AcceptedKinds}");

    private static PgpKeyValidationResult SecretKeyRejection() => Reject(PgpKeyRejectionReason.SecretKey,
        "This is a private key. Send only the public key (gpg --armor --export KEYID) and keep the private key secret; treat this one as compromised if it was sent over an insecure channel.");

    private static PgpKeyValidationResult Reject(PgpKeyRejectionReason reason, string message) => PgpKeyValidationResult.Rejected(reason, message);

    private sealed record EncryptionCandidate(PgpPublicKey Key, DateTimeOffset? ExpiresAt, PgpKeyRejectionReason? Problem);
}
