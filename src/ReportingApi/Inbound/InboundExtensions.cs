using Microsoft.Extensions.DependencyInjection.Extensions;
using ReportingApi.Observability;

namespace ReportingApi.Inbound;

public static class InboundExtensions
{
    /// <summary>Processing of partners' uploads and their records; after <c>AddPgp</c>, <c>AddStorage</c> and the partner store.</summary>
    public static IServiceCollection AddInbound(this IServiceCollection services)
    {
        services.AddOptions<InboundOptions>().BindConfiguration(InboundOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IInboundMetrics>(NoInboundMetrics.Instance);
        services.AddSingleton<InboundFileStore>();
        services.AddSingleton<InboundPartners>();
        services.AddSingleton<InboundProcessor>();
        services.AddSingleton<InboundRecovery>();
        return services;
    }

    /// <summary>Off Lambda: the sweep of the folder object store's inbound folders (on Lambda, S3 notifications).</summary>
    public static IServiceCollection AddInboundSweep(this IServiceCollection services)
    {
        services.AddSingleton<InboundFolderSweep>();
        services.AddHostedService(provider => provider.GetRequiredService<InboundFolderSweep>());
        return services;
    }
}
