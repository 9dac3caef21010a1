using Microsoft.Extensions.Options;

namespace ReportingApi.Delivery.Connector;

/// <summary>
/// Delivers through an AWS Transfer Family SFTP connector (see <see cref="ConnectorTransfers"/>): in line, polling until
/// the files are sent and renamed (<see cref="ConnectorCompletion.Wait"/>), or handed over, to be moved on by the
/// connector's events (<see cref="ConnectorCompletion.Events"/>, <see cref="ConnectorHandovers"/>).
/// </summary>
public sealed class AwsConnectorDelivery(ConnectorTransfers transfers, ConnectorHandovers handovers, IOptions<ConnectorDeliveryOptions> options) : IHandoverDelivery
{
    public DeliveryKind Kind => DeliveryKind.AwsConnector;

    public async Task<DeliveryOutcome> DeliverAsync(DeliveryTarget target, IReadOnlyList<DeliveryFile> files, CancellationToken cancellationToken)
    {
        if (options.Value.EffectiveCompletion == ConnectorCompletion.Events)
        {
            return DeliveryOutcome.HandedOver(await handovers.HandOverAsync(target, files, cancellationToken));
        }

        await transfers.DeliverInLineAsync(target, files, cancellationToken);
        return DeliveryOutcome.Delivered;
    }

    public Task ResumeAsync(PendingHandover handover, CancellationToken cancellationToken) => handovers.ResumeAsync(handover, cancellationToken);
}
