using Microsoft.Extensions.DependencyInjection.Extensions;
using ReportingApi.Observability;

namespace ReportingApi.Runs;

public static class RunsExtensions
{
    public static IServiceCollection AddRuns(this IServiceCollection services)
    {
        services.AddOptions<RunsOptions>().BindConfiguration(RunsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRunMetrics>(NoRunMetrics.Instance);
        services.AddSingleton<RunStore>();
        services.AddSingleton<RunPipeline>();
        services.AddSingleton<InProcessRunDispatcher>();
        services.AddSingleton<IRunDispatcher>(provider => provider.GetRequiredService<InProcessRunDispatcher>());
        services.AddHostedService<RunWorker>();
        return services;
    }
}
