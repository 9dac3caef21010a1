using Microsoft.Extensions.DependencyInjection.Extensions;
using ReportingApi.Delivery;
using ReportingApi.Observability;
using ReportingApi.Runs.Outcomes;
using ReportingApi.Runs.Sources;

namespace ReportingApi.Runs;

public static class RunsExtensions
{
    /// <summary>
    /// The run store and executor, with report runs' file source and outcome metrics. How runs reach the executor
    /// differs by host: <see cref="AddRunWorker"/> off Lambda, the Lambda wiring (<c>Hosting/LambdaWiring.cs</c>) on it.
    /// </summary>
    public static IServiceCollection AddRuns(this IServiceCollection services)
    {
        services.AddOptions<RunsOptions>().BindConfiguration(RunsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRunMetrics>(NoRunMetrics.Instance);
        services.AddSingleton<RunStore>();
        services.AddSingleton<RunLeases>();
        services.AddSingleton<RunFiles>();
        services.AddSingleton<RunFileSources>();
        services.AddSingleton<RecipientKeys>();
        services.AddSingleton<RunOutcomes>();
        services.AddSingleton<RunCompletion>();
        services.AddSingleton<RunHandovers>();
        services.AddSingleton<IHandoverStore>(provider => provider.GetRequiredService<RunHandovers>());
        services.AddSingleton<RunExecutor>();
        services.AddRunFileSource<ReportFileSource>();
        services.AddRunOutcomeListener<RunMetricsListener>();
        return services;
    }

    /// <summary>Off Lambda: runs go through an in-process queue read by the <see cref="RunWorker"/>, which also sweeps for due runs.</summary>
    public static IServiceCollection AddRunWorker(this IServiceCollection services)
    {
        services.AddSingleton<InProcessRunDispatcher>();
        services.AddSingleton<IRunDispatcher>(provider => provider.GetRequiredService<InProcessRunDispatcher>());
        services.AddHostedService<RunWorker>();
        return services;
    }

    /// <summary>A source of run files (<see cref="IRunFileSource"/>); the first registered that produces a run's file makes it.</summary>
    public static IServiceCollection AddRunFileSource<TSource>(this IServiceCollection services)
        where TSource : class, IRunFileSource
    {
        services.AddSingleton<IRunFileSource, TSource>();
        return services;
    }

    /// <summary>A listener told of every run's outcome (<see cref="IRunOutcomeListener"/>).</summary>
    public static IServiceCollection AddRunOutcomeListener<TListener>(this IServiceCollection services)
        where TListener : class, IRunOutcomeListener
    {
        services.AddSingleton<IRunOutcomeListener, TListener>();
        return services;
    }
}
