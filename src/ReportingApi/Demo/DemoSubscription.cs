using ReportingApi.Partners;
using ReportingApi.Subscriptions;

namespace ReportingApi.Demo;

/// <summary>
/// The demo's scheduled delivery: demo-acme's contracts of the previous day every 5 minutes, created paused (so that
/// nothing is delivered until a user resumes it, as the README's walk-through does).
/// </summary>
public sealed class DemoSubscription(SubscriptionStore subscriptions, PartnerStore partners, TimeProvider clock, ILogger<DemoSubscription> logger)
{
    public const string Id = "sub_demo-acme-every-5-minutes";

    /// <summary>Creates the subscription once, and only where demo-acme is the demo's partner (as onboarding checks).</summary>
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        var acme = DemoPartners.All[0];
        if (await partners.FindAsync(acme.Id, cancellationToken) is not { } partner || partner.ClientId != acme.ClientId
            || await subscriptions.GetAsync(Id, cancellationToken) is not null)
        {
            return;
        }

        var subscription = new Subscription
        {
            Id = Id,
            PartnerId = acme.Id,
            Report = "contracts",
            Format = "csv",
            Cron = "*/5 * * * *",
            TimeZone = "Europe/Berlin",
            PeriodRule = "previous-day",
            Status = SubscriptionStatuses.Paused,
            PausedBy = SubscriptionPausers.Partner,
        };
        subscription.StartAt(clock.GetUtcNow());
        subscription.CreatedAt = subscription.UpdatedAt;
        await subscriptions.InsertAsync(subscription, cancellationToken);
        logger.LogInformation("Demo subscription {SubscriptionId} of {ClientId} created, paused: POST /v1/subscriptions/{SubscriptionId}/resume starts it", Id, acme.ClientId, Id);
    }
}
