using Microsoft.Extensions.Options;

namespace ReportingApi.Delivery.Connector;

/// <summary>
/// Connector deliveries that do not wait in line (<see cref="ConnectorCompletion.Events"/>): the transfer is started and
/// handed over; the connector's events, or a resume when one does not come, move it on: once every file is sent, the
/// renames one at a time, in order, each confirmed before the next; the last one ends the delivery. The state lives with
/// the delivery's owner through <see cref="IHandoverStore"/>, and each step is taken only by whoever changes it first.
/// </summary>
public sealed class ConnectorHandovers(
    ConnectorTransfers transfers, IHandoverStore handovers, IOptions<ConnectorDeliveryOptions> options, TimeProvider clock)
{
    /// <summary>Starts the connector's transfer; returns what its owner saves while the events are awaited.</summary>
    public async Task<HandoverProgress> HandOverAsync(DeliveryTarget target, IReadOnlyList<DeliveryFile> files, CancellationToken cancellationToken)
    {
        var handover = await transfers.HandOverAsync(target, files, clock, cancellationToken);
        return Progress(
            handover, options.Value.EventWait, "transfer-started",
            $"transfer {handover.TransferId} through connector {handover.ConnectorId}; waiting for the connector's events");
    }

    /// <summary>A connector event: applied to the handover that awaits it, if any.</summary>
    public async Task<ConnectorEventOutcome> ApplyAsync(ConnectorEvent connectorEvent, CancellationToken cancellationToken)
    {
        var eventKey = connectorEvent.Kind is ConnectorEventKind.SendCompleted or ConnectorEventKind.SendFailed
            ? connectorEvent.TransferId ?? ""
            : ConnectorHandover.RenameKey(connectorEvent.ConnectorId, connectorEvent.MoveSourcePath ?? "");
        if (await handovers.FindAsync(eventKey, cancellationToken) is not { } pending)
        {
            return ConnectorEventOutcome.NoRunWaiting;
        }

        var handover = ConnectorHandover.FromJson(pending.State);
        try
        {
            switch (connectorEvent.Kind)
            {
                case ConnectorEventKind.SendCompleted when handover.Phase == ConnectorPhase.Sending:
                    // One event per file: only the results tell whether the others are sent too.
                    if (!await transfers.IsSentAsync(handover, cancellationToken))
                    {
                        return ConnectorEventOutcome.Waiting;
                    }

                    await StartRenameAsync(pending, handover, handover with { Phase = ConnectorPhase.Renaming, RenameIndex = 0 }, cancellationToken);
                    return ConnectorEventOutcome.Advanced;
                case ConnectorEventKind.SendFailed when handover.Phase == ConnectorPhase.Sending:
                    throw ConnectorTransfers.SendFailed(handover.ConnectorId, connectorEvent.FilePath, connectorEvent.FailureCode, connectorEvent.FailureMessage);
                case ConnectorEventKind.MoveCompleted when IsCurrentRename(handover, connectorEvent):
                    if (!handover.IsLastRename)
                    {
                        await StartRenameAsync(pending, handover, handover with { RenameIndex = handover.RenameIndex + 1 }, cancellationToken);
                    }
                    else if (await EndAsync(pending, handover, cancellationToken))
                    {
                        await handovers.DeliveredAsync(pending, cancellationToken);
                    }

                    return ConnectorEventOutcome.Advanced;
                case ConnectorEventKind.MoveFailed when IsCurrentRename(handover, connectorEvent):
                    throw new DeliveryException(
                        $"Connector {handover.ConnectorId} could not rename {handover.CurrentRename.SourcePath} to {handover.CurrentRename.TargetPath}: " +
                        $"{connectorEvent.FailureCode ?? "FAILED"}: {connectorEvent.FailureMessage ?? "no message"}",
                        transient: true);
                default:
                    // A duplicate, or a late event of a step already taken.
                    return ConnectorEventOutcome.NoRunWaiting;
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (await EndAsync(pending, handover, cancellationToken))
            {
                await handovers.FailedAsync(pending, exception);
            }

            return ConnectorEventOutcome.Failed;
        }
    }

    /// <summary>
    /// For a handover whose event did not come in time: polls the transfer, or gives up on a rename (renames have no
    /// results to ask for). A failure ends the handover and is thrown, for the owner to record.
    /// </summary>
    public async Task ResumeAsync(PendingHandover pending, CancellationToken cancellationToken)
    {
        var handover = ConnectorHandover.FromJson(pending.State);
        var settings = options.Value;
        try
        {
            if (handover.Phase == ConnectorPhase.Renaming)
            {
                throw new DeliveryException(
                    $"Connector {handover.ConnectorId} did not confirm renaming {handover.CurrentRename.SourcePath} within {settings.RenameWait}.", transient: true);
            }

            if (await transfers.IsSentAsync(handover, cancellationToken))
            {
                await StartRenameAsync(pending, handover, handover with { Phase = ConnectorPhase.Renaming, RenameIndex = 0 }, cancellationToken);
                return;
            }

            if (clock.GetUtcNow() - handover.PhaseStartedAt > settings.MaxWait)
            {
                throw new DeliveryException($"Transfer {handover.TransferId} of connector {handover.ConnectorId} was not sent after {settings.MaxWait}.", transient: true);
            }

            await handovers.TrySaveAsync(pending, Progress(handover, settings.EventWait), cancellationToken);
        }
        catch (DeliveryException)
        {
            // Only the caller that ends the handover reports the failure; an event that ended it first has done so.
            if (await EndAsync(pending, handover, cancellationToken))
            {
                throw;
            }
        }
    }

    private static bool IsCurrentRename(ConnectorHandover handover, ConnectorEvent connectorEvent) =>
        handover.Phase == ConnectorPhase.Renaming
        && string.Equals(connectorEvent.MoveSourcePath, handover.CurrentRename.SourcePath, StringComparison.Ordinal)
        && (handover.MoveId is null || connectorEvent.MoveId is null || handover.MoveId == connectorEvent.MoveId);

    /// <summary>
    /// Saves <paramref name="next"/> (whose current rename is the one to start) before calling StartRemoteMove, so the
    /// rename's event finds the handover even when it comes before the MoveId could be saved; then saves the MoveId.
    /// </summary>
    private async Task StartRenameAsync(PendingHandover pending, ConnectorHandover current, ConnectorHandover next, CancellationToken cancellationToken)
    {
        next = next with { MoveId = null, PhaseStartedAt = clock.GetUtcNow() };
        var detail = $"{(current.Phase == ConnectorPhase.Sending ? $"transfer {current.TransferId} sent; " : "")}renaming {next.CurrentRename.SourcePath} to {next.CurrentRename.TargetPath}";
        var renaming = Progress(next, options.Value.RenameWait, "renaming", detail);
        if (!await handovers.TrySaveAsync(pending, renaming, cancellationToken))
        {
            return;
        }

        var moveId = await transfers.StartRenameAsync(next, cancellationToken);
        await handovers.TrySaveAsync(pending with { State = renaming.State }, Progress(next with { MoveId = moveId }, checkAfter: null), cancellationToken);
    }

    /// <summary>Ends the handover (only one caller wins) and removes the staged copies. False: another caller ended it first.</summary>
    private async Task<bool> EndAsync(PendingHandover pending, ConnectorHandover handover, CancellationToken cancellationToken)
    {
        if (!await handovers.TrySaveAsync(pending, null, cancellationToken))
        {
            return false;
        }

        await transfers.DeleteStagedAsync(handover);
        return true;
    }

    /// <summary>The handover as its owner saves it: events of its transfer, or of its current rename, find it.</summary>
    private static HandoverProgress Progress(ConnectorHandover handover, TimeSpan? checkAfter, string? step = null, string? detail = null) =>
        new(handover.ToJson(), handover.TransferId, handover.Phase == ConnectorPhase.Renaming ? handover.CurrentRenameKey : null, checkAfter, step, detail);
}
