using System.Security.Cryptography;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Bcpg.Sig;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace ReportingApi.Pgp;

/// <summary>A generated key pair, both halves ASCII-armored; the secret key is protected by the passphrase it was generated with.</summary>
public sealed record GeneratedPgpKey(string ArmoredPublicKey, string ArmoredSecretKey, string Fingerprint, string KeyId);

/// <summary>The kinds of key <see cref="PgpKeyGenerator"/> makes.</summary>
public enum PgpKeyKind
{
    /// <summary>RSA-3072 primary key with an RSA-3072 encryption subkey (gpg's rsa3072).</summary>
    Rsa,

    /// <summary>EdDSA Ed25519 primary key with an ECDH Curve25519 (X25519) encryption subkey (gpg's future-default, gpg 2.3+'s default).</summary>
    Ed25519,
}

/// <summary>
/// Generates OpenPGP v4 keys the way gpg does: a primary key that certifies and signs, an encryption subkey,
/// SHA-256 self-signatures with key flags and algorithm preferences; RSA-3072 or Ed25519/Cv25519. Used for the demo
/// partners and the development company key; production keys are made by their owners.
/// </summary>
public sealed class PgpKeyGenerator(TimeProvider timeProvider)
{
    public const int RsaBits = 3072;

    private static readonly int[] PreferredSymmetric = [(int)SymmetricKeyAlgorithmTag.Aes256, (int)SymmetricKeyAlgorithmTag.Aes192, (int)SymmetricKeyAlgorithmTag.Aes128];
    private static readonly int[] PreferredHashes = [(int)HashAlgorithmTag.Sha512, (int)HashAlgorithmTag.Sha384, (int)HashAlgorithmTag.Sha256];
    private static readonly int[] PreferredCompression = [(int)CompressionAlgorithmTag.ZLib, (int)CompressionAlgorithmTag.Zip, (int)CompressionAlgorithmTag.Uncompressed];

    /// <param name="userId">For example <c>Acme Payroll Services &lt;reports@acme.example&gt;</c>.</param>
    /// <param name="passphrase">Protects the secret key (AES-256, iterated and salted S2K).</param>
    /// <param name="validFor">Key lifetime from now; null for a key that does not expire.</param>
    /// <param name="kind">RSA-3072 (the default) or Ed25519 with a Cv25519 subkey.</param>
    public GeneratedPgpKey Generate(string userId, string passphrase, TimeSpan? validFor = null, PgpKeyKind kind = PgpKeyKind.Rsa)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        ArgumentException.ThrowIfNullOrEmpty(passphrase);
        if (validFor is { } lifetime && lifetime < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(validFor), "A key must be valid for at least a second.");
        }

        // OpenPGP stores whole seconds; a later subkey signature must not predate the key.
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var created = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        var random = new SecureRandom();
        var (primary, encryption) = kind switch
        {
            PgpKeyKind.Rsa => (new PgpKeyPair(PublicKeyAlgorithmTag.RsaGeneral, GenerateRsa(), created), new PgpKeyPair(PublicKeyAlgorithmTag.RsaGeneral, GenerateRsa(), created)),
            PgpKeyKind.Ed25519 => (new PgpKeyPair(PublicKeyAlgorithmTag.EdDsa_Legacy, GenerateEd25519(random), created), new PgpKeyPair(PublicKeyAlgorithmTag.ECDH, GenerateX25519(random), created)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown key kind."),
        };

        var primaryProperties = new PgpSignatureSubpacketGenerator();
        primaryProperties.SetKeyFlags(false, PgpKeyFlags.CanCertify | PgpKeyFlags.CanSign);
        primaryProperties.SetPreferredSymmetricAlgorithms(false, PreferredSymmetric);
        primaryProperties.SetPreferredHashAlgorithms(false, PreferredHashes);
        primaryProperties.SetPreferredCompressionAlgorithms(false, PreferredCompression);
        primaryProperties.SetFeature(false, Features.FEATURE_MODIFICATION_DETECTION);
        var encryptionProperties = new PgpSignatureSubpacketGenerator();
        encryptionProperties.SetKeyFlags(false, OpenPgpKeys.EncryptionFlags);
        if (validFor is { } validity)
        {
            var seconds = (long)validity.TotalSeconds;
            primaryProperties.SetKeyExpirationTime(false, seconds);
            encryptionProperties.SetKeyExpirationTime(false, seconds);
        }

        var passphraseChars = passphrase.ToCharArray();
        try
        {
            // The HashAlgorithmTag arguments choose the self-signatures' hash (BouncyCastle's default is SHA-1).
            var rings = new PgpKeyRingGenerator(
                PgpSignature.PositiveCertification, primary, userId, SymmetricKeyAlgorithmTag.Aes256, HashAlgorithmTag.Sha256,
                passphraseChars, useSha1: true, primaryProperties.Generate(), null, random);
            rings.AddSubKey(encryption, encryptionProperties.Generate(), null, HashAlgorithmTag.Sha256);
            var publicKeyRing = rings.GeneratePublicKeyRing();
            var secretKeyRing = rings.GenerateSecretKeyRing();
            return new GeneratedPgpKey(
                OpenPgpKeys.Armor(publicKeyRing.Encode),
                OpenPgpKeys.Armor(secretKeyRing.Encode),
                OpenPgpKeys.Fingerprint(primary.PublicKey),
                OpenPgpKeys.KeyIdHex(primary.KeyId));
        }
        finally
        {
            Array.Clear(passphraseChars);
        }
    }

    /// <summary>RSA key generation in .NET (OpenSSL): a fraction of a second, where BouncyCastle's managed prime search takes seconds.</summary>
    private static AsymmetricCipherKeyPair GenerateRsa()
    {
        using var rsa = RSA.Create(RsaBits);
        var parameters = rsa.ExportParameters(includePrivateParameters: true);
        try
        {
            var modulus = Unsigned(parameters.Modulus!);
            var exponent = Unsigned(parameters.Exponent!);
            return new AsymmetricCipherKeyPair(
                new RsaKeyParameters(false, modulus, exponent),
                new RsaPrivateCrtKeyParameters(modulus, exponent, Unsigned(parameters.D!), Unsigned(parameters.P!), Unsigned(parameters.Q!),
                    Unsigned(parameters.DP!), Unsigned(parameters.DQ!), Unsigned(parameters.InverseQ!)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(parameters.D);
            CryptographicOperations.ZeroMemory(parameters.P);
            CryptographicOperations.ZeroMemory(parameters.Q);
            CryptographicOperations.ZeroMemory(parameters.DP);
            CryptographicOperations.ZeroMemory(parameters.DQ);
            CryptographicOperations.ZeroMemory(parameters.InverseQ);
        }
    }

    private static AsymmetricCipherKeyPair GenerateEd25519(SecureRandom random)
    {
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(random));
        return generator.GenerateKeyPair();
    }

    /// <summary>An X25519 key pair; BouncyCastle writes it as an ECDH key on Curve25519 with SHA-256 and AES-128 key wrapping, as gpg does.</summary>
    private static AsymmetricCipherKeyPair GenerateX25519(SecureRandom random)
    {
        var generator = new X25519KeyPairGenerator();
        generator.Init(new X25519KeyGenerationParameters(random));
        return generator.GenerateKeyPair();
    }

    private static BigInteger Unsigned(byte[] bigEndian) => new(1, bigEndian);
}
