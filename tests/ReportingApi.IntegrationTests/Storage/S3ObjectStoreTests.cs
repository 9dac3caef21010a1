using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.Storage;
using ReportingApi.TestSupport;
using ReportingApi.TestSupport.Aws;

namespace ReportingApi.IntegrationTests.Storage;

/// <summary>
/// The S3 store against moto (<see cref="MotoObjectStore"/>). After every test, every object version its stores wrote
/// must be stored with SSE-KMS under the moto key, as moto reports it: an object written without the key fails the test
/// that wrote it.
/// </summary>
public sealed class S3ObjectStoreTests(MotoObjectStore server) : IClassFixture<MotoObjectStore>, IAsyncLifetime
{
    private const string SseHeader = "x-amz-server-side-encryption";
    private const string SseKeyHeader = "x-amz-server-side-encryption-aws-kms-key-id";
    private const int PartSize = S3StoreOptions.MinimumPartSizeBytes;

    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    // What the store without a KMS key sends: kept apart from the requests whose objects must be encrypted.
    private readonly ConcurrentQueue<RecordedRequest> _unencryptedRequests = new();
    // Every test writes under its own prefix, so tests never see each other's objects.
    private readonly string _prefix = "partners/9/outbound/" + Guid.NewGuid().ToString("N")[..8] + "/";
    private readonly List<S3ObjectStore> _stores = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _stores.ForEach(store => store.Dispose());
        await server.AssertWrittenObjectsEncryptedAsync(_requests);
    }

    [Fact]
    public async Task Small_content_goes_up_in_one_encrypted_PutObject_and_reads_back_identical()
    {
        var store = CreateStore();
        var key = _prefix + "small.csv";

        var stored = await store.PutAsync(key, new MemoryStream(Encoding.UTF8.GetBytes("id;name\n1;Ada\n")), "text/csv", default);

        Assert.Equal(14, stored);
        Assert.Equal("id;name\n1;Ada\n", await ReadTextAsync(store, key));
        var put = Assert.Single(_requests, request => request.Method == HttpMethod.Put);
        Assert.Equal(HttpStatusCode.OK, put.Status);
        Assert.Equal("aws:kms", put.Header(SseHeader));
        Assert.Equal(server.KmsKeyArn, put.Header(SseKeyHeader));
        // The SDK's defaults for AWS: a signed streaming body with a CRC32 trailer, which moto verifies.
        Assert.StartsWith("STREAMING-", put.Header("x-amz-content-sha256"), StringComparison.Ordinal);
        Assert.Equal("text/csv", put.Header("Content-Type"));
        Assert.DoesNotContain(_requests, request => request.Method == HttpMethod.Post);
        using var s3 = server.CreateS3Client();
        var head = await s3.GetObjectMetadataAsync(MotoObjectStore.BucketName, key);
        Assert.Equal(ServerSideEncryptionMethod.AWSKMS, head.ServerSideEncryptionMethod);
        Assert.Equal(server.KmsKeyArn, head.ServerSideEncryptionKeyManagementServiceKeyId);
        Assert.Equal("text/csv", head.Headers.ContentType);
    }

    [Fact]
    public async Task Without_a_kms_key_no_encryption_header_is_sent_and_the_object_is_not_encrypted()
    {
        var store = CreateStore(encrypted: false);

        await store.PutAsync(_prefix + "plain.csv", new MemoryStream([1, 2, 3]), "text/csv", default);

        var put = Assert.Single(_unencryptedRequests, request => request.Method == HttpMethod.Put);
        Assert.Null(put.Header(SseHeader));
        Assert.Null(put.Header(SseKeyHeader));
        // The bucket has no default encryption: this is how the check after every test sees a forgotten key.
        using var s3 = server.CreateS3Client();
        var head = await s3.GetObjectMetadataAsync(MotoObjectStore.BucketName, _prefix + "plain.csv");
        Assert.NotEqual(ServerSideEncryptionMethod.AWSKMS, head.ServerSideEncryptionMethod);
        Assert.Null(head.ServerSideEncryptionKeyManagementServiceKeyId);
    }

    [Fact]
    public async Task Content_of_exactly_one_part_is_stored_whole()
    {
        var store = CreateStore();
        var key = _prefix + "one-part.bin";

        var stored = await store.PutAsync(key, new GeneratedStream(PartSize), "application/octet-stream", default);

        Assert.Equal(PartSize, stored);
        await using var read = await store.OpenReadAsync(key, default);
        Assert.Equal(GeneratedStream.Sha256Of(PartSize), await SHA256.HashDataAsync(read));
    }

    [Fact]
    public async Task Copy_is_server_side_encrypted_and_independent_of_the_source()
    {
        var store = CreateStore();
        var source = _prefix + "report.csv.pgp";
        var destination = _prefix + "outbox/report.csv.pgp";
        await PutTextAsync(store, source, "original");

        await store.CopyAsync(source, destination, default);
        await PutTextAsync(store, source, "changed");

        Assert.Equal("original", await ReadTextAsync(store, destination));
        Assert.Equal("changed", await ReadTextAsync(store, source));
        var copy = Assert.Single(_requests, request => request.Header("x-amz-copy-source") is not null);
        Assert.Equal($"{MotoObjectStore.BucketName}/{source}", Uri.UnescapeDataString(copy.Header("x-amz-copy-source")!.TrimStart('/')));
        Assert.Equal(server.KmsKeyArn, copy.Header(SseKeyHeader));
        using var s3 = server.CreateS3Client();
        Assert.Equal(server.KmsKeyArn, (await s3.GetObjectMetadataAsync(MotoObjectStore.BucketName, destination)).ServerSideEncryptionKeyManagementServiceKeyId);
    }

    [Fact]
    public async Task A_copy_larger_than_the_copy_part_size_goes_in_server_side_parts_of_the_source_version_and_reads_back_identical()
    {
        const long Length = (2 * PartSize) + 123_456;
        var store = CreateStore(copyPartSizeBytes: PartSize);
        var source = _prefix + "upload.csv.pgp";
        var destination = _prefix + "archive/upload.csv.pgp";
        await store.PutAsync(source, new GeneratedStream(Length), "application/pgp-encrypted", default);
        _requests.Clear();

        await store.CopyAsync(source, destination, default);
        await PutTextAsync(store, source, "overwritten");

        await using (var copy = await store.OpenReadAsync(destination, default))
        {
            Assert.Equal(Convert.ToHexString(GeneratedStream.Sha256Of(Length)), Convert.ToHexString(await SHA256.HashDataAsync(copy)));
        }

        var version = Assert.Single(_requests, request => request.Method == HttpMethod.Head).ResponseHeader("x-amz-version-id");
        var initiate = Assert.Single(_requests, request => request.Method == HttpMethod.Post && request.HasQueryParameter("uploads"));
        Assert.Equal(server.KmsKeyArn, initiate.Header(SseKeyHeader));
        Assert.Equal("application/pgp-encrypted", initiate.Header("Content-Type"));
        var parts = _requests.Where(request => request.Header("x-amz-copy-source") is not null).ToList();
        Assert.All(parts, part => Assert.True(part.HasQueryParameter("partNumber"), "Every copy request is a part copy."));
        Assert.All(parts, part => Assert.Equal(HttpStatusCode.OK, part.Status));
        Assert.All(parts, part => Assert.Equal($"{MotoObjectStore.BucketName}/{source}?versionId={version}", Uri.UnescapeDataString(part.Header("x-amz-copy-source")!.TrimStart('/'))));
        Assert.Equal(
            [$"bytes=0-{PartSize - 1}", $"bytes={PartSize}-{(2 * PartSize) - 1}", $"bytes={2 * PartSize}-{Length - 1}"],
            parts.Select(part => part.Header("x-amz-copy-source-range")));
        Assert.Equal(HttpStatusCode.OK, Assert.Single(_requests, request => request.Method == HttpMethod.Post && request.HasQueryParameter("uploadId")).Status);
        using var s3 = server.CreateS3Client();
        var head = await s3.GetObjectMetadataAsync(MotoObjectStore.BucketName, destination);
        Assert.Equal(server.KmsKeyArn, head.ServerSideEncryptionKeyManagementServiceKeyId);
        Assert.Equal("application/pgp-encrypted", head.Headers.ContentType);
    }

    [Fact]
    public async Task A_part_copy_that_fails_aborts_the_copy_and_leaves_no_object()
    {
        var store = CreateStore(copyPartSizeBytes: PartSize, inFrontOfS3: inner => new SecondPartCopyDenied(inner));
        var source = _prefix + "upload.csv.pgp";
        var destination = _prefix + "archive/upload.csv.pgp";
        await store.PutAsync(source, new GeneratedStream((2 * PartSize) + 1), "application/pgp-encrypted", default);
        _requests.Clear();

        var failure = await Assert.ThrowsAsync<AmazonS3Exception>(() => store.CopyAsync(source, destination, default));

        Assert.Equal("AccessDenied", failure.ErrorCode);
        Assert.False(await store.ExistsAsync(destination, default));
        var uploadId = Assert.Single(_requests, request => request.QueryParameter("partNumber") == "1").QueryParameter("uploadId")!;
        Assert.Single(_requests, request => request.Method == HttpMethod.Delete && request.QueryParameter("uploadId") == uploadId);
        Assert.False(await server.IsUploadOpenAsync(destination, uploadId));
    }

    [Fact]
    public async Task Copy_of_a_missing_source_throws_ObjectNotFoundException()
    {
        var store = CreateStore();

        var failure = await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.CopyAsync(_prefix + "missing", _prefix + "copy", default));

        Assert.Equal(_prefix + "missing", failure.Key);
        Assert.False(await store.ExistsAsync(_prefix + "copy", default));
    }

    [Fact]
    public async Task Exists_and_delete_which_in_the_versioned_bucket_keeps_the_version_behind_a_delete_marker()
    {
        var store = CreateStore();
        var key = _prefix + "to-delete.csv";
        Assert.False(await store.ExistsAsync(key, default));
        await PutTextAsync(store, key, "x");
        Assert.True(await store.ExistsAsync(key, default));

        await store.DeleteAsync(key, default);
        await store.DeleteAsync(key, default);

        Assert.False(await store.ExistsAsync(key, default));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.OpenReadAsync(key, default));
        // The deployed bucket is versioned too: a delete puts a marker over the object, whose version stays (until the
        // bucket's lifecycle rule expires it).
        var deletes = _requests.Where(request => request.Method == HttpMethod.Delete).ToList();
        Assert.Equal(2, deletes.Count);
        Assert.All(deletes, delete => Assert.Equal("true", delete.ResponseHeader("x-amz-delete-marker")));
        var written = Assert.Single(_requests, request => request.Method == HttpMethod.Put).ResponseHeader("x-amz-version-id");
        using var s3 = server.CreateS3Client();
        using var kept = await s3.GetObjectAsync(new GetObjectRequest { BucketName = MotoObjectStore.BucketName, Key = key, VersionId = written });
        Assert.Equal("x", await new StreamReader(kept.ResponseStream).ReadToEndAsync());
    }

    [Fact]
    public async Task Missing_key_throws_ObjectNotFoundException()
    {
        var store = CreateStore();

        var failure = await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.OpenReadAsync(_prefix + "nothing-here.csv", default));

        Assert.Equal(_prefix + "nothing-here.csv", failure.Key);
    }

    [Fact]
    public async Task Key_prefix_places_objects_under_it()
    {
        var prefixed = CreateStore(keyPrefix: "tenant-a");
        var unprefixed = CreateStore();
        await PutTextAsync(prefixed, _prefix + "a.csv", "in the prefix");

        Assert.Equal("in the prefix", await ReadTextAsync(unprefixed, "tenant-a/" + _prefix + "a.csv"));
        Assert.False(await unprefixed.ExistsAsync(_prefix + "a.csv", default));
    }

    [Fact]
    public async Task A_content_failure_mid_upload_aborts_and_leaves_no_object()
    {
        var store = CreateStore();
        var key = _prefix + "broken.csv.pgp";

        var failure = await Assert.ThrowsAsync<IOException>(() =>
            store.PutAsync(key, new GeneratedStream(40_000_000, triggerAt: (2 * PartSize) + 1000), "application/pgp-encrypted", default));

        Assert.Equal(GeneratedStream.FailureMessage, failure.Message);
        Assert.False(await store.ExistsAsync(key, default));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.OpenReadAsync(key, default));
        Assert.Equal(2, _requests.Count(request => request.Method == HttpMethod.Put && request.HasQueryParameter("partNumber")));
        Assert.DoesNotContain(_requests, request => request.Method == HttpMethod.Post && request.HasQueryParameter("uploadId"));
        // The upload that was started is aborted, and moto has no trace of it (no parts left to pay for).
        var uploadId = Assert.Single(_requests, request => request.Method == HttpMethod.Put && request.QueryParameter("partNumber") == "1").QueryParameter("uploadId")!;
        var abort = Assert.Single(_requests, request => request.Method == HttpMethod.Delete && request.Uri.Query.Contains("uploadId=" + uploadId, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NoContent, abort.Status);
        Assert.False(await server.IsUploadOpenAsync(key, uploadId));
    }

    [Fact]
    public async Task A_multipart_upload_is_encrypted_with_the_key_from_its_start_and_completes_as_one_object()
    {
        var store = CreateStore();
        var key = _prefix + "three-parts.bin";
        const long Length = (2 * PartSize) + 123;

        Assert.Equal(Length, await store.PutAsync(key, new GeneratedStream(Length), "application/octet-stream", default));

        var initiate = Assert.Single(_requests, request => request.Method == HttpMethod.Post && request.HasQueryParameter("uploads"));
        Assert.Equal("aws:kms", initiate.Header(SseHeader));
        Assert.Equal(server.KmsKeyArn, initiate.Header(SseKeyHeader));
        Assert.Equal(3, _requests.Count(request => request.Method == HttpMethod.Put && request.HasQueryParameter("partNumber")));
        Assert.False(await server.IsUploadOpenAsync(key, _requests.First(request => request.HasQueryParameter("partNumber")).QueryParameter("uploadId")!));
        using var s3 = server.CreateS3Client();
        var head = await s3.GetObjectMetadataAsync(MotoObjectStore.BucketName, key);
        Assert.Equal(Length, head.ContentLength);
        Assert.EndsWith("-3\"", head.ETag, StringComparison.Ordinal);
        await using var read = await store.OpenReadAsync(key, default);
        Assert.Equal(GeneratedStream.Sha256Of(Length), await SHA256.HashDataAsync(read));
    }

    [Fact]
    public async Task Moto_refuses_a_request_signed_with_the_wrong_secret_key()
    {
        var credentials = server.Server.AppCredentials.GetCredentials();
        using var s3 = server.Server.CreateS3Client(new BasicAWSCredentials(credentials.AccessKey, "not-the-secret-key-of-that-access-key"));

        var refused = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = MotoObjectStore.BucketName,
            Key = _prefix + "forged.csv",
            ContentBody = "forged",
        }));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("SignatureDoesNotMatch", refused.ErrorCode);
    }

    [Fact]
    public async Task Moto_refuses_the_function_what_the_template_does_not_allow_it()
    {
        using var s3 = server.Server.CreateS3Client(server.Server.AppCredentials);

        var refused = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.DeleteBucketPolicyAsync(MotoObjectStore.BucketName));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("AccessDenied", refused.ErrorCode);
    }

    [Fact]
    public async Task A_failed_upload_keeps_the_previous_object_whole()
    {
        var store = CreateStore();
        var key = _prefix + "replaced.csv";
        await PutTextAsync(store, key, "previous complete object");

        await Assert.ThrowsAsync<IOException>(() =>
            store.PutAsync(key, new GeneratedStream(20_000_000, triggerAt: PartSize + 10), "text/csv", default));

        Assert.Equal("previous complete object", await ReadTextAsync(store, key));
    }

    [Fact]
    public async Task The_client_trusts_only_the_configured_certificate()
    {
        var options = server.CreateStoreOptions();
        options.CaCertificatePath = null;
        using var store = new S3ObjectStore(options, NullLogger<S3ObjectStore>.Instance);

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => store.ExistsAsync(_prefix + "any", default));

        Assert.Contains(failure.Flatten(), exception => exception is System.Security.Authentication.AuthenticationException);
    }

    [Fact]
    public async Task AddStorage_with_the_fixture_configuration_gives_a_working_S3_store()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(server.CreateConfiguration()).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<IHostEnvironment>(new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = Path.GetTempPath() })
            .AddLogging()
            .AddStorage();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        var store = provider.GetRequiredService<IObjectStore>();
        await store.PutAsync(_prefix + "via-di.csv", new MemoryStream(Encoding.UTF8.GetBytes("from DI")), "text/csv", default);

        Assert.IsType<S3ObjectStore>(store);
        Assert.Equal("from DI", await ReadTextAsync(CreateStore(), _prefix + "via-di.csv"));
    }

    private S3ObjectStore CreateStore(
        string? keyPrefix = null, bool encrypted = true, long copyPartSizeBytes = S3StoreOptions.MaximumCopyBytes, Func<HttpMessageHandler, HttpMessageHandler>? inFrontOfS3 = null)
    {
        var store = new S3ObjectStore(
            server.CreateStoreOptions(keyPrefix, encrypted, PartSize, copyPartSizeBytes),
            NullLogger<S3ObjectStore>.Instance,
            handler => new RecordingHandler((inFrontOfS3 ?? (inner => inner))(handler), encrypted ? _requests : _unencryptedRequests));
        _stores.Add(store);
        return store;
    }

    /// <summary>Answers the second part copy as S3 answers a role that may not read the source; the rest goes to moto.</summary>
    private sealed class SecondPartCopyDenied(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private int _partCopies;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.Contains("x-amz-copy-source") && request.RequestUri!.Query.Contains("partNumber=", StringComparison.Ordinal)
                && Interlocked.Increment(ref _partCopies) == 2)
            {
                const string Denied = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.Forbidden) { Content = new StringContent(Denied, Encoding.UTF8, "application/xml"), RequestMessage = request });
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    private static async Task PutTextAsync(S3ObjectStore store, string key, string text) =>
        await store.PutAsync(key, new MemoryStream(Encoding.UTF8.GetBytes(text)), "text/plain", default);

    private static async Task<string> ReadTextAsync(S3ObjectStore store, string key)
    {
        await using var stream = await store.OpenReadAsync(key, default);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }
}

internal static class ExceptionExtensions
{
    public static IEnumerable<Exception> Flatten(this Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            yield return current;
        }
    }
}
