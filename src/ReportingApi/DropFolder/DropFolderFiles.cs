namespace ReportingApi.DropFolder;

/// <summary>
/// What a run that delivers a file from a partner's S3 drop folder (<c>partners/{id}/outbox/{name}</c>) looks like: it is
/// recorded in <c>report_runs</c> like a report run, under a report and a format of its own. The feature was called the
/// outbox at first; the stored and public names keep that word for compatibility: the <c>outbox/</c> prefix, the report
/// <c>outbox</c>, the client <c>s3-outbox</c>, the idempotency key prefix, and the partner field
/// <c>deleteOutboxAfterDelivery</c> (column <c>delete_outbox_after_delivery</c>).
/// </summary>
public static class DropFolderFiles
{
    /// <summary>The run's report: not in the report catalog, so no partner can ask for it.</summary>
    public const string ReportId = "outbox";

    /// <summary>The run's format: a file as the partner dropped it.</summary>
    public const string Format = "file";

    /// <summary>Who "requested" the run: the bucket's notification, not a partner client (client ids never contain ':').</summary>
    public const string ClientId = "s3-outbox";

    /// <summary>Prefix of the run's idempotency key; the rest is a SHA-256 of the bucket, key and version.</summary>
    public const string IdempotencyKeyPrefix = "outbox:";

    /// <summary>The step recorded when the delivered source file was deleted.</summary>
    public const string SourceDeletedStep = "source-deleted";

    /// <summary>The step recorded when deleting the delivered source file failed (at most 20 characters, like every step).</summary>
    public const string SourceDeleteFailedStep = "source-delete-failed";

    /// <summary>The longest delivered name, in UTF-8 bytes: what SFTP servers' file systems and the OpenPGP literal packet allow.</summary>
    public const int MaxFileNameBytes = 255;

    private static readonly string[] EncryptedExtensions = [".pgp", ".gpg"];

    /// <summary>Names that are never delivered: checksums (the run writes its own) and partial uploads.</summary>
    private static readonly string[] IgnoredExtensions = [".sha256", ".part"];

    /// <summary>True for an OpenPGP file (<c>.pgp</c>/<c>.gpg</c>, any case): it is delivered unchanged.</summary>
    public static bool IsEncrypted(string fileName) =>
        EncryptedExtensions.Any(extension => fileName.EndsWith(extension, StringComparison.OrdinalIgnoreCase));

    /// <summary>True for names the outbox never delivers (<c>.sha256</c>, <c>.part</c>).</summary>
    public static bool IsIgnored(string fileName) =>
        IgnoredExtensions.Any(extension => fileName.EndsWith(extension, StringComparison.OrdinalIgnoreCase));
}
