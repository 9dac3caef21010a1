using System.Security.Cryptography;

namespace ReportingApi.IntegrationTests.Storage;

/// <summary>
/// A forward-only stream of deterministic pseudo-random bytes, of a length the reader cannot ask for. It can fail, or
/// run an action, once a given number of bytes has been read.
/// </summary>
internal sealed class GeneratedStream(long length, long triggerAt = long.MaxValue, Action? onTrigger = null) : Stream
{
    private long _position;
    private bool _triggered;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>The SHA-256 of the whole content, computed from a second copy of the stream.</summary>
    public static byte[] Sha256Of(long length)
    {
        using var stream = new GeneratedStream(length);
        return SHA256.HashData(stream);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position >= triggerAt && !_triggered)
        {
            _triggered = true;
            if (onTrigger is null)
            {
                throw new IOException("The content source failed.");
            }

            onTrigger();
        }

        var limit = _triggered ? length : Math.Min(length, triggerAt);
        var count = (int)Math.Min(buffer.Length, limit - _position);
        for (var i = 0; i < count; i++)
        {
            var at = (ulong)(_position + i + length);
            buffer[i] = (byte)((at * 0x9E3779B97F4A7C15UL) >> 56);
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
