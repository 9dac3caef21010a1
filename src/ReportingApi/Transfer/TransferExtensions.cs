using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ReportingApi.Secrets;

namespace ReportingApi.Transfer;

public static class TransferExtensions
{
    /// <summary>
    /// File delivery to partners (folder, SFTP, Transfer Family connector) and the Transfer Family client.
    /// Needs an <see cref="Storage.IObjectStore"/> registration. Nothing talks to AWS until a connector delivery runs.
    /// </summary>
    public static IServiceCollection AddTransfer(this IServiceCollection services)
    {
        // SFTP logins come from the secret source.
        services.AddSecrets();
        services.AddOptions<TransferOptions>().BindConfiguration(TransferOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ConnectorDeliveryOptions>().BindConfiguration(ConnectorDeliveryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SftpDeliveryOptions>().BindConfiguration(SftpDeliveryOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.TryAddSingleton(sp => new TransferConnectorClient(
            sp.GetRequiredService<IOptions<TransferOptions>>(), sp.GetRequiredService<ILogger<TransferConnectorClient>>()));
        services.TryAddSingleton<IConnectorTransferTracker, PollingConnectorTransferTracker>();

        services.AddSingleton<IFileDelivery, FolderDelivery>();
        services.AddSingleton<IFileDelivery, SftpDelivery>();
        services.AddSingleton<AwsConnectorDelivery>();
        services.AddSingleton<IFileDelivery>(provider => provider.GetRequiredService<AwsConnectorDelivery>());
        services.AddSingleton<FileDeliveries>();
        return services;
    }
}
