using ReportingApi.Storage;

namespace ReportingApi.Delivery;

/// <summary>
/// Embedded default: a partner's "SFTP server" is a local folder. Each file is copied from the object store to
/// <c>{FolderPath}/{RemoteDirectory}/{name}.part</c>, flushed to disk, and renamed to its final name once all files
/// are written, in the order given.
/// </summary>
public sealed class FolderDelivery(IObjectStore store, IHostEnvironment environment, ILogger<FolderDelivery> logger) : IFileDelivery
{
    private const int CopyBufferSize = 81920;

    public DeliveryKind Kind => DeliveryKind.Folder;

    public async Task<DeliveryOutcome> DeliverAsync(DeliveryTarget target, IReadOnlyList<DeliveryFile> files, CancellationToken cancellationToken)
    {
        var directory = ResolveDirectory(target);
        foreach (var file in files)
        {
            RemotePaths.ValidateFileName(file.RemoteName);
        }

        var written = new List<(string Part, string Final)>();
        try
        {
            Directory.CreateDirectory(directory);
            foreach (var file in files)
            {
                var part = Path.Combine(directory, RemotePaths.PartName(file.RemoteName));
                written.Add((part, Path.Combine(directory, file.RemoteName)));
                await CopyToDiskAsync(file.ObjectKey, part, cancellationToken);
            }

            foreach (var (part, final) in written)
            {
                File.Move(part, final, overwrite: true);
            }
        }
        catch (Exception e)
        {
            DeleteParts(written);
            if (e is DeliveryException or OperationCanceledException)
            {
                throw;
            }

            throw e is UnauthorizedAccessException
                ? new DeliveryException($"No permission to write to the delivery folder {directory}.", transient: false, e)
                : new DeliveryException($"Writing to the delivery folder {directory} failed: {e.Message}", transient: true, e);
        }

        logger.LogInformation("Delivered {Count} file(s) to folder {Directory}", files.Count, directory);
        return DeliveryOutcome.Delivered;
    }

    private string ResolveDirectory(DeliveryTarget target)
    {
        if (string.IsNullOrWhiteSpace(target.FolderPath))
        {
            throw new DeliveryException("The folder delivery target has no FolderPath.", transient: false);
        }

        var root = Path.GetFullPath(target.FolderPath, environment.ContentRootPath);
        return Path.Combine([root, .. RemotePaths.DirectorySegments(target.RemoteDirectory)]);
    }

    private async Task CopyToDiskAsync(string objectKey, string path, CancellationToken cancellationToken)
    {
        await using var source = await DeliverySource.OpenAsync(store, objectKey, cancellationToken);
        await using var destination = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, CopyBufferSize, FileOptions.Asynchronous);
        await source.CopyToAsync(destination, CopyBufferSize, cancellationToken);
        await destination.FlushAsync(cancellationToken);

        // On disk before the rename makes it visible: a crash must not leave a final name on a partial file.
        destination.Flush(flushToDisk: true);
    }

    private void DeleteParts(List<(string Part, string Final)> written)
    {
        foreach (var (part, _) in written)
        {
            try
            {
                File.Delete(part);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning(e, "Could not remove the partial file {Path}", part);
            }
        }
    }
}
