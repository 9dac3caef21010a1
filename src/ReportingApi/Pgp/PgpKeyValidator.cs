using System.Globalization;
using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace ReportingApi.Pgp;

/// <summary>
/// Checks a partner's ASCII-armored public key when the partner is onboarded (and again before use, since keys
/// expire), so that an unusable key is reported then, with a reason, rather than failing a delivery later.
/// </summary>
public sealed class PgpKeyValidator(TimeProvider timeProvider)
{
    /// <summary>Smallest RSA modulus accepted.</summary>
    public const int MinimumRsaBits = 2048;

    /// <summary>Larger text is not a public key someone meant to send (a key with many signatures is a few hundred KiB at most).</summary>
    public const int MaxArmoredLength = 1024 * 1024;

    private const string PublicKeyArmorHeader = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
    private const string PrivateKeyArmorHeader = "-----BEGIN PGP PRIVATE KEY BLOCK-----";
    private const string AskForRsa = "Please send an RSA public key of at least 3072 bits with an encryption subkey.";

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

        return CheckPackets(packets) ?? CheckKey(packets);
    }

    private static PgpKeyValidationResult? CheckPackets(byte[] packets)
    {
        var keys = OpenPgpPacketScanner.ScanKeyPackets(packets);
        if (keys is null)
        {
            return Reject(PgpKeyRejectionReason.Unparseable, "The key's OpenPGP packets are malformed. Export it again (gpg --armor --export KEYID).");
        }

        if (keys.Any(key => key.IsSecret))
        {
            return SecretKeyRejection();
        }

        var primaryKeys = keys.Count(key => !key.IsSubkey);
        if (primaryKeys != 1)
        {
            return Reject(PgpKeyRejectionReason.NotASingleKey, primaryKeys == 0
                ? "The block contains no public key."
                : $"The block contains {primaryKeys.ToString(CultureInfo.InvariantCulture)} keys; send exactly one (gpg --armor --export KEYID).");
        }

        var unsupported = keys.FirstOrDefault(key => !IsSupported(key));
        if (unsupported is null)
        {
            return null;
        }

        var which = unsupported.IsSubkey ? "a subkey" : "the primary key";
        var what = unsupported.Version != 4
            ? $"is an OpenPGP version {unsupported.Version.ToString(CultureInfo.InvariantCulture)} key; only version 4 keys are supported"
            : $"uses {OpenPgpPacketScanner.Describe(unsupported)}, which this service cannot use";
        return Reject(PgpKeyRejectionReason.UnsupportedAlgorithm, $"The key cannot be used: {which} {what}. {AskForRsa}");
    }

    private PgpKeyValidationResult CheckKey(byte[] packets)
    {
        PgpPublicKeyRing ring;
        try
        {
            var bundle = new PgpPublicKeyRingBundle(packets);
            if (bundle.Count != 1)
            {
                return Reject(PgpKeyRejectionReason.NotASingleKey, "The block must contain exactly one public key.");
            }

            ring = bundle.GetKeyRings().OfType<PgpPublicKeyRing>().Single();
        }
        catch (Exception exception) when (exception is IOException or PgpException or ArgumentException or InvalidOperationException or NullReferenceException)
        {
            // BouncyCastle throws all of these for packets it cannot make sense of.
            return Reject(PgpKeyRejectionReason.Unparseable, "The key could not be read as an OpenPGP public key. Export it again (gpg --armor --export KEYID).");
        }

        var primary = ring.GetPublicKey();
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

        if (OpenPgpKeys.IsRsa(primary) && primary.BitStrength < MinimumRsaBits)
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
                : OpenPgpKeys.IsRsa(key) && key.BitStrength < MinimumRsaBits ? PgpKeyRejectionReason.WeakKey
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
                "The key has no key or subkey whose key flags allow encryption (it is a sign-only key). Add an encryption subkey (gpg --quick-add-key FINGERPRINT rsa3072 encr) and send the key again."));
        }

        var newest = newestFirst[0];
        var subkey = OpenPgpKeys.KeyIdHex(newest.Key.KeyId);
        return (null, newest.Problem switch
        {
            PgpKeyRejectionReason.Revoked => Reject(PgpKeyRejectionReason.Revoked, $"The key's encryption subkey {subkey} has been revoked. Add a new encryption subkey and send the key again."),
            PgpKeyRejectionReason.Expired => Reject(PgpKeyRejectionReason.Expired, $"The key's encryption subkey {subkey} expired on {newest.ExpiresAt!.Value:yyyy-MM-dd}. Extend its expiry (gpg --quick-set-expire FINGERPRINT 2y '*') or add a new encryption subkey."),
            _ => WeakKeyRejection(newest.Key),
        });
    }

    private static bool CanEncrypt(PgpPublicKey key, int? keyFlags)
    {
        var algorithmCanEncrypt = key.Algorithm is PublicKeyAlgorithmTag.RsaGeneral or PublicKeyAlgorithmTag.RsaEncrypt or PublicKeyAlgorithmTag.ECDH;
        // A self-signature without key flags (keys from before RFC 4880) allows what the algorithm allows, for subkeys.
        return algorithmCanEncrypt && (keyFlags is { } flags ? (flags & OpenPgpKeys.EncryptionFlags) != 0 : !key.IsMasterKey);
    }

    private static bool IsSupported(KeyPacketInfo key) => key.Version == 4 && key.Algorithm switch
    {
        OpenPgpPacketScanner.RsaGeneral or OpenPgpPacketScanner.RsaEncryptOnly or OpenPgpPacketScanner.RsaSignOnly => true,
        OpenPgpPacketScanner.Ecdh or OpenPgpPacketScanner.Ecdsa => OpenPgpPacketScanner.IsNistCurve(key.CurveOid),
        _ => false,
    };

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
        key.BitStrength,
        OpenPgpKeys.CreatedAt(key),
        expiresAt);

    private static PgpKeyValidationResult WeakKeyRejection(PgpPublicKey key) => Reject(PgpKeyRejectionReason.WeakKey,
        $"The key {OpenPgpKeys.KeyIdHex(key.KeyId)} is RSA with {key.BitStrength.ToString(CultureInfo.InvariantCulture)} bits; at least {MinimumRsaBits.ToString(CultureInfo.InvariantCulture)} are required. {AskForRsa}");

    private static PgpKeyValidationResult SecretKeyRejection() => Reject(PgpKeyRejectionReason.SecretKey,
        "This is a private key. Send only the public key (gpg --armor --export KEYID) and keep the private key secret; treat this one as compromised if it was sent over an insecure channel.");

    private static PgpKeyValidationResult Reject(PgpKeyRejectionReason reason, string message) => PgpKeyValidationResult.Rejected(reason, message);

    private sealed record EncryptionCandidate(PgpPublicKey Key, DateTimeOffset? ExpiresAt, PgpKeyRejectionReason? Problem);
}
