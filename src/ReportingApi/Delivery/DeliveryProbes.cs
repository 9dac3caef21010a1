namespace ReportingApi.Delivery;

public enum DeliveryCheckOutcome
{
    Ok,
    Failed,

    /// <summary>Not run: an earlier check failed, and this one needs what that one checks.</summary>
    Skipped,
}

/// <summary>One check of a delivery test: its name (<c>dns</c>, <c>tcp-connect</c>, ...), the outcome, and why it failed.</summary>
public sealed record DeliveryCheck(string Name, DeliveryCheckOutcome Outcome, string? Reason = null);

/// <summary>
/// Tries what a first delivery to a target needs, without delivering anything: reaching it, being let in, writing to its
/// directory (a probe file written as <c>.part</c>, renamed and removed; removed also when a step fails). Each kind of
/// delivery that can be tested implements this beside its <see cref="IFileDelivery"/>.
/// </summary>
public interface IDeliveryProbe
{
    DeliveryKind Kind { get; }

    /// <summary>Every check of the kind in order; after the first failure the rest are <see cref="DeliveryCheckOutcome.Skipped"/>.</summary>
    Task<IReadOnlyList<DeliveryCheck>> ProbeAsync(DeliveryTarget target, CancellationToken cancellationToken);
}

/// <summary>The probe of each kind of delivery (every kind has one: <c>DeliveryRegistrationTests</c>).</summary>
public sealed class DeliveryProbes(IEnumerable<IDeliveryProbe> probes)
{
    private readonly Dictionary<DeliveryKind, IDeliveryProbe> _byKind = probes.ToDictionary(probe => probe.Kind);

    public IDeliveryProbe For(DeliveryKind kind) => _byKind[kind];

    /// <summary>The name of a probe file: hidden, and plainly ours to anyone who finds one.</summary>
    public static string ProbeFileName() => $".reportingapi-delivery-test-{Guid.NewGuid():N}";
}

/// <summary>Collects a probe's checks in order; once one fails, the remaining ones are recorded as skipped.</summary>
internal sealed class DeliveryCheckList(params string[] names)
{
    private readonly List<DeliveryCheck> _checks = [];

    public bool Failed => _checks.Any(check => check.Outcome == DeliveryCheckOutcome.Failed);

    public void Ok(string name) => _checks.Add(new DeliveryCheck(name, DeliveryCheckOutcome.Ok));

    public void Fail(string name, string reason) => _checks.Add(new DeliveryCheck(name, DeliveryCheckOutcome.Failed, reason));

    public IReadOnlyList<DeliveryCheck> Result() =>
        [.. _checks, .. names.Skip(_checks.Count).Select(name => new DeliveryCheck(name, DeliveryCheckOutcome.Skipped))];
}
