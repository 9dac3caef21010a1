namespace ReportingApi.Tests.Storage;

/// <summary>A forward-only stream of deterministic bytes that can fail after a given number of bytes.</summary>
internal sealed class GeneratedStream(long length, long failAfter = long.MaxValue) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public static byte ByteAt(long position) => (byte)((position * 31) ^ (position >> 8));

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position >= failAfter)
        {
            throw new IOException("The content source failed.");
        }

        var count = (int)Math.Min(buffer.Length, Math.Min(length, failAfter) - _position);
        for (var i = 0; i < count; i++)
        {
            buffer[i] = ByteAt(_position + i);
        }

        _position += count;
        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
