using System.Text;
using ReportingApi.Storage;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Storage;

public sealed class FolderObjectStoreTests : IDisposable
{
    private const string Key = "partners/7/outbound/2026/11/report.csv.pgp";

    // The store's root sits inside a folder of our own, so that an escape to the root's parent would be seen.
    private readonly string _base = Path.Combine(Path.GetTempPath(), "objstore-" + Guid.NewGuid().ToString("N"));
    private readonly string _root;
    private readonly FolderObjectStore _store;

    public FolderObjectStoreTests()
    {
        _root = Path.Combine(_base, "store");
        _store = new FolderObjectStore(_root);
    }

    public void Dispose() => Directory.Delete(_base, recursive: true);

    [Fact]
    public async Task Put_then_open_returns_the_same_bytes_and_length()
    {
        var stored = await _store.PutAsync(Key, new GeneratedStream(300_000), "application/pgp-encrypted", default);

        Assert.Equal(300_000, stored);
        Assert.True(await _store.ExistsAsync(Key, default));
        await using var read = await _store.OpenReadAsync(Key, default);
        var bytes = await ReadAllAsync(read);
        Assert.Equal(300_000, bytes.Length);
        Assert.All(Enumerable.Range(0, bytes.Length), i => Assert.Equal(GeneratedStream.ByteAt(i), bytes[i]));
        Assert.True(File.Exists(Path.Combine(_root, "partners", "7", "outbound", "2026", "11", "report.csv.pgp")));
    }

    [Fact]
    public async Task Put_replaces_an_existing_object()
    {
        await PutTextAsync(Key, "first version, longer than the second");
        await PutTextAsync(Key, "second");

        Assert.Equal("second", await ReadTextAsync(Key));
    }

    [Fact]
    public async Task Missing_object_throws_ObjectNotFoundException()
    {
        var open = await Assert.ThrowsAsync<ObjectNotFoundException>(() => _store.OpenReadAsync("partners/1/nothing.csv", default));
        Assert.Equal("partners/1/nothing.csv", open.Key);
        var copy = await Assert.ThrowsAsync<ObjectNotFoundException>(() => _store.CopyAsync("no/such/source", "some/destination", default));
        Assert.Equal("no/such/source", copy.Key);
        Assert.False(await _store.ExistsAsync("partners/1/nothing.csv", default));
        Assert.False(await _store.ExistsAsync("some/destination", default));
    }

    [Fact]
    public async Task Copy_makes_an_independent_object()
    {
        await PutTextAsync(Key, "original");
        await _store.CopyAsync(Key, "partners/7/outbox/report.csv.pgp", default);
        await PutTextAsync(Key, "changed");

        Assert.Equal("original", await ReadTextAsync("partners/7/outbox/report.csv.pgp"));
    }

    [Fact]
    public async Task Delete_removes_the_object_and_tolerates_a_missing_one()
    {
        await PutTextAsync(Key, "x");

        await _store.DeleteAsync(Key, default);
        await _store.DeleteAsync(Key, default);
        await _store.DeleteAsync("never/existed/at/all", default);

        Assert.False(await _store.ExistsAsync(Key, default));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => _store.OpenReadAsync(Key, default));
    }

    [Theory]
    [InlineData("../outside")]
    [InlineData("partners/../../outside")]
    [InlineData("partners/1/..")]
    [InlineData("./partners")]
    [InlineData("/etc/passwd")]
    [InlineData("partners\\..\\..\\outside")]
    [InlineData("C:/Windows/win.ini")]
    [InlineData("partners//1")]
    [InlineData("partners/1/")]
    [InlineData("partners/\0/x")]
    [InlineData("")]
    public async Task Keys_that_could_escape_the_root_are_rejected(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.PutAsync(key, new MemoryStream([1, 2, 3]), "text/plain", default));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.OpenReadAsync(key, default));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.ExistsAsync(key, default));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.DeleteAsync(key, default));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.CopyAsync("a", key, default));

        Assert.Equal([_root], Directory.EnumerateFileSystemEntries(_base));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
    }

    [Fact]
    public async Task A_write_that_fails_midway_leaves_nothing_under_the_key()
    {
        var failure = await Assert.ThrowsAsync<IOException>(() =>
            _store.PutAsync(Key, new GeneratedStream(1_000_000, triggerAt: 200_000), "application/octet-stream", default));

        Assert.Equal(GeneratedStream.FailureMessage, failure.Message);
        Assert.False(await _store.ExistsAsync(Key, default));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => _store.OpenReadAsync(Key, default));
        Assert.Empty(Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_write_that_fails_midway_keeps_the_previous_object_whole()
    {
        await PutTextAsync(Key, "the previous complete object");

        await Assert.ThrowsAsync<IOException>(() =>
            _store.PutAsync(Key, new GeneratedStream(1_000_000, triggerAt: 200_000), "application/octet-stream", default));

        Assert.Equal("the previous complete object", await ReadTextAsync(Key));
        Assert.Single(Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_reader_during_a_write_sees_only_the_previous_object()
    {
        await PutTextAsync(Key, "old");
        using var gate = new SemaphoreSlim(0);
        var writer = _store.PutAsync(Key, new BlockingStream(gate, Encoding.UTF8.GetBytes("new content")), "text/plain", default);

        // The writer is blocked mid-content: the key still holds the old object.
        await Task.Delay(50);
        Assert.False(writer.IsCompleted);
        Assert.Equal("old", await ReadTextAsync(Key));

        gate.Release();
        await writer;
        Assert.Equal("new content", await ReadTextAsync(Key));
    }

    private async Task PutTextAsync(string key, string text) =>
        await _store.PutAsync(key, new MemoryStream(Encoding.UTF8.GetBytes(text)), "text/plain", default);

    private async Task<string> ReadTextAsync(string key)
    {
        await using var stream = await _store.OpenReadAsync(key, default);
        return Encoding.UTF8.GetString(await ReadAllAsync(stream));
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>Yields its first byte, then waits for the gate before the rest.</summary>
    private sealed class BlockingStream(SemaphoreSlim gate, byte[] content) : ForwardOnlyReadStream
    {
        private int _position;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position == 1)
            {
                await gate.WaitAsync(cancellationToken);
            }

            var count = _position == 0 ? 1 : Math.Min(buffer.Length, content.Length - _position);
            content.AsMemory(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
