namespace ReportingApi.Delivery;

/// <summary>Picks the delivery for a target by its <see cref="DeliveryTarget.Kind"/>.</summary>
public sealed class FileDeliveries(IEnumerable<IFileDelivery> deliveries)
{
    // The last registration of a kind wins, so a host or a test can replace one.
    private readonly Dictionary<DeliveryKind, IFileDelivery> _byKind = deliveries
        .GroupBy(d => d.Kind)
        .ToDictionary(g => g.Key, g => g.Last());

    public IFileDelivery For(DeliveryKind kind) =>
        _byKind.TryGetValue(kind, out var delivery)
            ? delivery
            : throw new DeliveryException($"No delivery of kind {kind} is available.", transient: false);

    /// <summary>Delivers <paramref name="files"/> to <paramref name="target"/> with the delivery of its kind.</summary>
    public Task<DeliveryOutcome> DeliverAsync(DeliveryTarget target, IReadOnlyList<DeliveryFile> files, CancellationToken cancellationToken) =>
        For(target.Kind).DeliverAsync(target, files, cancellationToken);

    /// <summary>
    /// Resumes <paramref name="handover"/> with the delivery of the target's kind. False when that kind hands nothing over:
    /// the target was changed to another kind while the handover was pending.
    /// </summary>
    public async Task<bool> TryResumeAsync(DeliveryTarget target, PendingHandover handover, CancellationToken cancellationToken)
    {
        if (For(target.Kind) is not IHandoverDelivery delivery)
        {
            return false;
        }

        await delivery.ResumeAsync(handover, cancellationToken);
        return true;
    }
}
