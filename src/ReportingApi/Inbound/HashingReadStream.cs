using System.Security.Cryptography;

namespace ReportingApi.Inbound;

/// <summary>
/// A read-through stream that counts and hashes (SHA-256 and MD5, the two checksums partners send) what is read from the
/// inner stream, and stops with <see cref="InboundTooLargeException"/> once more than <paramref name="maxBytes"/> passed,
/// so an oversized upload is refused without being read to its end.
/// </summary>
internal sealed class HashingReadStream(Stream inner, long maxBytes) : Stream
{
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
#pragma warning disable CA5351 // MD5 only compares with the .md5 checksum a partner sent; SHA-256 is what we record.
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
#pragma warning restore CA5351
    private string? _sha256Hex;
    private string? _md5Hex;

    public long BytesRead { get; private set; }

    /// <summary>The inner stream was read to its end: <see cref="BytesRead"/> is its length and the hashes are of all of it.</summary>
    public bool ReachedEnd { get; private set; }

    /// <summary>Lowercase hex SHA-256 of everything read; read to the end first.</summary>
    public string Sha256Hex => _sha256Hex ??= Convert.ToHexStringLower(_sha256.GetHashAndReset());

    public string Md5Hex => _md5Hex ??= Convert.ToHexStringLower(_md5.GetHashAndReset());

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => Count(buffer[..inner.Read(buffer)]);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        return Count(buffer.Span[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sha256.Dispose();
            _md5.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Count(ReadOnlySpan<byte> read)
    {
        ReachedEnd |= read.Length == 0;
        BytesRead += read.Length;
        if (BytesRead > maxBytes)
        {
            throw new InboundTooLargeException(maxBytes);
        }

        _sha256.AppendData(read);
        _md5.AppendData(read);
        return read.Length;
    }
}

/// <summary>An upload is larger than the limit that applies to it.</summary>
internal sealed class InboundTooLargeException(long maxBytes) : Exception($"The file is larger than the {maxBytes:N0} bytes accepted.")
{
    public long MaxBytes { get; } = maxBytes;
}
