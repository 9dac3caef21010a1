namespace ReportingApi.Delivery;

/// <summary>A handed-over delivery as its owner (a run) keeps it: the owner's id and the delivery's own saved state.</summary>
public sealed record PendingHandover(string OwnerId, string State);

/// <summary>
/// What a handed-over delivery saves with its owner: its state, and the keys its events carry, by which an event finds
/// the owner: the handed-over work (a connector transfer) and the step awaited within it (a rename), if any.
/// </summary>
/// <param name="CheckAfter">When to resume the handover if no event has moved it on (null: as saved before).</param>
/// <param name="Step">The step to record with the owner (null: none), with its <paramref name="Detail"/>.</param>
public sealed record HandoverProgress(string State, string WorkKey, string? StepKey, TimeSpan? CheckAfter, string? Step = null, string? Detail = null);

/// <summary>
/// Where handed-over deliveries are kept until they end, and told how they ended. The runs implement it, so that a
/// delivery knows nothing of runs. Events come at least once, in any order, and may race with a resume: every change is
/// made only if the saved state is still the one the caller read.
/// </summary>
public interface IHandoverStore
{
    /// <summary>The unfinished handover awaiting an event with this key (a work or a step key), or null.</summary>
    Task<PendingHandover?> FindAsync(string eventKey, CancellationToken cancellationToken);

    /// <summary>
    /// Saves <paramref name="progress"/> (null: the handover has ended) if the saved state is still <paramref name="current"/>'s.
    /// False when another caller changed it first.
    /// </summary>
    Task<bool> TrySaveAsync(PendingHandover current, HandoverProgress? progress, CancellationToken cancellationToken);

    /// <summary>The ended handover's files are on the partner's server: its owner is delivered.</summary>
    Task DeliveredAsync(PendingHandover ended, CancellationToken cancellationToken);

    /// <summary>The ended handover failed: its owner records the failed attempt (retried or failed, as for any delivery).</summary>
    Task FailedAsync(PendingHandover ended, Exception failure);
}
