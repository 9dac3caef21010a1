namespace ReportingApi.Storage;

/// <summary>
/// Where report files are kept: S3 in AWS and in tests (moto), a folder on disk by default.
/// Keys are '/'-separated paths such as <c>partners/1/outbound/2026/11/file.csv.pgp</c>.
/// </summary>
public interface IObjectStore
{
    /// <summary>
    /// Stores <paramref name="content"/> (read to its end; it may be non-seekable and of unknown length) under
    /// <paramref name="key"/>, replacing any object there. Large content is uploaded in parts, never held whole.
    /// </summary>
    /// <returns>The number of bytes stored.</returns>
    Task<long> PutAsync(string key, Stream content, string contentType, CancellationToken cancellationToken);

    /// <summary>Opens the object for reading, streamed. Throws <see cref="ObjectNotFoundException"/> when there is none.</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken);

    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken);

    /// <summary>Copies an object within the store (server-side on S3). Throws <see cref="ObjectNotFoundException"/> when the source is missing.</summary>
    Task CopyAsync(string sourceKey, string destinationKey, CancellationToken cancellationToken);

    /// <summary>Deletes the object; deleting a missing object is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);
}

public sealed class ObjectNotFoundException(string key) : Exception($"No object '{key}' in the store.")
{
    public string Key { get; } = key;
}
