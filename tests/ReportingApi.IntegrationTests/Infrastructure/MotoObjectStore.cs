using System.Globalization;
using Amazon.S3;
using Amazon.S3.Model;
using ReportingApi.Storage;
using ReportingApi.TestSupport.Aws;

namespace ReportingApi.IntegrationTests.Infrastructure;

/// <summary>
/// S3 for the object store: the test process's shared <see cref="MotoServer"/> (HTTPS with its own certificate, SigV4
/// and IAM checked, bucket <see cref="MotoServer.BucketName"/> versioned without default encryption, a KMS key), reached
/// through a relay of this fixture's own that a test can cut (<see cref="Stop"/>) and restore (<see cref="StartAsync"/>)
/// like a server crash; moto keeps its data meanwhile. The store signs with the environment's credentials, which are
/// moto's user allowed exactly what serverless.template gives the function.
/// <para>
/// Not checked here, because moto does not: the bucket policy denying requests without TLS. moto 5.2.1 evaluates only
/// <c>StringEquals</c> conditions in bucket policies and skips the others (moto/iam/policy_conditions.py), so the
/// template's <c>Deny s3:*</c> with <c>Bool aws:SecureTransport false</c> denies every request, over HTTPS too (measured:
/// GetObject and PutObject answer 403 on HTTP and HTTPS alike). The deploy dry run checks the policy in the template.
/// </para>
/// </summary>
public sealed class MotoObjectStore : IAsyncLifetime, IDisposable
{
    private InterruptibleTcpProxy? _relay;

    public MotoServer Server { get; private set; } = null!;

    public static string BucketName => MotoServer.BucketName;

    /// <summary>The moto KMS key the store encrypts with (SSE-KMS).</summary>
    public string KmsKeyArn => Server.KmsKeyArn;

    /// <summary>The endpoint as the store sees it: this fixture's relay to moto.</summary>
    public string ServiceUrl => string.Create(CultureInfo.InvariantCulture, $"https://127.0.0.1:{Relay.Port}");

    public bool IsRunning => !Relay.IsCut;

    private InterruptibleTcpProxy Relay => _relay ?? throw new InvalidOperationException("The fixture has not been initialized.");

    public async Task InitializeAsync()
    {
        Server = await MotoServer.SharedAsync();
        _relay = new InterruptibleTcpProxy(Server.Port);
    }

    /// <summary>Nothing to do: the relay goes in <see cref="Dispose"/>, the shared server when the test process exits.</summary>
    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _relay?.Dispose();

    /// <summary>Cuts the store off from S3, as a crash of S3 would; <see cref="StartAsync"/> brings it back.</summary>
    public void Stop() => Relay.Cut();

    public Task StartAsync()
    {
        Relay.Restore();
        return Task.CompletedTask;
    }

    /// <summary>Store settings for moto: path style, HTTPS trusting moto's certificate, SSE-KMS with the moto key unless <paramref name="encrypted"/> is false.</summary>
    public S3StoreOptions CreateStoreOptions(
        string? keyPrefix = null, bool encrypted = true, int partSizeBytes = S3StoreOptions.MinimumPartSizeBytes, long copyPartSizeBytes = S3StoreOptions.MaximumCopyBytes) => new()
    {
        BucketName = BucketName,
        KeyPrefix = keyPrefix,
        Region = MotoServer.Region,
        ServiceUrl = ServiceUrl,
        ForcePathStyle = true,
        KmsKeyId = encrypted ? KmsKeyArn : null,
        PartSizeBytes = partSizeBytes,
        CopyPartSizeBytes = copyPartSizeBytes,
        CaCertificatePath = Server.CaCertificatePath,
    };

    /// <summary>The same settings as app configuration (<c>ObjectStore:*</c>), e.g. for a WebApplicationFactory.</summary>
    public Dictionary<string, string?> CreateConfiguration(string? keyPrefix = null, bool encrypted = true)
    {
        var options = CreateStoreOptions(keyPrefix, encrypted);
        const string S3 = $"{ObjectStoreOptions.Section}:{nameof(ObjectStoreOptions.S3)}:";
        return new Dictionary<string, string?>
        {
            [$"{ObjectStoreOptions.Section}:{nameof(ObjectStoreOptions.Provider)}"] = nameof(ObjectStoreProvider.S3),
            [S3 + nameof(S3StoreOptions.BucketName)] = options.BucketName,
            [S3 + nameof(S3StoreOptions.KeyPrefix)] = options.KeyPrefix,
            [S3 + nameof(S3StoreOptions.Region)] = options.Region,
            [S3 + nameof(S3StoreOptions.ServiceUrl)] = options.ServiceUrl,
            [S3 + nameof(S3StoreOptions.ForcePathStyle)] = "true",
            [S3 + nameof(S3StoreOptions.KmsKeyId)] = options.KmsKeyId,
            [S3 + nameof(S3StoreOptions.PartSizeBytes)] = options.PartSizeBytes.ToString(CultureInfo.InvariantCulture),
            [S3 + nameof(S3StoreOptions.CaCertificatePath)] = options.CaCertificatePath,
        };
    }

    /// <summary>An S3 client that may do anything (moto's admin user), straight to moto: to look behind the store.</summary>
    public AmazonS3Client CreateS3Client() => Server.CreateS3Client();

    /// <summary>
    /// Fails unless every object version the <paramref name="requests"/> wrote (PutObject, CopyObject and
    /// CompleteMultipartUpload that S3 answered with 200) is stored with SSE-KMS under the moto key, as moto reports it
    /// (HeadObject of that version). Listing the bucket would be simpler, but moto 5.2.1 refuses the signature of any
    /// request whose query string holds a '/' (it checks the signature over the decoded query), such as a listing by prefix.
    /// </summary>
    public async Task AssertWrittenObjectsEncryptedAsync(IEnumerable<RecordedRequest> requests)
    {
        using var s3 = CreateS3Client();
        foreach (var request in requests.Where(WroteAnObject))
        {
            var key = Uri.UnescapeDataString(request.Uri.AbsolutePath[$"/{BucketName}/".Length..]);
            var version = request.ResponseHeader("x-amz-version-id");
            var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = BucketName, Key = key, VersionId = version });
            Assert.True(
                head.ServerSideEncryptionMethod == ServerSideEncryptionMethod.AWSKMS && head.ServerSideEncryptionKeyManagementServiceKeyId == KmsKeyArn,
                $"{key} (version {version}) is stored with '{head.ServerSideEncryptionMethod}' and key '{head.ServerSideEncryptionKeyManagementServiceKeyId}', not aws:kms with {KmsKeyArn}.");
        }
    }

    /// <summary>Whether the upload is still open (S3 keeps its parts, and bills them, until it is completed or aborted).</summary>
    public async Task<bool> IsUploadOpenAsync(string key, string uploadId)
    {
        using var s3 = CreateS3Client();
        try
        {
            await s3.ListPartsAsync(new ListPartsRequest { BucketName = BucketName, Key = key, UploadId = uploadId });
            return true;
        }
        catch (AmazonS3Exception exception) when (exception.ErrorCode == "NoSuchUpload")
        {
            return false;
        }
    }

    private static bool WroteAnObject(RecordedRequest request) =>
        request.Status == System.Net.HttpStatusCode.OK
        && ((request.Method == HttpMethod.Put && !request.HasQueryParameter("partNumber"))
            || (request.Method == HttpMethod.Post && request.HasQueryParameter("uploadId")));
}
