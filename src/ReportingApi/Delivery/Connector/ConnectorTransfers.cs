using Microsoft.Extensions.Options;
using ReportingApi.Aws.Transfer;
using ReportingApi.Storage;

namespace ReportingApi.Delivery.Connector;

/// <summary>
/// The steps of a delivery through an AWS Transfer Family SFTP connector, which sends S3 objects and names the remote
/// file after the object. So each file is first copied to a staging key ending in <c>{RemoteName}.part</c>; the connector
/// sends those; once all are confirmed, each is renamed on the partner's server (StartRemoteMove) in the order given.
/// </summary>
public sealed class ConnectorTransfers(
    IObjectStore store,
    TransferConnectorClient client,
    IConnectorTransferTracker tracker,
    IOptions<ConnectorDeliveryOptions> options,
    ILogger<ConnectorTransfers> logger)
{
    /// <summary>Delivers and waits in line: sends, polls until every file is sent, then renames them in order.</summary>
    public async Task DeliverInLineAsync(DeliveryTarget target, IReadOnlyList<DeliveryFile> files, CancellationToken cancellationToken)
    {
        if (files.Count == 0)
        {
            return;
        }

        var (connectorId, remoteDirectory) = Validate(target, files);
        var staged = new List<string>(files.Count);
        try
        {
            var transfers = await StageAndSendAsync(connectorId, remoteDirectory, files, staged, cancellationToken);
            await WaitForAllAsync(connectorId, transfers, cancellationToken);
            foreach (var rename in Renames(remoteDirectory, files))
            {
                await Translate(() => client.StartRemoteMoveAsync(connectorId, rename.SourcePath, rename.TargetPath, cancellationToken));
            }
        }
        finally
        {
            await DeleteStagedAsync(staged);
        }

        logger.LogInformation("Delivered {Count} file(s) through connector {ConnectorId} to {Directory}", files.Count, connectorId, remoteDirectory);
    }

    /// <summary>
    /// Starts the delivery without waiting for it: stages the files and starts one transfer (at most
    /// <see cref="TransferConnectorClient.MaxFilesPerTransfer"/> files). Events or <see cref="IsSentAsync"/> tell when it is sent.
    /// </summary>
    public async Task<ConnectorHandover> HandOverAsync(DeliveryTarget target, IReadOnlyList<DeliveryFile> files, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (connectorId, remoteDirectory) = Validate(target, files);
        if (files.Count is 0 or > TransferConnectorClient.MaxFilesPerTransfer)
        {
            throw new DeliveryException($"A handed-over connector delivery has 1 to {TransferConnectorClient.MaxFilesPerTransfer} files, not {files.Count}.", transient: false);
        }

        var staged = new List<string>(files.Count);
        try
        {
            var transfer = (await StageAndSendAsync(connectorId, remoteDirectory, files, staged, cancellationToken)).Single();
            logger.LogInformation("Transfer {TransferId} of {Count} file(s) started through connector {ConnectorId}", transfer.TransferId, files.Count, connectorId);
            return new ConnectorHandover(
                connectorId, transfer.TransferId, staged, Renames(remoteDirectory, files), ConnectorPhase.Sending, 0, null, clock.GetUtcNow());
        }
        catch
        {
            await DeleteStagedAsync(staged);
            throw;
        }
    }

    /// <summary>
    /// Asks ListFileTransferResults whether every file of the handed-over transfer is sent. Throws a transient
    /// <see cref="DeliveryException"/> naming the file and AWS's reason when one failed.
    /// </summary>
    public async Task<bool> IsSentAsync(ConnectorHandover handover, CancellationToken cancellationToken)
    {
        var results = await Translate(() => client.ListAllFileTransferResultsAsync(handover.ConnectorId, handover.TransferId, cancellationToken));
        ThrowIfAnyFailed(handover.ConnectorId, results);
        return PollingConnectorTransferTracker.IsFinished(results, handover.StagingKeys.Count);
    }

    /// <summary>Starts the handover's current rename and returns its MoveId; the Remote Move events confirm it.</summary>
    public Task<string> StartRenameAsync(ConnectorHandover handover, CancellationToken cancellationToken) =>
        Translate(() => client.StartRemoteMoveAsync(handover.ConnectorId, handover.CurrentRename.SourcePath, handover.CurrentRename.TargetPath, cancellationToken));

    /// <summary>Removes the handover's staging objects once the delivery has ended, delivered or not.</summary>
    public Task DeleteStagedAsync(ConnectorHandover handover) => DeleteStagedAsync(handover.StagingKeys);

    private (string ConnectorId, string RemoteDirectory) Validate(DeliveryTarget target, IReadOnlyList<DeliveryFile> files)
    {
        var connectorId = string.IsNullOrWhiteSpace(target.ConnectorId)
            ? throw new DeliveryException("The connector delivery target has no ConnectorId.", transient: false)
            : target.ConnectorId;
        if (string.IsNullOrWhiteSpace(options.Value.SourceBucket))
        {
            throw new DeliveryException($"{ConnectorDeliveryOptions.Section}:SourceBucket is not configured.", transient: false);
        }

        if (!target.RemoteDirectory.StartsWith('/'))
        {
            throw new DeliveryException($"The connector's remote directory must be absolute, not '{target.RemoteDirectory}'.", transient: false);
        }

        foreach (var file in files)
        {
            RemotePaths.ValidateFileName(file.RemoteName);
        }

        return (connectorId, "/" + string.Join('/', RemotePaths.DirectorySegments(target.RemoteDirectory)));
    }

    /// <summary>Copies each file to a staging key named <c>{RemoteName}.part</c> (adding it to <paramref name="staged"/>) and starts sending them.</summary>
    private async Task<IReadOnlyList<StartedFileTransfer>> StageAndSendAsync(
        string connectorId, string remoteDirectory, IReadOnlyList<DeliveryFile> files, List<string> staged, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        // A folder of its own per delivery: two deliveries of the same name never share a staging object.
        var stagingFolder = $"{settings.StagingPrefix}/{Guid.NewGuid():N}";
        foreach (var file in files)
        {
            var stagingKey = $"{stagingFolder}/{RemotePaths.PartName(file.RemoteName)}";
            await Translate(async () =>
            {
                await store.CopyAsync(file.ObjectKey, stagingKey, cancellationToken);
                return stagingKey;
            });
            staged.Add(stagingKey);
        }

        return await Translate(() => client.StartFileTransferAsync(connectorId, [.. staged.Select(key => $"/{settings.SourceBucket}/{key}")], remoteDirectory, cancellationToken));
    }

    private static List<ConnectorRename> Renames(string remoteDirectory, IReadOnlyList<DeliveryFile> files) =>
        files.Select(file => new ConnectorRename(
            RemotePaths.Combine(remoteDirectory, RemotePaths.PartName(file.RemoteName)),
            RemotePaths.Combine(remoteDirectory, file.RemoteName))).ToList();

    /// <summary>Turns the client's and the store's failures into delivery failures with a reason fit for the run's record.</summary>
    private static async Task<T> Translate<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
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
    }

    private async Task WaitForAllAsync(string connectorId, IReadOnlyList<StartedFileTransfer> transfers, CancellationToken cancellationToken)
    {
        foreach (var transfer in transfers)
        {
            ThrowIfAnyFailed(connectorId, await Translate(() => tracker.WaitForTransferAsync(connectorId, transfer, cancellationToken)));
        }
    }

    private static void ThrowIfAnyFailed(string connectorId, IReadOnlyList<ConnectorFileTransferResult> results)
    {
        if (results.FirstOrDefault(r => r.StatusCode == FileTransferStatusCodes.Failed) is { } failed)
        {
            throw SendFailed(connectorId, failed.FilePath, failed.FailureCode, failed.FailureMessage);
        }
    }

    /// <summary>A file the connector could not send. The partner's server may be down or full: worth another try later.</summary>
    public static DeliveryException SendFailed(string connectorId, string? filePath, string? failureCode, string? failureMessage) =>
        new($"Connector {connectorId} could not send {filePath ?? "a file"}: {failureCode ?? "FAILED"}: {failureMessage ?? "no message"}", transient: true);

    private async Task DeleteStagedAsync(IEnumerable<string> staged)
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
