using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.Storage;
using ReportingApi.TestSupport;
using ReportingApi.TestSupport.Aws;

namespace ReportingApi.IntegrationTests.Storage;

/// <summary>Cuts the store off from S3 mid-upload, so it has a relay of its own.</summary>
public sealed class S3ObjectStoreOutageTests : IAsyncLifetime, IDisposable
{
    private readonly MotoObjectStore _server = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task The_server_going_down_mid_upload_leaves_no_object_under_the_key()
    {
        const int PartSize = S3StoreOptions.MinimumPartSizeBytes;
        var key = $"partners/4/outbound/2026/11/outage-{Guid.NewGuid():N}.csv.pgp";
        using var store = new S3ObjectStore(
            _server.CreateStoreOptions(partSizeBytes: PartSize), NullLogger<S3ObjectStore>.Instance, handler => new RecordingHandler(handler, _requests));
        // Part 1 is uploaded, then the server dies while part 2 is being read from the content.
        var content = new GeneratedStream(30_000_000, triggerAt: PartSize + 4096, onTrigger: _server.Stop);

        await Assert.ThrowsAnyAsync<Exception>(() => store.PutAsync(key, content, "application/pgp-encrypted", default));

        Assert.False(_server.IsRunning);
        Assert.Contains(_requests, request => request.Method == HttpMethod.Put && request.Uri.Query.Contains("partNumber=1", StringComparison.Ordinal) && request.Status is not null);
        Assert.Contains(_requests, request => request.Method == HttpMethod.Put && request.Uri.Query.Contains("partNumber=2", StringComparison.Ordinal) && request.Status is null);
        Assert.Contains(_requests, request => request.Method == HttpMethod.Delete && request.HasQueryParameter("uploadId"));

        await _server.StartAsync();
        Assert.False(await store.ExistsAsync(key, default));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.OpenReadAsync(key, default));
        // The abort could not get through, so the started upload is still there: the bucket's lifecycle rule
        // (AbortIncompleteMultipartUpload) is what removes it.
        Assert.True(await _server.IsUploadOpenAsync(key, _requests.First(request => request.HasQueryParameter("partNumber")).QueryParameter("uploadId")!));
    }
}
