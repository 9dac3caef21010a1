using System.Buffers;
using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;

namespace ReportingApi.Storage;

/// <summary>
/// Objects in an S3 bucket, optionally under a key prefix, encrypted with SSE-KMS when a key id is configured.
/// Content that fits in one part goes up in a single PutObject; larger content is streamed in parts through one
/// reused buffer, and a multipart upload that fails is aborted so no object (and no billed orphan parts) remain.
/// Copies are server-side: one CopyObject, or parts copied into a multipart upload above S3's 5 GiB CopyObject limit.
/// </summary>
public sealed class S3ObjectStore : IObjectStore, IDisposable
{
    /// <summary>S3 allows at most this many parts per upload.</summary>
    private const int MaxPartCount = 10_000;

    private static readonly TimeSpan AbortTimeout = TimeSpan.FromSeconds(30);

    private readonly AmazonS3Client _client;
    private readonly S3StoreOptions _options;
    private readonly string _keyPrefix;
    private readonly ILogger<S3ObjectStore> _logger;

    public S3ObjectStore(IOptions<ObjectStoreOptions> options, ILogger<S3ObjectStore> logger)
        : this(options.Value.S3, logger)
    {
    }

    /// <param name="decorateHandler">Wraps the HTTP handler (tests observe the requests sent); null in production.</param>
    internal S3ObjectStore(S3StoreOptions options, ILogger<S3ObjectStore> logger, Func<HttpMessageHandler, HttpMessageHandler>? decorateHandler = null)
    {
        _options = options;
        _keyPrefix = NormalizePrefix(options.KeyPrefix);
        _logger = logger;
        _client = S3ClientFactory.Create(options, decorateHandler);
    }

    public async Task<long> PutAsync(string key, Stream content, string contentType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var objectKey = ObjectKeyOf(key);
        var partSize = _options.PartSizeBytes;
        var buffer = ArrayPool<byte>.Shared.Rent(partSize);
        try
        {
            var firstLength = await ReadPartAsync(content, buffer, partSize, cancellationToken);
            if (firstLength < partSize)
            {
                using var body = new MemoryStream(buffer, 0, firstLength, writable: false);
                await _client.PutObjectAsync(BuildPutObjectRequest(objectKey, contentType, body), cancellationToken);
                return firstLength;
            }

            return await PutMultipartAsync(objectKey, content, contentType, buffer, firstLength, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var objectKey = ObjectKeyOf(key);
        try
        {
            // Disposing the returned stream releases the HTTP response.
            var response = await _client.GetObjectAsync(new GetObjectRequest { BucketName = _options.BucketName, Key = objectKey }, cancellationToken);
            return response.ResponseStream;
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound && exception.ErrorCode != "NoSuchBucket")
        {
            throw new ObjectNotFoundException(key);
        }
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        var objectKey = ObjectKeyOf(key);
        try
        {
            await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _options.BucketName, Key = objectKey }, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            // HEAD responses have no body, so a missing bucket cannot be told apart here; the next write reports it.
            return false;
        }
    }

    public async Task CopyAsync(string sourceKey, string destinationKey, CancellationToken cancellationToken)
    {
        var sourceObjectKey = ObjectKeyOf(sourceKey, nameof(sourceKey));
        var destinationObjectKey = ObjectKeyOf(destinationKey, nameof(destinationKey));
        try
        {
            var source = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _options.BucketName, Key = sourceObjectKey }, cancellationToken);
            if (source.ContentLength <= _options.CopyPartSizeBytes)
            {
                await _client.CopyObjectAsync(BuildCopyObjectRequest(sourceObjectKey, destinationObjectKey), cancellationToken);
            }
            else
            {
                await CopyMultipartAsync(sourceObjectKey, source, destinationObjectKey, cancellationToken);
            }
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound && exception.ErrorCode != "NoSuchBucket")
        {
            throw new ObjectNotFoundException(sourceKey);
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var objectKey = ObjectKeyOf(key);
        await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _options.BucketName, Key = objectKey }, cancellationToken);
    }

    public void Dispose() => _client.Dispose();

    internal PutObjectRequest BuildPutObjectRequest(string objectKey, string contentType, Stream body)
    {
        var request = new PutObjectRequest
        {
            BucketName = _options.BucketName,
            Key = objectKey,
            ContentType = contentType,
            InputStream = body,
            AutoCloseStream = false,
            DisablePayloadSigning = _options.DisablePayloadSigning,
        };
        if (!string.IsNullOrEmpty(_options.KmsKeyId))
        {
            request.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS;
            request.ServerSideEncryptionKeyManagementServiceKeyId = _options.KmsKeyId;
        }

        return request;
    }

    private CopyObjectRequest BuildCopyObjectRequest(string sourceObjectKey, string destinationObjectKey)
    {
        var request = new CopyObjectRequest
        {
            SourceBucket = _options.BucketName,
            SourceKey = sourceObjectKey,
            DestinationBucket = _options.BucketName,
            DestinationKey = destinationObjectKey,
        };
        if (!string.IsNullOrEmpty(_options.KmsKeyId))
        {
            // A copy is a new object: without these it would get the bucket's default encryption, not ours.
            request.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS;
            request.ServerSideEncryptionKeyManagementServiceKeyId = _options.KmsKeyId;
        }

        return request;
    }

    /// <param name="withChecksums">Whether parts carry a CRC32 (uploads); copied parts never cross the network.</param>
    internal InitiateMultipartUploadRequest BuildInitiateMultipartUploadRequest(string objectKey, string contentType, bool withChecksums = true)
    {
        var request = new InitiateMultipartUploadRequest
        {
            BucketName = _options.BucketName,
            Key = objectKey,
            ContentType = contentType,
        };
        if (withChecksums && ChecksumsWanted)
        {
            // Declared up front so that every part carries a CRC32 and S3 checks the whole object on completion.
            request.ChecksumAlgorithm = ChecksumAlgorithm.CRC32;
        }

        if (!string.IsNullOrEmpty(_options.KmsKeyId))
        {
            request.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS;
            request.ServerSideEncryptionKeyManagementServiceKeyId = _options.KmsKeyId;
        }

        return request;
    }

    internal UploadPartRequest BuildUploadPartRequest(string objectKey, string uploadId, int partNumber, Stream body) => new()
    {
        BucketName = _options.BucketName,
        Key = objectKey,
        UploadId = uploadId,
        PartNumber = partNumber,
        PartSize = body.Length,
        InputStream = body,
        DisablePayloadSigning = _options.DisablePayloadSigning,
        ChecksumAlgorithm = ChecksumsWanted ? ChecksumAlgorithm.CRC32 : null,
    };

    internal string ObjectKeyOf(string key, string parameterName = "key")
    {
        ObjectKeys.Validate(key, parameterName);
        return _keyPrefix + key;
    }

    private bool ChecksumsWanted => _options.RequestChecksumCalculation == RequestChecksumCalculation.WHEN_SUPPORTED;

    private async Task<long> PutMultipartAsync(
        string objectKey, Stream content, string contentType, byte[] buffer, int firstLength, CancellationToken cancellationToken)
    {
        var upload = await _client.InitiateMultipartUploadAsync(BuildInitiateMultipartUploadRequest(objectKey, contentType), cancellationToken);
        try
        {
            var parts = new List<PartETag>();
            long total = 0;
            var length = firstLength;
            while (length > 0)
            {
                var partNumber = parts.Count + 1;
                if (partNumber > MaxPartCount)
                {
                    throw new InvalidOperationException(
                        $"Content is larger than {MaxPartCount} parts of {_options.PartSizeBytes} bytes; raise ObjectStore:S3:PartSizeBytes.");
                }

                using (var body = new MemoryStream(buffer, 0, length, writable: false))
                {
                    var response = await _client.UploadPartAsync(BuildUploadPartRequest(objectKey, upload.UploadId, partNumber, body), cancellationToken);
                    parts.Add(new PartETag(response, copyChecksums: true));
                }

                total += length;
                // A short part is the last one: the content has ended.
                length = length < _options.PartSizeBytes ? 0 : await ReadPartAsync(content, buffer, _options.PartSizeBytes, cancellationToken);
            }

            await _client.CompleteMultipartUploadAsync(
                new CompleteMultipartUploadRequest
                {
                    BucketName = _options.BucketName,
                    Key = objectKey,
                    UploadId = upload.UploadId,
                    PartETags = parts,
                },
                cancellationToken);
            return total;
        }
        catch
        {
            await AbortMultipartUploadAsync(objectKey, upload.UploadId);
            throw;
        }
    }

    /// <summary>
    /// Copies <paramref name="source"/> in parts of <see cref="S3StoreOptions.CopyPartSizeBytes"/>, each from the version
    /// the metadata names, so that an overwrite of the source meanwhile cannot mix two versions in the copy.
    /// </summary>
    private async Task CopyMultipartAsync(string sourceObjectKey, GetObjectMetadataResponse source, string destinationObjectKey, CancellationToken cancellationToken)
    {
        var partSize = Math.Max(_options.CopyPartSizeBytes, (source.ContentLength + MaxPartCount - 1) / MaxPartCount);
        var upload = await _client.InitiateMultipartUploadAsync(
            BuildInitiateMultipartUploadRequest(destinationObjectKey, source.Headers.ContentType, withChecksums: false), cancellationToken);
        try
        {
            var parts = new List<PartETag>();
            for (long firstByte = 0; firstByte < source.ContentLength; firstByte += partSize)
            {
                var response = await _client.CopyPartAsync(
                    new CopyPartRequest
                    {
                        SourceBucket = _options.BucketName,
                        SourceKey = sourceObjectKey,
                        SourceVersionId = source.VersionId,
                        ETagToMatch = [source.ETag],
                        DestinationBucket = _options.BucketName,
                        DestinationKey = destinationObjectKey,
                        UploadId = upload.UploadId,
                        PartNumber = parts.Count + 1,
                        FirstByte = firstByte,
                        LastByte = Math.Min(firstByte + partSize, source.ContentLength) - 1,
                    },
                    cancellationToken);
                parts.Add(new PartETag(parts.Count + 1, response.ETag));
            }

            await _client.CompleteMultipartUploadAsync(
                new CompleteMultipartUploadRequest { BucketName = _options.BucketName, Key = destinationObjectKey, UploadId = upload.UploadId, PartETags = parts },
                cancellationToken);
        }
        catch
        {
            await AbortMultipartUploadAsync(destinationObjectKey, upload.UploadId);
            throw;
        }
    }

    private async Task AbortMultipartUploadAsync(string objectKey, string uploadId)
    {
        // Not the caller's token: the upload must be aborted even (especially) when the caller gave up.
        using var timeout = new CancellationTokenSource(AbortTimeout);
        try
        {
            await _client.AbortMultipartUploadAsync(
                new AbortMultipartUploadRequest { BucketName = _options.BucketName, Key = objectKey, UploadId = uploadId },
                timeout.Token);
        }
        catch (Exception exception) when (exception is AmazonServiceException or HttpRequestException or OperationCanceledException or IOException)
        {
            // The original failure is what the caller needs; a bucket lifecycle rule removes what is left behind.
            _logger.LogWarning(exception, "Could not abort multipart upload {UploadId} of {Key}", uploadId, objectKey);
        }
    }

    /// <summary>Fills <paramref name="buffer"/> up to <paramref name="size"/> bytes; fewer only when the content ends.</summary>
    private static async Task<int> ReadPartAsync(Stream content, byte[] buffer, int size, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < size)
        {
            var read = await content.ReadAsync(buffer.AsMemory(filled, size - filled), cancellationToken);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }

    /// <summary>The prefix as keys carry it: without leading or trailing separators, then one separator; empty for none.</summary>
    internal static string NormalizePrefix(string? prefix)
    {
        var trimmed = prefix?.Trim(ObjectKeys.Separator) ?? "";
        if (trimmed.Length == 0)
        {
            return "";
        }

        ObjectKeys.Validate(trimmed, nameof(S3StoreOptions.KeyPrefix));
        return trimmed + ObjectKeys.Separator;
    }
}
