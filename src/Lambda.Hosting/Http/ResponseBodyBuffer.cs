namespace Lambda.Hosting.Http;

/// <summary>
/// The response body, kept in memory because an HTTP API integration cannot stream. Past the cap it stops keeping
/// bytes and reports the overflow once, so an oversized report costs at most the cap in memory.
/// </summary>
internal sealed class ResponseBodyBuffer(Func<CancellationToken, Task> startResponse, Action onOverflow) : Stream
{
    private readonly MemoryStream _buffer = new();
    private long _capacity = long.MaxValue;

    public bool Overflowed { get; private set; }

    public ReadOnlyMemory<byte> Content => _buffer.GetBuffer().AsMemory(0, (int)_buffer.Length);

    /// <summary>Set when the response starts, once the content type (and with it the base64 overhead) is known.</summary>
    public void LimitTo(long capacity) => _capacity = capacity;

    public void Clear()
    {
        _buffer.SetLength(0);
        Overflowed = false;
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _buffer.Length;

    public override long Position
    {
        get => _buffer.Length;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        // Synchronous writers (OpenXmlWriter, for one) are fine here: the "network" is memory.
        startResponse(CancellationToken.None).GetAwaiter().GetResult();
        Append(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await startResponse(cancellationToken);
        Append(buffer.Span);
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => startResponse(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (Overflowed)
        {
            return;
        }

        if (_buffer.Length + bytes.Length > _capacity)
        {
            Overflowed = true;
            _buffer.SetLength(0);
            onOverflow();
            return;
        }

        _buffer.Write(bytes);
    }
}
