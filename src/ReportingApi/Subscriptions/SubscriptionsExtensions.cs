using Microsoft.Extensions.DependencyInjection.Extensions;
using ReportingApi.Runs;
using ReportingApi.Schedules;

namespace ReportingApi.Subscriptions;

public static class SubscriptionsExtensions
{
    /// <summary>
    /// Subscriptions and their scheduler, an <see cref="IDueRunCreator"/>: off Lambda the run worker's sweep calls it,
    /// on Lambda the scheduled tick. After <c>AddRuns</c>.
    /// </summary>
    public static IServiceCollection AddSubscriptions(this IServiceCollection services)
    {
        services.AddOptions<SchedulesOptions>().BindConfiguration(SchedulesOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SchedulePlanner>();
        services.TryAddSingleton<SubscriptionStore>(); // the demo may have added it
        services.AddSingleton<SubscriptionViews>();
        services.AddSingleton<SubscriptionScheduler>();
        services.AddSingleton<IDueRunCreator>(provider => provider.GetRequiredService<SubscriptionScheduler>());
        return services;
    }
}
