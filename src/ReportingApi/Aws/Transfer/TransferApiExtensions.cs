namespace ReportingApi.Aws.Transfer;

public static class TransferApiExtensions
{
    /// <summary>
    /// Binds the <c>Transfer</c> settings every Transfer Family client uses (region, endpoint, retries), checked at start.
    /// Both the connector delivery and the partner SFTP users call it; binding twice binds the same values.
    /// </summary>
    public static IServiceCollection AddTransferApiOptions(this IServiceCollection services)
    {
        services.AddOptions<TransferOptions>().BindConfiguration(TransferOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }
}
