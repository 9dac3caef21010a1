using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ReportingApi.Runs;

public static class RunsExtensions
{
    public static IServiceCollection AddRuns(this IServiceCollection services)
    {
        services.AddOptions<RunsOptions>().BindConfiguration(RunsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<RunStore>();
        services.AddSingleton<RunPipeline>();
        services.AddSingleton<InProcessRunDispatcher>();
        services.AddSingleton<IRunDispatcher>(provider => provider.GetRequiredService<InProcessRunDispatcher>());
        services.AddHostedService<RunWorker>();
        return services;
    }
}
