using System.Security.Cryptography;

namespace ReportingApi.TestSupport;

/// <summary>
/// <paramref name="length"/> deterministic pseudo-random bytes (<see cref="ByteAt"/>), forward-only. Once
/// <paramref name="triggerAt"/> bytes have been read, every further read fails with <see cref="FailureMessage"/>; or,
/// given <paramref name="onTrigger"/>, that action runs once (e.g. stopping a server mid-upload) and reading goes on.
/// </summary>
public sealed class GeneratedStream(long length, long triggerAt = long.MaxValue, Action? onTrigger = null) : ForwardOnlyReadStream
{
    public const string FailureMessage = "The content source failed.";

    private long _position;
    private bool _triggered;

    /// <summary>The byte at <paramref name="position"/> (Fibonacci hashing: no short period, so misplaced parts show).</summary>
    public static byte ByteAt(long position) => (byte)(((ulong)position * 0x9E3779B97F4A7C15UL) >> 56);

    /// <summary>The SHA-256 of the whole content of a stream of <paramref name="length"/>, from a second copy.</summary>
    public static byte[] Sha256Of(long length)
    {
        using var stream = new GeneratedStream(length);
        return SHA256.HashData(stream);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position >= triggerAt)
        {
            if (onTrigger is null)
            {
                throw new IOException(FailureMessage);
            }

            if (!_triggered)
            {
                _triggered = true;
                onTrigger();
            }
        }

        // Before the trigger, reads stop at it, so that it fires at exactly that byte.
        var end = _position < triggerAt ? Math.Min(length, triggerAt) : length;
        var count = (int)Math.Min(buffer.Length, end - _position);
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
}
