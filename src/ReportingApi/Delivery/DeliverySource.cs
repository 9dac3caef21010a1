using ReportingApi.Storage;

namespace ReportingApi.Delivery;

/// <summary>
/// Opens a file to deliver from the object store, turning store failures (when opening, and while reading) into
/// delivery failures with a reason, so that a store fault during an upload is not told as a fault of the destination.
/// </summary>
internal static class DeliverySource
{
    private const string ReadFailure = "The file to deliver could not be read from the object store.";

    public static async Task<Stream> OpenAsync(IObjectStore store, string objectKey, CancellationToken cancellationToken)
    {
        try
        {
            return new StoreReadStream(await store.OpenReadAsync(objectKey, cancellationToken));
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

    /// <summary>Reads the store's stream; a failure while reading becomes a transient <see cref="DeliveryException"/>.</summary>
    private sealed class StoreReadStream(Stream inner) : Stream
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

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            try
            {
                return inner.Read(buffer);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new DeliveryException(ReadFailure, transient: true, e);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new DeliveryException(ReadFailure, transient: true, e);
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
    }
}
