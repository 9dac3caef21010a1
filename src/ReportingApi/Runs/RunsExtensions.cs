using Microsoft.Extensions.DependencyInjection.Extensions;
using ReportingApi.Delivery.Connector;
using ReportingApi.DropFolder;
using ReportingApi.Hosting;
using ReportingApi.Observability;
using ReportingApi.Runs.Lambda;

namespace ReportingApi.Runs;

public static class RunsExtensions
{
    /// <summary>
    /// The run store, pipeline and dispatcher. Off Lambda, runs go through an in-process queue read by the
    /// <see cref="RunWorker"/>. On Lambda (<c>AWS_LAMBDA_RUNTIME_API</c> set), where nothing runs between invocations,
    /// the function invokes itself asynchronously per run and a scheduled EventBridge tick retries due runs instead; the
    /// bucket's S3 notifications deliver files dropped in partners' outboxes (<see cref="OutboxExtensions.AddOutbox"/>),
    /// and the app's SnapStart hooks (<see cref="SnapStartExtensions.AddAppSnapStartHooks"/>) are registered.
    /// </summary>
    public static IServiceCollection AddRuns(this IServiceCollection services) =>
        services.AddRuns(LambdaHostingExtensions.RunsOnLambda);

    internal static IServiceCollection AddRuns(this IServiceCollection services, bool onLambda)
    {
        services.AddOptions<RunsOptions>().BindConfiguration(RunsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRunMetrics>(NoRunMetrics.Instance);
        services.AddSingleton<RunStore>();
        services.AddSingleton<RunPipeline>();
        if (onLambda)
        {
            services.AddLambdaRunHandlers();
            services.AddOutbox();
            services.AddAppSnapStartHooks();
            services.AddSingleton<LambdaRunDispatcher>();
            services.AddSingleton<IRunDispatcher>(provider => provider.GetRequiredService<LambdaRunDispatcher>());
        }
        else
        {
            services.AddSingleton<InProcessRunDispatcher>();
            services.AddSingleton<IRunDispatcher>(provider => provider.GetRequiredService<InProcessRunDispatcher>());
            services.AddHostedService<RunWorker>();
        }

        return services;
    }

    /// <summary>The <c>report-run</c> app invocation, the scheduled tick (<c>aws.events</c>) and the connector events (<c>aws.transfer</c>) handlers.</summary>
    internal static IServiceCollection AddLambdaRunHandlers(this IServiceCollection services)
    {
        services.AddOptions<LambdaRunsOptions>().BindConfiguration(LambdaRunsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddLambdaAppInvocationHandler<ReportRunInvocationHandler>(ReportRunInvocationHandler.Kind);
        services.AddLambdaEventBridgeHandler<RunTickHandler>(RunTickHandler.ScheduledEventSource);
        services.AddLambdaEventBridgeHandler<ConnectorStatusHandler>(ConnectorEvent.Source);
        return services;
    }
}
