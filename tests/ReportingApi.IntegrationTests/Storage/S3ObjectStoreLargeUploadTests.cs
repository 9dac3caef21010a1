using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.Storage;
using ReportingApi.TestSupport;
using ReportingApi.TestSupport.Aws;

namespace ReportingApi.IntegrationTests.Storage;

/// <summary>
/// Runs alone (no other test in parallel), because it measures the bytes the process allocates during the upload.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LargeUploadCollectionDefinition
{
    public const string Name = "S3 large upload, alone";
}

[Collection(LargeUploadCollectionDefinition.Name)]
public sealed class S3ObjectStoreLargeUploadTests(MotoObjectStore server) : IClassFixture<MotoObjectStore>
{
    private const int PartSize = S3StoreOptions.MinimumPartSizeBytes;

    [Fact]
    public async Task Forty_megabytes_from_a_non_seekable_stream_go_up_in_encrypted_parts_with_bounded_memory_and_read_back_identical()
    {
        const long Length = 40_000_000;
        var key = $"partners/2/outbound/2026/11/big-{Guid.NewGuid():N}.xlsx.pgp";
        var requests = new ConcurrentQueue<RecordedRequest>();
        using var store = new S3ObjectStore(
            server.CreateStoreOptions(partSizeBytes: PartSize),
            NullLogger<S3ObjectStore>.Instance,
            handler => new RecordingHandler(handler, requests));

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var stored = await store.PutAsync(key, new GeneratedStream(Length), "application/pgp-encrypted", default);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        Assert.Equal(Length, stored);
        await using (var read = await store.OpenReadAsync(key, default))
        {
            Assert.Equal(Convert.ToHexString(GeneratedStream.Sha256Of(Length)), Convert.ToHexString(await SHA256.HashDataAsync(read)));
        }

        var initiate = Assert.Single(requests, request => request.Method == HttpMethod.Post && request.HasQueryParameter("uploads"));
        Assert.Equal("aws:kms", initiate.Header("x-amz-server-side-encryption"));
        Assert.Equal(server.KmsKeyArn, initiate.Header("x-amz-server-side-encryption-aws-kms-key-id"));
        var parts = requests.Where(request => request.Method == HttpMethod.Put && request.HasQueryParameter("partNumber")).ToList();
        Assert.Equal((int)Math.Ceiling(Length / (double)PartSize), parts.Count);
        Assert.All(parts, part => Assert.Equal(HttpStatusCode.OK, part.Status));
        Assert.All(parts, part => Assert.StartsWith("STREAMING-", part.Header("x-amz-content-sha256"), StringComparison.Ordinal));
        Assert.Single(requests, request => request.Method == HttpMethod.Post && request.HasQueryParameter("uploadId"));
        await server.AssertWrittenObjectsEncryptedAsync(requests);
        // Never the whole content: one part buffer plus what the SDK and TLS need per request (about 11 MB measured here).
        Assert.True(allocated < Length / 2, $"Uploading {Length} bytes allocated {allocated} bytes.");
    }
}
