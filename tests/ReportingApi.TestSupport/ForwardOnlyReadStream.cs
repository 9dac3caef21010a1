namespace ReportingApi.TestSupport;

/// <summary>
/// The base of the tests' content streams: read once, front to back, with no length or position to ask for, as a
/// network body or a renderer's output would be. Stores must not rely on more.
/// </summary>
public abstract class ForwardOnlyReadStream : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
