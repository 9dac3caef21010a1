using ReportingApi.Storage;

namespace ReportingApi.Delivery;

/// <summary>
/// Opens a file to deliver from the object store, turning store failures (when opening, and while reading) into
/// delivery failures with a reason, so that a store fault during an upload is not told as a fault of the destination.
/// </summary>
internal static class DeliverySource
{
    internal const string ReadFailure = "The file to deliver could not be read from the object store.";

    public static async Task<DeliverySourceStream> OpenAsync(IObjectStore store, string objectKey, CancellationToken cancellationToken)
    {
        try
        {
            return new DeliverySourceStream(await store.OpenReadAsync(objectKey, cancellationToken));
        }
        catch (ObjectNotFoundException e)
        {
            throw new DeliveryException($"The file to deliver is missing from the store: {e.Key}.", transient: false, e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // S3 unreachable or refusing: worth another attempt later; the SDK's message stays in the log.
            throw new DeliveryException(ReadFailure, transient: true, e);
        }
    }
}

/// <summary>
/// Reads the store's stream; a failure while reading becomes a transient <see cref="DeliveryException"/>. It tells
/// whether a read is under way and how many bytes were read, so that a delivery can tell a destination that stopped
/// taking data from a store that is slow to hand it over.
/// </summary>
internal sealed class DeliverySourceStream(Stream inner) : Stream
{
    private long _bytesRead;
    private int _readsUnderWay;

    public long BytesRead => Interlocked.Read(ref _bytesRead);

    public bool IsReading => Volatile.Read(ref _readsUnderWay) > 0;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        Interlocked.Increment(ref _readsUnderWay);
        try
        {
            return Counted(inner.Read(buffer));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new DeliveryException(DeliverySource.ReadFailure, transient: true, e);
        }
        finally
        {
            Interlocked.Decrement(ref _readsUnderWay);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _readsUnderWay);
        try
        {
            return Counted(await inner.ReadAsync(buffer, cancellationToken));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new DeliveryException(DeliverySource.ReadFailure, transient: true, e);
        }
        finally
        {
            Interlocked.Decrement(ref _readsUnderWay);
        }
    }

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
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }

    private int Counted(int read)
    {
        Interlocked.Add(ref _bytesRead, read);
        return read;
    }
}
