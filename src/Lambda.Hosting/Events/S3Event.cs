namespace Lambda.Hosting.Events;

/// <summary>An S3 event notification (<c>Records[].eventSource</c> = <c>aws:s3</c>), reduced to what handlers need.</summary>
/// <param name="Records">The notified objects, in the order S3 sent them.</param>
public sealed record S3Event(IReadOnlyList<S3EventRecord> Records);

/// <summary>One object of an S3 event notification.</summary>
/// <param name="EventName">E.g. <c>ObjectCreated:Put</c> (without the <c>s3:</c> prefix, as S3 sends it).</param>
/// <param name="EventTime">When S3 recorded the event.</param>
/// <param name="AwsRegion">The bucket's region.</param>
/// <param name="BucketName">The bucket.</param>
/// <param name="ObjectKey">The object key, URL-decoded (S3 sends it form-encoded: <c>+</c> is a space).</param>
/// <param name="Size">The object size in bytes (absent for deletions).</param>
/// <param name="ETag">The object's ETag, without quotes (absent for deletions).</param>
/// <param name="VersionId">The object version, when the bucket is versioned.</param>
public sealed record S3EventRecord(
    string EventName,
    DateTimeOffset EventTime,
    string? AwsRegion,
    string BucketName,
    string ObjectKey,
    long? Size,
    string? ETag,
    string? VersionId);
