using Microsoft.Extensions.Options;
using ReportingApi.Storage;

namespace ReportingApi.Transfer;

/// <summary>
/// Delivers through an AWS Transfer Family SFTP connector, which sends S3 objects and names the remote file after
/// the object. So each file is first copied to a staging key ending in <c>{RemoteName}.part</c>; the connector sends
/// those; once all are confirmed, each is renamed on the partner's server (StartRemoteMove) in the order given.
/// </summary>
public sealed class AwsConnectorDelivery(
    IObjectStore store,
    TransferConnectorClient client,
    IConnectorTransferTracker tracker,
    IOptions<ConnectorDeliveryOptions> options,
    ILogger<AwsConnectorDelivery> logger) : IFileDelivery
{
    public DeliveryKind Kind => DeliveryKind.AwsConnector;

    public async Task DeliverAsync(DeliveryTarget target, IReadOnlyList<DeliveryFile> files, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var connectorId = string.IsNullOrWhiteSpace(target.ConnectorId)
            ? throw new DeliveryException("The connector delivery target has no ConnectorId.", transient: false)
            : target.ConnectorId;
        var bucket = string.IsNullOrWhiteSpace(settings.SourceBucket)
            ? throw new DeliveryException($"{ConnectorDeliveryOptions.Section}:SourceBucket is not configured.", transient: false)
            : settings.SourceBucket;
        if (!target.RemoteDirectory.StartsWith('/'))
        {
            throw new DeliveryException($"The connector's remote directory must be absolute, not '{target.RemoteDirectory}'.", transient: false);
        }

        var remoteDirectory = "/" + string.Join('/', RemotePaths.DirectorySegments(target.RemoteDirectory));
        foreach (var file in files)
        {
            RemotePaths.ValidateFileName(file.RemoteName);
        }

        if (files.Count == 0)
        {
            return;
        }

        // A folder of its own per delivery: two deliveries of the same name never share a staging object.
        var stagingFolder = $"{settings.StagingPrefix}/{Guid.NewGuid():N}";
        var staged = new List<string>(files.Count);
        try
        {
            foreach (var file in files)
            {
                var stagingKey = $"{stagingFolder}/{RemotePaths.PartName(file.RemoteName)}";
                await store.CopyAsync(file.ObjectKey, stagingKey, cancellationToken);
                staged.Add(stagingKey);
            }

            var transfers = await client.StartFileTransferAsync(connectorId, [.. staged.Select(key => $"/{bucket}/{key}")], remoteDirectory, cancellationToken);
            await WaitForAllAsync(connectorId, transfers, cancellationToken);

            foreach (var file in files)
            {
                await client.StartRemoteMoveAsync(
                    connectorId,
                    RemotePaths.Combine(remoteDirectory, RemotePaths.PartName(file.RemoteName)),
                    RemotePaths.Combine(remoteDirectory, file.RemoteName),
                    cancellationToken);
            }
        }
        catch (TransferServiceException e)
        {
            throw new DeliveryException(e.Message, transient: e.IsRetryable, e);
        }
        catch (ObjectNotFoundException e)
        {
            throw new DeliveryException($"The file to deliver is missing from the store: {e.Key}.", transient: false, e);
        }
        catch (TimeoutException e)
        {
            throw new DeliveryException(e.Message, transient: true, e);
        }
        finally
        {
            await DeleteStagedAsync(staged);
        }

        logger.LogInformation("Delivered {Count} file(s) through connector {ConnectorId} to {Directory}", files.Count, connectorId, remoteDirectory);
    }

    private async Task WaitForAllAsync(string connectorId, IReadOnlyList<StartedFileTransfer> transfers, CancellationToken cancellationToken)
    {
        foreach (var transfer in transfers)
        {
            var results = await tracker.WaitForTransferAsync(connectorId, transfer, cancellationToken);
            var failed = results.FirstOrDefault(r => r.StatusCode == FileTransferStatusCodes.Failed);
            if (failed is not null)
            {
                // The partner's server may be down or full: worth another try later.
                throw new DeliveryException(
                    $"Connector {connectorId} could not send {failed.FilePath}: {failed.FailureCode ?? "FAILED"}: {failed.FailureMessage ?? "no message"}",
                    transient: true);
            }
        }
    }

    private async Task DeleteStagedAsync(List<string> staged)
    {
        foreach (var key in staged)
        {
            try
            {
                await store.DeleteAsync(key, CancellationToken.None);
            }
#pragma warning disable CA1031 // Cleanup must not hide the delivery's own outcome; a leftover staging object is only logged.
            catch (Exception e)
#pragma warning restore CA1031
            {
                logger.LogWarning(e, "Could not delete the staging object {Key}", key);
            }
        }
    }
}
