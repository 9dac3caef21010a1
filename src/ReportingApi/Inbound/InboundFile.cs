namespace ReportingApi.Inbound;

/// <summary>The statuses of an inbound file: received → verified → stored, or rejected with a reason.</summary>
public static class InboundFileStatus
{
    public const string Received = "received";
    public const string Verified = "verified";
    public const string Stored = "stored";
    public const string Rejected = "rejected";

    public static bool IsFinished(string status) => status is Stored or Rejected;
}

/// <summary>Why an inbound file was rejected (the API shows these names in kebab case).</summary>
public enum InboundRejection
{
    /// <summary>Not decryptable with the company key: not encrypted to it, damaged or altered.</summary>
    DecryptFailed,

    /// <summary>Signed by another key than the partner's on file, or the signature does not match the content.</summary>
    BadSignature,

    /// <summary>The partner's policy requires a signature and the file has none (or the partner has no key on file).</summary>
    SignatureMissing,

    /// <summary>The <c>.sha256</c> or <c>.md5</c> file beside it does not match the upload.</summary>
    ChecksumMismatch,

    /// <summary>Not encrypted, and the partner's policy does not allow plaintext.</summary>
    PlaintextNotAllowed,

    /// <summary>Larger than the partner's (or the service's) limit.</summary>
    TooLarge,

    /// <summary>Processing stopped before it finished in every attempt (<c>Inbound:MaxAttempts</c>); the file was not checked.</summary>
    ProcessingFailed,
}

/// <summary>Whether an inbound file must be signed by the partner's key on file.</summary>
public enum SignaturePolicy
{
    /// <summary>A signature by the partner's key is required.</summary>
    Required,

    /// <summary>Unsigned files pass; a signature, when there is one, must be the partner's and valid. The default.</summary>
    IfSigned,

    /// <summary>Signatures are not checked.</summary>
    None,
}

/// <summary>What a partner may send. No policy stored: <see cref="Default"/>.</summary>
/// <param name="MaxBytes">Largest upload accepted; null: the service's limit (<c>Inbound:MaxBytes</c>).</param>
public sealed record InboundPolicy(SignaturePolicy Signature, bool AllowPlaintext, long? MaxBytes)
{
    public static readonly InboundPolicy Default = new(SignaturePolicy.IfSigned, false, null);
}

/// <summary>One uploaded file and what processing made of it.</summary>
public sealed record InboundFile(
    string Id,
    int PartnerId,
    string ObjectKey,
    string FileName,
    string Status,
    InboundRejection? Rejection,
    string? Reason,
    long? UploadedBytes,
    long? ClearBytes,
    string? ClearSha256,
    string? SignerKeyId,
    string? SignerFingerprint,
    string? ArchiveKey,
    string? StoredKey,
    string? QuarantineKey,
    int Attempts,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? VerifiedAt,
    DateTimeOffset? StoredAt,
    DateTimeOffset? RejectedAt,
    DateTimeOffset? LeaseUntil,
    string? LastFailure)
{
    public bool IsFinished => InboundFileStatus.IsFinished(Status);
}

/// <summary>What passed the checks: sizes, the clear file's hash, and who signed it (null when unsigned or not checked).</summary>
public sealed record InboundVerification(long UploadedBytes, long ClearBytes, string ClearSha256, string? SignerKeyId, string? SignerFingerprint);
