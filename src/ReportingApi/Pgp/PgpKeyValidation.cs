using System.Diagnostics.CodeAnalysis;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace ReportingApi.Pgp;

/// <summary>Why a partner's public key cannot be used. Stable names: the API maps them to problem-details types.</summary>
public enum PgpKeyRejectionReason
{
    /// <summary>Not an ASCII-armored OpenPGP public key, or damaged (armor checksum, malformed packets).</summary>
    Unparseable,

    /// <summary>A private key was sent instead of the public key.</summary>
    SecretKey,

    /// <summary>The block holds no key or more than one.</summary>
    NotASingleKey,

    /// <summary>An algorithm, curve or key version this service cannot use (DSA, ElGamal, Brainpool or secp256k1 curves, Ed448/X448, RFC 9580's X25519/Ed25519 algorithm ids, v5/v6 keys).</summary>
    UnsupportedAlgorithm,

    /// <summary>RSA with fewer than 2048 bits.</summary>
    WeakKey,

    /// <summary>No self-signature made by the key itself verifies, so nothing it says about itself can be trusted.</summary>
    InvalidSelfSignature,

    /// <summary>The key, or every encryption subkey, was revoked by its owner.</summary>
    Revoked,

    /// <summary>The key, or every encryption subkey, has expired.</summary>
    Expired,

    /// <summary>No key or subkey whose key flags allow encryption (a sign-only key).</summary>
    NoEncryptionKey,
}

/// <param name="Message">A sentence for the operator or partner saying what is wrong and what to send instead.</param>
public sealed record PgpKeyRejection(PgpKeyRejectionReason Reason, string Message);

/// <summary>One key or subkey.</summary>
/// <param name="Fingerprint">40 upper-case hex digits (v4 fingerprint).</param>
/// <param name="KeyId">16 upper-case hex digits (the fingerprint's last 8 bytes).</param>
/// <param name="Algorithm"><c>RSA</c>, <c>ECDSA P-256</c>, <c>ECDH P-384</c>, <c>EdDSA Ed25519</c>, <c>ECDH Curve25519</c>, ...</param>
/// <param name="Bits">RSA modulus size, or the curve's size (255 for Ed25519 and Curve25519, as gpg lists them).</param>
/// <param name="ExpiresAt">Null when the key does not expire.</param>
public sealed record PgpKeyDetails(string Fingerprint, string KeyId, string Algorithm, int Bits, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary>A partner's public key that passed validation, with the subkey files are encrypted to.</summary>
public sealed class PartnerPgpKey
{
    internal PartnerPgpKey(PgpPublicKeyRing publicKeyRing, PgpKeyDetails primaryKey, PgpKeyDetails encryptionKey, PgpPublicKey encryptionPublicKey)
    {
        PublicKeyRing = publicKeyRing;
        PrimaryKey = primaryKey;
        EncryptionKey = encryptionKey;
        EncryptionPublicKey = encryptionPublicKey;
        UserIds = OpenPgpKeys.UserIds(publicKeyRing.GetPublicKey());
        ArmoredPublicKey = OpenPgpKeys.Armor(publicKeyRing.Encode);
    }

    /// <summary>The primary key: it identifies the partner's key and verifies the partner's signatures.</summary>
    public PgpKeyDetails PrimaryKey { get; }

    /// <summary>The (sub)key files are encrypted to, chosen by its key flags: the newest usable one.</summary>
    public PgpKeyDetails EncryptionKey { get; }

    /// <summary>Primary key fingerprint, 40 hex digits.</summary>
    public string Fingerprint => PrimaryKey.Fingerprint;

    /// <summary>When the key stops being usable for encryption (the earlier of primary and encryption subkey); null when never.</summary>
    public DateTimeOffset? ExpiresAt => (PrimaryKey.ExpiresAt, EncryptionKey.ExpiresAt) switch
    {
        ({ } primary, { } subkey) => primary < subkey ? primary : subkey,
        (var primary, var subkey) => primary ?? subkey,
    };

    public IReadOnlyList<string> UserIds { get; }

    /// <summary>The key re-armored as parsed (comments and headers of the submitted text dropped): what to store.</summary>
    public string ArmoredPublicKey { get; }

    /// <summary>The whole key, to verify signatures the partner makes (<see cref="PgpDecryptor"/>).</summary>
    public PgpPublicKeyRing PublicKeyRing { get; }

    internal PgpPublicKey EncryptionPublicKey { get; }
}

/// <summary>The outcome of <see cref="PgpKeyValidator.Validate"/>: either <see cref="Key"/> or <see cref="Rejection"/>.</summary>
public sealed class PgpKeyValidationResult
{
    private PgpKeyValidationResult(PartnerPgpKey? key, PgpKeyRejection? rejection) => (Key, Rejection) = (key, rejection);

    public PartnerPgpKey? Key { get; }

    public PgpKeyRejection? Rejection { get; }

    [MemberNotNullWhen(true, nameof(Key))]
    [MemberNotNullWhen(false, nameof(Rejection))]
    public bool IsValid => Key is not null;

    internal static PgpKeyValidationResult Valid(PartnerPgpKey key) => new(key, null);

    internal static PgpKeyValidationResult Rejected(PgpKeyRejectionReason reason, string message) => new(null, new PgpKeyRejection(reason, message));
}
