using Microsoft.Extensions.Options;
using ReportingApi.Runs;

namespace ReportingApi.Webhooks;

public static class WebhooksExtensions
{
    /// <summary>
    /// Webhooks to partners: their configuration, the event store, the sender (with the SSRF guard of the environment's
    /// target rules) and the run outcome listener that stores <c>run.*</c> events. What sends them differs by host:
    /// <see cref="AddWebhookWorker"/> off Lambda, the scheduled tick on it (<c>Hosting/LambdaWiring.cs</c>).
    /// </summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhooksOptions>().BindConfiguration(WebhooksOptions.Section).ValidateDataAnnotations()
            .Validate(Schedulable, "Webhooks: the retry schedule needs at most 100 attempts to cover RetryWindow, and MaxRetryDelay must be at least FirstRetryDelay.")
            .ValidateOnStart();
        services.AddSingleton<IHostAddressResolver, SystemHostAddressResolver>();
        services.AddSingleton(provider => WebhookTargetRules.For(provider.GetRequiredService<IHostEnvironment>()));
        services.AddSingleton<WebhookUrlPolicy>();
        services.AddSingleton(provider => new WebhookSender(
            provider.GetRequiredService<WebhookTargetRules>(),
            provider.GetRequiredService<IHostAddressResolver>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IOptions<WebhooksOptions>>().Value.AttemptTimeout));
        services.AddSingleton<WebhookSecretKeys>();
        services.AddSingleton<WebhookEndpointStore>();
        services.AddSingleton<WebhookEventStore>();
        services.AddSingleton<WebhookSettings>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddSingleton<WebhookSendSignal>();
        services.AddRunOutcomeListener<WebhookOutcomeListener>();
        // Stateless: the catch-up's own instance stores events exactly as the listener does.
        services.AddSingleton<WebhookOutcomeListener>();
        services.AddSingleton<WebhookCatchUp>();
        return services;
    }

    /// <summary>Off Lambda: a background worker sends due events.</summary>
    public static IServiceCollection AddWebhookWorker(this IServiceCollection services) => services.AddHostedService<WebhookWorker>();

    private static bool Schedulable(WebhooksOptions options)
    {
        try
        {
            return options.RetrySchedule() is not null;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
