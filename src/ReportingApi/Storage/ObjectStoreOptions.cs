using System.ComponentModel.DataAnnotations;
using Amazon.Runtime;

namespace ReportingApi.Storage;

public enum ObjectStoreProvider
{
    /// <summary>A folder on disk: the embedded default, nothing to install.</summary>
    Folder,

    /// <summary>An S3 bucket (AWS, or an S3-compatible server such as moto in tests).</summary>
    S3,
}

public sealed class ObjectStoreOptions : IValidatableObject
{
    public const string Section = "ObjectStore";

    public ObjectStoreProvider Provider { get; set; } = ObjectStoreProvider.Folder;

    /// <summary>Root folder of the Folder provider; a relative path is resolved against the content root.</summary>
    public string FolderPath { get; set; } = ".local/objects";

    /// <summary>Settings of the S3 provider (sub-section <c>ObjectStore:S3</c>).</summary>
    public S3StoreOptions S3 { get; set; } = new();

    /// <summary>
    /// The store's key of an object a bucket notification names: null when the notification is of another bucket or
    /// outside the store's key prefix (with the folder store, the key as it is).
    /// </summary>
    public string? StoreKeyOf(string bucketName, string objectKey)
    {
        if (Provider != ObjectStoreProvider.S3)
        {
            return objectKey;
        }

        var keyPrefix = S3ObjectStore.NormalizePrefix(S3.KeyPrefix);
        return string.Equals(bucketName, S3.BucketName, StringComparison.Ordinal) && objectKey.StartsWith(keyPrefix, StringComparison.Ordinal)
            ? objectKey[keyPrefix.Length..]
            : null;
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider == ObjectStoreProvider.Folder && string.IsNullOrWhiteSpace(FolderPath))
        {
            yield return new ValidationResult("The Folder object store needs a FolderPath.", [nameof(FolderPath)]);
        }

        if (Provider == ObjectStoreProvider.S3)
        {
            // DataAnnotations does not descend into nested objects by itself.
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(S3, new ValidationContext(S3), results, validateAllProperties: true);
            foreach (var result in results)
            {
                yield return new ValidationResult(
                    $"{nameof(S3)}: {result.ErrorMessage}",
                    result.MemberNames.Select(member => $"{nameof(S3)}.{member}").ToArray());
            }
        }
    }
}

/// <summary>S3 settings. The defaults are right for real AWS (and for moto, which the tests use with them).</summary>
public sealed class S3StoreOptions : IValidatableObject
{
    /// <summary>S3's smallest allowed part (all but the last part of a multipart upload).</summary>
    public const int MinimumPartSizeBytes = 5 * 1024 * 1024;

    /// <summary>Our largest part: one part buffer is held in memory per upload, so keep it modest.</summary>
    public const int MaximumPartSizeBytes = 512 * 1024 * 1024;

    /// <summary>S3's largest object for one CopyObject, and its largest part.</summary>
    public const long MaximumCopyBytes = 5L * 1024 * 1024 * 1024;

    [Required(AllowEmptyStrings = false)]
    public string BucketName { get; set; } = "";

    /// <summary>Prepended to every key, e.g. <c>reporting</c> stores <c>partners/1/...</c> as <c>reporting/partners/1/...</c>.</summary>
    public string? KeyPrefix { get; set; }

    /// <summary>AWS region, e.g. <c>eu-central-1</c>. Empty: the SDK's default (<c>AWS_REGION</c>, profile).</summary>
    public string? Region { get; set; }

    /// <summary>Endpoint of an S3-compatible server, e.g. <c>https://127.0.0.1:4568</c>. Empty: AWS's endpoint for the region.</summary>
    [Url]
    public string? ServiceUrl { get; set; }

    /// <summary>Path-style addressing (<c>host/bucket/key</c>); S3-compatible servers usually need it.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>KMS key id or ARN for SSE-KMS on every object written. Empty: the bucket's default encryption applies.</summary>
    public string? KmsKeyId { get; set; }

    /// <summary>Content up to this size goes up in one PutObject; larger content in parts of this size (one buffer of it in memory).</summary>
    [Range(MinimumPartSizeBytes, MaximumPartSizeBytes)]
    public int PartSizeBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// Objects up to this size are copied in one CopyObject; larger ones (an upload over 5 GiB, say) in parts of this
    /// size (UploadPartCopy), both server-side. The default is S3's limit for either.
    /// </summary>
    [Range(MinimumPartSizeBytes, MaximumCopyBytes)]
    public long CopyPartSizeBytes { get; set; } = MaximumCopyBytes;

    /// <summary>
    /// Send bodies as UNSIGNED-PAYLOAD (HTTPS only; TLS protects them), for S3-compatible servers that would store the aws-chunked
    /// framing as object bytes. Keep false for AWS.
    /// </summary>
    public bool DisablePayloadSigning { get; set; }

    /// <summary>
    /// When the SDK adds request checksums. <c>WHEN_SUPPORTED</c> (AWS default): CRC32 on every upload.
    /// <c>WHEN_REQUIRED</c>: only where S3 demands one, for S3-compatible servers without checksum support.
    /// </summary>
    public RequestChecksumCalculation RequestChecksumCalculation { get; set; } = RequestChecksumCalculation.WHEN_SUPPORTED;

    /// <summary>
    /// PEM file of the CA certificate(s) that the S3 endpoint's TLS certificate must chain to, instead of the system's
    /// trust store (a private S3-compatible server). Empty: the system's trust store.
    /// </summary>
    public string? CaCertificatePath { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DisablePayloadSigning && !string.IsNullOrEmpty(ServiceUrl) &&
            !ServiceUrl.StartsWith(Uri.UriSchemeHttps + "://", StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult(
                "DisablePayloadSigning needs an https ServiceUrl: unsigned bodies are only protected by TLS.",
                [nameof(DisablePayloadSigning), nameof(ServiceUrl)]);
        }

        if (!string.IsNullOrEmpty(CaCertificatePath) && !File.Exists(CaCertificatePath))
        {
            yield return new ValidationResult($"CaCertificatePath '{CaCertificatePath}' does not exist.", [nameof(CaCertificatePath)]);
        }
    }
}
