using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace ReportingApi.Delivery.Connector;

/// <summary>
/// Learns when a connector transfer has finished. Polling now; EventBridge's <c>SFTP Connector File Send
/// Completed|Failed</c> events can replace it without touching <see cref="AwsConnectorDelivery"/>.
/// </summary>
public interface IConnectorTransferTracker
{
    /// <summary>
    /// Waits until every file of <paramref name="transfer"/> is <c>COMPLETED</c> or any is <c>FAILED</c>, and returns the
    /// per-file results. Throws <see cref="TimeoutException"/> when that takes longer than allowed.
    /// </summary>
    Task<IReadOnlyList<ConnectorFileTransferResult>> WaitForTransferAsync(string connectorId, StartedFileTransfer transfer, CancellationToken cancellationToken);
}

/// <summary>Asks ListFileTransferResults every <see cref="ConnectorDeliveryOptions.PollInterval"/>, for at most <see cref="ConnectorDeliveryOptions.MaxWait"/>.</summary>
public sealed class PollingConnectorTransferTracker(
    TransferConnectorClient client, IOptions<ConnectorDeliveryOptions> options, ILogger<PollingConnectorTransferTracker> logger) : IConnectorTransferTracker
{
    public async Task<IReadOnlyList<ConnectorFileTransferResult>> WaitForTransferAsync(
        string connectorId, StartedFileTransfer transfer, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            var results = await client.ListAllFileTransferResultsAsync(connectorId, transfer.TransferId, cancellationToken);
            if (IsFinished(results, transfer.SendFilePaths.Count))
            {
                return results;
            }

            if (elapsed.Elapsed + settings.PollInterval > settings.MaxWait)
            {
                var pending = results.Count(r => r.StatusCode != FileTransferStatusCodes.Completed) + Math.Max(0, transfer.SendFilePaths.Count - results.Count);
                throw new TimeoutException(
                    $"Transfer {transfer.TransferId} of connector {connectorId} still had {pending} file(s) unsent after {settings.MaxWait}.");
            }

            logger.LogDebug("Transfer {TransferId}: {Completed} of {Count} file(s) sent", transfer.TransferId,
                results.Count(r => r.StatusCode == FileTransferStatusCodes.Completed), transfer.SendFilePaths.Count);
            await Task.Delay(settings.PollInterval, cancellationToken);
        }
    }

    internal static bool IsFinished(IReadOnlyList<ConnectorFileTransferResult> results, int fileCount) =>
        results.Any(r => r.StatusCode == FileTransferStatusCodes.Failed)
        || (results.Count >= fileCount && results.All(r => r.StatusCode == FileTransferStatusCodes.Completed));
}
