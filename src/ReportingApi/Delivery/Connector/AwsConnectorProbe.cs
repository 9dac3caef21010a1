using Microsoft.Extensions.Options;
using ReportingApi.Aws.Transfer;
using ReportingApi.Storage;

namespace ReportingApi.Delivery.Connector;

/// <summary>
/// Tests a connector target: Transfer's TestConnection (the connector logs in to the partner's server with its own secret
/// and trusted host keys), then the staging prefix the connector sends from takes an object (written and removed).
/// </summary>
public sealed class AwsConnectorProbe(IObjectStore store, TransferConnectorClient client, IOptions<ConnectorDeliveryOptions> options, ILogger<AwsConnectorProbe> logger) : IDeliveryProbe
{
    public const string TestConnection = "test-connection";
    public const string StagingWritable = "staging-prefix-writable";

    public DeliveryKind Kind => DeliveryKind.AwsConnector;

    public async Task<IReadOnlyList<DeliveryCheck>> ProbeAsync(DeliveryTarget target, CancellationToken cancellationToken)
    {
        var checks = new DeliveryCheckList(TestConnection, StagingWritable);
        try
        {
            var result = await client.TestConnectionAsync(target.ConnectorId ?? "", cancellationToken);
            if (result.Succeeded)
            {
                checks.Ok(TestConnection);
            }
            else
            {
                var seen = result.SftpConnectionDetails?.HostKey is { } hostKey ? $" (the server showed {hostKey})" : "";
                checks.Fail(TestConnection, $"Connector {target.ConnectorId} could not connect: {result.StatusMessage ?? result.Status}{seen}.");
            }
        }
        catch (TransferServiceException e)
        {
            checks.Fail(TestConnection, $"Transfer Family refused TestConnection for connector {target.ConnectorId}: {e.Message}");
        }

        if (!checks.Failed)
        {
            await WriteStagingProbeAsync(checks, cancellationToken);
        }

        return checks.Result();
    }

    // The failure is the check's reason already; one while cleaning up goes to the log.
    private async Task DeleteQuietlyAsync(string key)
    {
        try
        {
            await store.DeleteAsync(key, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Delivery test object {Key} could not be removed", key);
        }
    }

    private async Task WriteStagingProbeAsync(DeliveryCheckList checks, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.SourceBucket))
        {
            checks.Fail(StagingWritable, $"{ConnectorDeliveryOptions.Section}:SourceBucket is not configured.");
            return;
        }

        var key = $"{settings.StagingPrefix}/{RemotePaths.PartName(DeliveryProbes.ProbeFileName())}";
        var written = false;
        try
        {
            using var content = new MemoryStream("delivery test"u8.ToArray());
            await store.PutAsync(key, content, "text/plain", cancellationToken);
            written = true;
            await store.DeleteAsync(key, cancellationToken);
            written = false;
            checks.Ok(StagingWritable);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            checks.Fail(StagingWritable, $"The staging prefix {settings.StagingPrefix}/ of bucket {settings.SourceBucket} cannot be written: {e.Message}");
        }
        finally
        {
            if (written)
            {
                await DeleteQuietlyAsync(key);
            }
        }
    }
}
