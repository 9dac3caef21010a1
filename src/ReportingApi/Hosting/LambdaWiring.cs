using Lambda.Hosting.Events;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ReportingApi.Delivery.Connector;
using ReportingApi.DropFolder;
using ReportingApi.Pgp;
using ReportingApi.Inbound;
using ReportingApi.Runs;
using ReportingApi.Runs.Lambda;

namespace ReportingApi.Hosting;

/// <summary>
/// Everything that differs when the app runs on AWS Lambda (<c>AWS_LAMBDA_RUNTIME_API</c> set), in one place. Nothing
/// runs between invocations there, so there is no background worker: the function invokes itself asynchronously per
/// run, a scheduled EventBridge tick retries due runs and sends due webhook events, connector deliveries hand over and wait for the connector's
/// EventBridge events, the bucket's S3 notifications start drop-folder runs and process partners' uploads, and the SnapStart hooks warm up and refresh.
/// Cold starts stay short: migrations are applied at deploy (the <c>migrate</c> invocation, and before a SnapStart
/// snapshot), and the company key is unlocked when a run first needs it.
/// </summary>
public static class LambdaWiring
{
    /// <summary>Instead of <see cref="RunsExtensions.AddRunWorker"/>; after <c>AddRuns</c>, <c>AddDelivery</c> and <c>AddDropFolder</c>.</summary>
    public static IServiceCollection AddLambdaWiring(this IServiceCollection services)
    {
        services.AddLambdaEventHandlers();
        services.AddSingleton<LambdaRunDispatcher>();
        services.AddSingleton<IRunDispatcher>(provider => provider.GetRequiredService<LambdaRunDispatcher>());

        // A connector delivery cannot wait in line for the connector where nothing may wait between invocations.
        services.PostConfigure<ConnectorDeliveryOptions>(options => options.Completion ??= ConnectorCompletion.Events);

        // Each cold start would pay for unlocking the company key, which only runs and deliveries need.
        services.PostConfigure<PgpOptions>(options => options.UnlockAtStart ??= false);
        services.AddAppSnapStartHooks();
        return services;
    }

    /// <summary>
    /// The handlers of the events Lambda delivers besides HTTP requests: the <c>report-run</c> and <c>migrate</c> app invocations, the
    /// scheduled tick (<c>aws.events</c>: due subscription slots and runs, then webhook events), the connector's events (<c>aws.transfer</c>) and the bucket's S3 notifications
    /// (routed by prefix: partners' uploads to inbound processing, the rest to the drop folder).
    /// </summary>
    public static IServiceCollection AddLambdaEventHandlers(this IServiceCollection services)
    {
        services.AddOptions<LambdaRunsOptions>().BindConfiguration(LambdaRunsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddLambdaAppInvocationHandler<ReportRunInvocationHandler>(ReportRunInvocationHandler.Kind);
        services.AddScoped<RunTickHandler>();
        services.AddLambdaEventBridgeHandler<ScheduledTickHandler>(RunTickHandler.ScheduledEventSource);
        services.AddLambdaAppInvocationHandler<MigrationInvocationHandler>(MigrationInvocationHandler.Kind);
        services.AddLambdaEventBridgeHandler<ConnectorStatusHandler>(ConnectorEvent.Source);
        services.AddDropFolderNotifications();
        services.AddScoped<InboundNotifications>();
        services.AddLambdaEventHandler<S3Event, S3NotificationRouter>();
        return services;
    }
}
