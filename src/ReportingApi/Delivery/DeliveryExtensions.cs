using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ReportingApi.Aws.Transfer;
using ReportingApi.Delivery.Connector;
using ReportingApi.Delivery.Sftp;
using ReportingApi.Secrets;

namespace ReportingApi.Delivery;

public static class DeliveryExtensions
{
    /// <summary>
    /// File delivery to partners (folder, SFTP, Transfer Family connector) and the Transfer Family client. Needs an
    /// <see cref="Storage.IObjectStore"/> and, for connector handovers, an <see cref="IHandoverStore"/> (the runs').
    /// Nothing talks to AWS until a connector delivery runs. The configuration sections keep their names (<c>Transfer</c>,
    /// <c>Transfer:Connector</c>, <c>Transfer:Sftp</c>).
    /// </summary>
    public static IServiceCollection AddDelivery(this IServiceCollection services)
    {
        // SFTP logins come from the secret source.
        services.AddSecrets();
        services.TryAddSingleton(TimeProvider.System);
        services.AddTransferApiOptions();
        services.AddOptions<ConnectorDeliveryOptions>().BindConfiguration(ConnectorDeliveryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SftpDeliveryOptions>().BindConfiguration(SftpDeliveryOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.TryAddSingleton(sp => new TransferConnectorClient(
            sp.GetRequiredService<IOptions<TransferOptions>>(), sp.GetRequiredService<ILogger<TransferConnectorClient>>()));
        services.TryAddSingleton<IConnectorTransferTracker, PollingConnectorTransferTracker>();
        services.AddSingleton<ConnectorTransfers>();
        services.AddSingleton<ConnectorHandovers>();

        services.AddSingleton<FolderDelivery>();
        services.AddSingleton<IFileDelivery>(sp => sp.GetRequiredService<FolderDelivery>());
        services.AddSingleton<IFileDelivery, SftpDelivery>();
        services.AddSingleton<IFileDelivery, AwsConnectorDelivery>();
        services.AddSingleton<FileDeliveries>();

        // Delivery tests: the kinds that have one.
        services.AddSingleton<IDeliveryProbe>(sp => sp.GetRequiredService<FolderDelivery>());
        services.AddSingleton<IDeliveryProbe, SftpDeliveryProbe>();
        services.AddSingleton<IDeliveryProbe, AwsConnectorProbe>();
        services.AddSingleton<DeliveryProbes>();
        return services;
    }
}
