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
    public Task DeliverAsync(DeliveryTarget target, IReadOnlyList<DeliveryFile> files, CancellationToken cancellationToken) =>
        For(target.Kind).DeliverAsync(target, files, cancellationToken);
}
