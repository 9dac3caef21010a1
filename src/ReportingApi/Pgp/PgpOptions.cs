using System.ComponentModel.DataAnnotations;
using System.IO.Compression;

namespace ReportingApi.Pgp;

/// <summary>The company's OpenPGP key, which signs every report file, and how files are written.</summary>
public sealed class PgpOptions
{
    public const string Section = "Pgp";

    /// <summary>
    /// File holding the company's ASCII-armored secret key: a signing key that is RSA or Ed25519 (EdDSA); an
    /// encryption subkey (RSA, or Cv25519 with Ed25519) lets partners send us files. A relative path is resolved
    /// against the content root.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string SecretKeyPath { get; set; } = "";

    /// <summary>
    /// File whose first line is the secret key's passphrase: a reference, so that the passphrase itself never sits in
    /// configuration. A relative path is resolved against the content root.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string PassphrasePath { get; set; } = "";

    /// <summary>
    /// ARN (or name) of the Secrets Manager secret whose SecretString is the armored secret key; used instead of
    /// <see cref="SecretKeyPath"/> when <c>Secrets:Provider</c> is <c>SecretsManager</c>.
    /// </summary>
    public string? SecretKeySecretArn { get; set; }

    /// <summary>ARN (or name) of the secret whose SecretString's first line is the passphrase; used with <c>Secrets:Provider</c> <c>SecretsManager</c>.</summary>
    public string? PassphraseSecretArn { get; set; }

    /// <summary>Write ASCII-armored files by default instead of binary OpenPGP; a caller can still choose per file.</summary>
    public bool Armor { get; set; }

    /// <summary>
    /// zlib level of the compressed packet. <see cref="CompressionLevel.Optimal"/> (level 6, as gpg) makes files as
    /// small as gpg's; <see cref="CompressionLevel.Fastest"/> encrypts report data about 1.7 times as fast here, for
    /// files about 60% larger.
    /// </summary>
    public CompressionLevel CompressionLevel { get; set; } = CompressionLevel.Optimal;

    /// <summary>
    /// When the key file is missing, generate a fresh company key and passphrase file there (Development only, so
    /// that a fresh checkout runs with nothing to set up). Never in production: a missing key must stop the start.
    /// </summary>
    public bool CreateDevelopmentKeyIfMissing { get; set; }

    /// <summary>What kind of development key to generate: RSA-3072 (the default) or Ed25519 with a Cv25519 subkey.</summary>
    public PgpKeyKind DevelopmentKeyKind { get; set; } = PgpKeyKind.Rsa;

    /// <summary>User id of a generated development key.</summary>
    [Required(AllowEmptyStrings = false)]
    public string DevelopmentKeyUserId { get; set; } = "ReportingApi Development <reports@localhost>";
}
