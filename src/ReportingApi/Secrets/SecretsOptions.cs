using System.ComponentModel.DataAnnotations;

namespace ReportingApi.Secrets;

/// <summary>Where the app's secrets (the company PGP key and its passphrase) come from.</summary>
public sealed class SecretsOptions
{
    public const string Section = "Secrets";

    /// <summary><see cref="SecretsProvider.Files"/> (a reference is a file path) or <see cref="SecretsProvider.SecretsManager"/> (a reference is a secret's ARN or name).</summary>
    public SecretsProvider Provider { get; set; } = SecretsProvider.Files;

    /// <summary>How long a value read from Secrets Manager is reused before it is read again (0: every time), so that a rotated secret is picked up.</summary>
    [Range(0, 86400)]
    public int CacheSeconds { get; set; } = 300;

    /// <summary>Secrets Manager's region; by default <c>AWS_REGION</c>.</summary>
    public string? Region { get; set; }

    /// <summary>Another endpoint than the region's public one (a VPC endpoint, or a fake in tests).</summary>
    public string? ServiceUrl { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// With <see cref="SecretsProvider.Files"/>: the folder (relative to the content root, or absolute) under which a
    /// reference stored with data, such as a partner's SFTP login, names its file. See <see cref="SecretReferences"/>.
    /// </summary>
    [Required]
    public string FolderPath { get; set; } = ".local/secrets";
}

public enum SecretsProvider
{
    Files,
    SecretsManager,
}
