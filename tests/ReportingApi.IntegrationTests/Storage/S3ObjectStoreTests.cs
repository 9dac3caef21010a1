using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.Storage;
using ReportingApi.TestSupport;

namespace ReportingApi.IntegrationTests.Storage;

[Collection(S3rverCollectionDefinition.Name)]
public sealed class S3ObjectStoreTests(S3rverServer server) : IDisposable
{
    private const string KmsKeyId = "arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    private const string SseHeader = "x-amz-server-side-encryption";
    private const string SseKeyHeader = "x-amz-server-side-encryption-aws-kms-key-id";
    private const int PartSize = S3StoreOptions.MinimumPartSizeBytes;

    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    // Every test writes under its own prefix, so tests never see each other's objects.
    private readonly string _prefix = "partners/9/outbound/" + Guid.NewGuid().ToString("N")[..8] + "/";
    private readonly List<S3ObjectStore> _stores = [];

    public void Dispose() => _stores.ForEach(store => store.Dispose());

    [Fact]
    public async Task Small_content_goes_up_in_one_encrypted_PutObject_and_reads_back_identical()
    {
        var store = CreateStore(kmsKeyId: KmsKeyId);
        var key = _prefix + "small.csv";

        var stored = await store.PutAsync(key, new MemoryStream(Encoding.UTF8.GetBytes("id;name\n1;Ada\n")), "text/csv", default);

        Assert.Equal(14, stored);
        Assert.Equal("id;name\n1;Ada\n", await ReadTextAsync(store, key));
        var put = Assert.Single(_requests, request => request.Method == HttpMethod.Put);
        Assert.Equal(HttpStatusCode.OK, put.Status);
        Assert.Equal("aws:kms", put.Header(SseHeader));
        Assert.Equal(KmsKeyId, put.Header(SseKeyHeader));
        Assert.Equal("UNSIGNED-PAYLOAD", put.Header("x-amz-content-sha256"));
        Assert.Equal("text/csv", put.Header("Content-Type"));
        Assert.DoesNotContain(_requests, request => request.Method == HttpMethod.Post);
    }

    [Fact]
    public async Task Without_a_kms_key_no_encryption_header_is_sent()
    {
        var store = CreateStore();

        await store.PutAsync(_prefix + "plain.csv", new MemoryStream([1, 2, 3]), "text/csv", default);

        var put = Assert.Single(_requests, request => request.Method == HttpMethod.Put);
        Assert.Null(put.Header(SseHeader));
        Assert.Null(put.Header(SseKeyHeader));
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
        var store = CreateStore(kmsKeyId: KmsKeyId);
        var source = _prefix + "report.csv.pgp";
        var destination = _prefix + "outbox/report.csv.pgp";
        await PutTextAsync(store, source, "original");

        await store.CopyAsync(source, destination, default);
        await PutTextAsync(store, source, "changed");

        Assert.Equal("original", await ReadTextAsync(store, destination));
        Assert.Equal("changed", await ReadTextAsync(store, source));
        var copy = Assert.Single(_requests, request => request.Header("x-amz-copy-source") is not null);
        Assert.Equal($"{server.BucketName}/{source}", Uri.UnescapeDataString(copy.Header("x-amz-copy-source")!.TrimStart('/')));
        Assert.Equal(KmsKeyId, copy.Header(SseKeyHeader));
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
    public async Task Exists_and_delete()
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
        var store = CreateStore(kmsKeyId: KmsKeyId);
        var key = _prefix + "broken.csv.pgp";

        var failure = await Assert.ThrowsAsync<IOException>(() =>
            store.PutAsync(key, new GeneratedStream(40_000_000, triggerAt: (2 * PartSize) + 1000), "application/pgp-encrypted", default));

        Assert.Equal(GeneratedStream.FailureMessage, failure.Message);
        Assert.False(await store.ExistsAsync(key, default));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.OpenReadAsync(key, default));
        Assert.Equal(2, _requests.Count(request => request.Method == HttpMethod.Put && request.HasQueryParameter("partNumber")));
        Assert.DoesNotContain(_requests, request => request.Method == HttpMethod.Post && request.HasQueryParameter("uploadId"));
        // The abort goes out for the upload that was started (s3rver itself answers it with 405: it has no abort).
        var uploadId = Assert.Single(_requests, request => request.Method == HttpMethod.Put && request.HasQueryParameter("partNumber") && request.Uri.Query.Contains("partNumber=1", StringComparison.Ordinal))
            .Uri.Query.Split('&').Single(part => part.StartsWith("uploadId=", StringComparison.Ordinal) || part.StartsWith("?uploadId=", StringComparison.Ordinal)).Split('=')[1];
        Assert.Single(_requests, request => request.Method == HttpMethod.Delete && request.Uri.Query.Contains("uploadId=" + uploadId, StringComparison.Ordinal));
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
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(server.CreateConfiguration(kmsKeyId: KmsKeyId)).Build();
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

    private S3ObjectStore CreateStore(string? keyPrefix = null, string? kmsKeyId = null)
    {
        var store = new S3ObjectStore(
            server.CreateStoreOptions(keyPrefix, kmsKeyId, PartSize),
            NullLogger<S3ObjectStore>.Instance,
            handler => new RecordingHandler(handler, _requests));
        _stores.Add(store);
        return store;
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
