using ReportingApi.Runs;

namespace ReportingApi.Subscriptions;

/// <summary>Subscriptions with their last runs, as responses: one query for the runs of a whole list.</summary>
public sealed class SubscriptionViews(RunStore runs, TimeProvider clock)
{
    public async Task<IReadOnlyList<SubscriptionResponse>> ShowAsync(IReadOnlyList<Subscription> subscriptions, CancellationToken cancellationToken)
    {
        var lastRuns = await runs.LatestSlotRunsAsync([.. subscriptions.Select(subscription => subscription.Id)], cancellationToken);
        var now = clock.GetUtcNow();
        return [.. subscriptions.Select(subscription => SubscriptionResponse.Create(subscription, lastRuns.GetValueOrDefault(subscription.Id), now))];
    }

    public async Task<SubscriptionResponse> ShowAsync(Subscription subscription, CancellationToken cancellationToken) =>
        (await ShowAsync([subscription], cancellationToken))[0];
}
