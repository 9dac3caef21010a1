using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace ReportingApi.Pgp;

/// <summary>A secret key could not be loaded or unlocked. The message names the problem, never the key or passphrase.</summary>
public sealed class PgpKeyUnlockException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// An OpenPGP secret key with its private keys unlocked: it signs what we send (its signing key, chosen by key
/// flags) and decrypts what is sent to it (any of its keys, by the key id the message names).
/// </summary>
public sealed class UnlockedPgpKey
{
    private readonly Dictionary<long, PgpPrivateKey> _privateKeys;

    private UnlockedPgpKey(PgpPublicKeyRing publicKeyRing, PgpPublicKey signingPublicKey, Dictionary<long, PgpPrivateKey> privateKeys)
    {
        PublicKeyRing = publicKeyRing;
        SigningPublicKey = signingPublicKey;
        _privateKeys = privateKeys;
        SigningKey = privateKeys[signingPublicKey.KeyId];
        var primary = publicKeyRing.GetPublicKey();
        Fingerprint = OpenPgpKeys.Fingerprint(primary);
        KeyId = OpenPgpKeys.KeyIdHex(primary.KeyId);
        ArmoredPublicKey = OpenPgpKeys.Armor(publicKeyRing.Encode);
    }

    /// <summary>Primary key fingerprint, 40 hex digits: what partners compare when they import our public key.</summary>
    public string Fingerprint { get; }

    /// <summary>Primary key id, 16 hex digits.</summary>
    public string KeyId { get; }

    /// <summary>Id of the key that makes signatures (16 hex digits): the primary key when its flags allow signing.</summary>
    public string SigningKeyId => OpenPgpKeys.KeyIdHex(SigningPublicKey.KeyId);

    /// <summary>The public half, ASCII-armored: what partners import to verify our signatures and encrypt to us.</summary>
    public string ArmoredPublicKey { get; }

    /// <summary>The public half, to verify this key's own signatures.</summary>
    public PgpPublicKeyRing PublicKeyRing { get; }

    internal PgpPublicKey SigningPublicKey { get; }

    internal PgpPrivateKey SigningKey { get; }

    /// <summary>Reads an armored secret key block holding exactly one key and unlocks every private key in it.</summary>
    /// <param name="now">To refuse a key that has expired.</param>
    /// <exception cref="PgpKeyUnlockException">Not a secret key, wrong passphrase, or no usable signing key.</exception>
    public static UnlockedPgpKey Unlock(string armoredSecretKey, string passphrase, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(armoredSecretKey);
        ArgumentNullException.ThrowIfNull(passphrase);
        var secretKeyRing = ReadSecretKeyRing(armoredSecretKey);
        var publicKeyRing = PublicHalf(secretKeyRing);
        var primary = publicKeyRing.GetPublicKey();
        var signingKey = ChooseSigningKey(publicKeyRing, primary, now);

        var passphraseChars = passphrase.ToCharArray();
        try
        {
            var privateKeys = new Dictionary<long, PgpPrivateKey>();
            foreach (var secretKey in secretKeyRing.GetSecretKeys().OfType<PgpSecretKey>().Where(key => !key.IsPrivateKeyEmpty))
            {
                privateKeys[secretKey.KeyId] = secretKey.ExtractPrivateKey(passphraseChars);
            }

            if (!privateKeys.ContainsKey(signingKey.KeyId))
            {
                throw new PgpKeyUnlockException($"The secret key {OpenPgpKeys.KeyIdHex(primary.KeyId)} holds no private part for its signing key {OpenPgpKeys.KeyIdHex(signingKey.KeyId)} (a stub, as exported with --export-secret-subkeys?).");
            }

            return new UnlockedPgpKey(publicKeyRing, signingKey, privateKeys);
        }
        catch (PgpException exception)
        {
            // BouncyCastle reports a wrong passphrase as a checksum mismatch or a failure to build the key.
            throw new PgpKeyUnlockException($"The secret key {OpenPgpKeys.KeyIdHex(primary.KeyId)} could not be unlocked: the passphrase is wrong or the key is damaged.", exception);
        }
        finally
        {
            Array.Clear(passphraseChars);
        }
    }

    /// <summary>The private key for the key id a message was encrypted to, if it is one of ours.</summary>
    internal PgpPrivateKey? FindPrivateKey(long keyId) => _privateKeys.GetValueOrDefault(keyId);

    private static PgpSecretKeyRing ReadSecretKeyRing(string armoredSecretKey)
    {
        try
        {
            using var decoder = PgpUtilities.GetDecoderStream(new MemoryStream(Encoding.ASCII.GetBytes(armoredSecretKey)));
            var rings = new PgpSecretKeyRingBundle(decoder).GetKeyRings().OfType<PgpSecretKeyRing>().ToList();
            return rings.Count == 1
                ? rings[0]
                : throw new PgpKeyUnlockException($"The secret key file must hold exactly one secret key; it holds {rings.Count}.");
        }
        catch (Exception exception) when (OpenPgpKeys.IsMalformedPacket(exception))
        {
            throw new PgpKeyUnlockException("The secret key file is not an ASCII-armored OpenPGP secret key (gpg --armor --export-secret-keys KEYID).", exception);
        }
    }

    private static PgpPublicKeyRing PublicHalf(PgpSecretKeyRing secretKeyRing)
    {
        using var encoded = new MemoryStream();
        foreach (var secretKey in secretKeyRing.GetSecretKeys().OfType<PgpSecretKey>())
        {
            secretKey.PublicKey.Encode(encoded);
        }

        return new PgpPublicKeyRing(encoded.ToArray());
    }

    /// <summary>The primary key if its key flags allow signing, else the newest valid signing subkey.</summary>
    private static PgpPublicKey ChooseSigningKey(PgpPublicKeyRing ring, PgpPublicKey primary, DateTimeOffset now)
    {
        var primarySelfSignature = OpenPgpKeys.LatestSelfSignature(primary, primary)
            ?? throw new PgpKeyUnlockException($"The secret key {OpenPgpKeys.KeyIdHex(primary.KeyId)} has no valid self-signature.");
        if (OpenPgpKeys.IsRevoked(primary, primary))
        {
            throw new PgpKeyUnlockException($"The secret key {OpenPgpKeys.KeyIdHex(primary.KeyId)} has been revoked; partners would reject its signatures.");
        }

        if (OpenPgpKeys.ExpiresAt(primary, primarySelfSignature) is { } expiry && expiry <= now)
        {
            throw new PgpKeyUnlockException($"The secret key {OpenPgpKeys.KeyIdHex(primary.KeyId)} expired on {expiry:yyyy-MM-dd}; partners would reject its signatures.");
        }

        var candidates = ring.GetPublicKeys().OfType<PgpPublicKey>()
            .Select(key => (Key: key, SelfSignature: key.IsMasterKey ? primarySelfSignature : OpenPgpKeys.LatestSelfSignature(primary, key)))
            .Where(candidate => candidate.SelfSignature is not null
                && OpenPgpKeys.KeyFlags(candidate.SelfSignature) is { } flags && (flags & PgpKeyFlags.CanSign) != 0
                && candidate.Key.Algorithm is not (PublicKeyAlgorithmTag.RsaEncrypt or PublicKeyAlgorithmTag.ECDH or PublicKeyAlgorithmTag.ElGamalEncrypt
                    or PublicKeyAlgorithmTag.X25519 or PublicKeyAlgorithmTag.X448)
                && !OpenPgpKeys.IsRevoked(primary, candidate.Key)
                && !(OpenPgpKeys.ExpiresAt(candidate.Key, candidate.SelfSignature) <= now))
            .OrderByDescending(candidate => candidate.Key.IsMasterKey)
            .ThenByDescending(candidate => candidate.Key.CreationTime)
            .Select(candidate => candidate.Key)
            .ToList();
        return candidates.Count > 0
            ? candidates[0]
            : throw new PgpKeyUnlockException($"The secret key {OpenPgpKeys.KeyIdHex(primary.KeyId)} has no valid key whose key flags allow signing.");
    }
}
