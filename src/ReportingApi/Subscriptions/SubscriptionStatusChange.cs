namespace ReportingApi.Subscriptions;

/// <summary>Pausing and resuming, the same for partners and operators.</summary>
public static class SubscriptionStatusChange
{
    public static Task PauseAsync(SubscriptionStore store, Subscription subscription, string pausedBy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        subscription.Status = SubscriptionStatuses.Paused;
        subscription.PausedBy = pausedBy;
        subscription.UpdatedAt = now.UtcDateTime;
        return store.UpdateAsync(subscription, cancellationToken);
    }

    /// <summary>Active again from <paramref name="now"/>: the slots while paused are neither run nor counted as skipped.</summary>
    public static Task ResumeAsync(SubscriptionStore store, Subscription subscription, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (subscription.IsActive)
        {
            return Task.CompletedTask;
        }

        subscription.Status = SubscriptionStatuses.Active;
        subscription.PausedBy = null;
        subscription.BlockedReason = null;
        subscription.StartAt(now);
        return store.UpdateAsync(subscription, cancellationToken);
    }
}
