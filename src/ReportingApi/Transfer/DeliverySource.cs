using ReportingApi.Storage;

namespace ReportingApi.Transfer;

/// <summary>Opens a file to deliver from the object store, turning store failures into delivery failures with a reason.</summary>
internal static class DeliverySource
{
    public static async Task<Stream> OpenAsync(IObjectStore store, string objectKey, CancellationToken cancellationToken)
    {
        try
        {
            return await store.OpenReadAsync(objectKey, cancellationToken);
        }
        catch (ObjectNotFoundException e)
        {
            throw new DeliveryException($"The file to deliver is missing from the store: {e.Key}.", transient: false, e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // S3 unreachable or refusing: worth another attempt later; the SDK's message stays in the log.
            throw new DeliveryException("The file to deliver could not be read from the object store.", transient: true, e);
        }
    }
}
