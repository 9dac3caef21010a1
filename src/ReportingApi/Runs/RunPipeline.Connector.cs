using ReportingApi.Delivery;
using ReportingApi.Delivery.Connector;

namespace ReportingApi.Runs;

/// <summary>
/// Connector deliveries that do not wait in line (<see cref="ConnectorCompletion.Events"/>): the run is handed over to
/// the Transfer connector and left <c>sending</c>; the connector's events, or a poll when one does not come, move it on.
/// </summary>
public sealed partial class RunPipeline
{
    /// <summary>Starts the connector's transfer and leaves the run <c>sending</c>; its events (or a poll) move it on.</summary>
    private async Task HandOverToConnectorAsync(ReportRun run, DeliveryTarget target, IReadOnlyList<DeliveryFile> files, CancellationToken cancellationToken)
    {
        var handover = await connector.HandOverAsync(target, files, clock, cancellationToken);
        await TrySaveHandoverAsync(
            run, handover, connectorOptions.Value.EventWait, "transfer-started",
            $"transfer {handover.TransferId} through connector {handover.ConnectorId}; waiting for the connector's events", cancellationToken);
    }

    /// <summary>
    /// A connector event for a run handed over to the connector. Events come at least once, in any order, and may race
    /// with a poll or with each other: each step is taken only by whoever changes the saved state first.
    /// </summary>
    public async Task<ConnectorEventOutcome> ApplyConnectorEventAsync(ConnectorEvent connectorEvent, CancellationToken cancellationToken)
    {
        var run = connectorEvent.Kind is ConnectorEventKind.SendCompleted or ConnectorEventKind.SendFailed
            ? await store.FindByConnectorTransferAsync(connectorEvent.TransferId ?? "", cancellationToken)
            : await store.FindByConnectorRenameAsync(ConnectorHandover.RenameKey(connectorEvent.ConnectorId, connectorEvent.MoveSourcePath ?? ""), cancellationToken);
        if (run?.ConnectorState is null || RunStatuses.IsFinished(run.State))
        {
            return ConnectorEventOutcome.NoRunWaiting;
        }

        var handover = ConnectorHandover.FromJson(run.ConnectorState);
        try
        {
            switch (connectorEvent.Kind)
            {
                case ConnectorEventKind.SendCompleted when handover.Phase == ConnectorPhase.Sending:
                    // One event per file: only the results tell whether the others are sent too.
                    if (!await connector.IsSentAsync(handover, cancellationToken))
                    {
                        return ConnectorEventOutcome.Waiting;
                    }

                    await StartRenameAsync(run, handover, handover with { Phase = ConnectorPhase.Renaming, RenameIndex = 0 }, cancellationToken);
                    return ConnectorEventOutcome.Advanced;
                case ConnectorEventKind.SendFailed when handover.Phase == ConnectorPhase.Sending:
                    throw AwsConnectorDelivery.SendFailed(handover.ConnectorId, connectorEvent.FilePath, connectorEvent.FailureCode, connectorEvent.FailureMessage);
                case ConnectorEventKind.MoveCompleted when IsCurrentRename(handover, connectorEvent):
                    if (!handover.IsLastRename)
                    {
                        await StartRenameAsync(run, handover, handover with { RenameIndex = handover.RenameIndex + 1 }, cancellationToken);
                        return ConnectorEventOutcome.Advanced;
                    }

                    if (await EndHandoverAsync(run, handover, cancellationToken))
                    {
                        await CompleteDeliveryAsync(run, await settings.GetAsync(run.PartnerId, cancellationToken), cancellationToken);
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
            if (await EndHandoverAsync(run, handover, cancellationToken))
            {
                await RecordFailureAsync(run.Id, exception);
            }

            return ConnectorEventOutcome.Failed;
        }
    }

    /// <summary>For a handed-over run whose event did not come in time: polls the transfer, or gives up on a rename.</summary>
    private async Task PollConnectorAsync(ReportRun run, CancellationToken cancellationToken)
    {
        var handover = ConnectorHandover.FromJson(run.ConnectorState!);
        var settings = connectorOptions.Value;
        var waited = clock.GetUtcNow() - handover.PhaseStartedAt;
        try
        {
            if (handover.Phase == ConnectorPhase.Renaming)
            {
                // StartRemoteMove has no results to ask for: without its event, this attempt cannot be confirmed.
                throw new DeliveryException(
                    $"Connector {handover.ConnectorId} did not confirm renaming {handover.CurrentRename.SourcePath} within {settings.RenameWait}.", transient: true);
            }

            if (await connector.IsSentAsync(handover, cancellationToken))
            {
                await StartRenameAsync(run, handover, handover with { Phase = ConnectorPhase.Renaming, RenameIndex = 0 }, cancellationToken);
                return;
            }

            if (waited > settings.MaxWait)
            {
                throw new DeliveryException($"Transfer {handover.TransferId} of connector {handover.ConnectorId} was not sent after {settings.MaxWait}.", transient: true);
            }

            await TrySaveHandoverAsync(run, handover, settings.EventWait, eventStatus: null, detail: null, cancellationToken);
        }
        catch (DeliveryException)
        {
            // Only the caller that ends the handover records the failure; an event that ended it first has done so.
            if (await EndHandoverAsync(run, handover, cancellationToken))
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
    /// rename's event finds the run even when it comes before the MoveId could be saved; then saves the MoveId.
    /// </summary>
    private async Task StartRenameAsync(ReportRun run, ConnectorHandover current, ConnectorHandover next, CancellationToken cancellationToken)
    {
        next = next with { MoveId = null, PhaseStartedAt = clock.GetUtcNow() };
        var detail = $"{(current.Phase == ConnectorPhase.Sending ? $"transfer {current.TransferId} sent; " : "")}renaming {next.CurrentRename.SourcePath} to {next.CurrentRename.TargetPath}";
        if (!await TrySaveHandoverAsync(run, next, connectorOptions.Value.RenameWait, "renaming", detail, cancellationToken))
        {
            return;
        }

        var moveId = await connector.StartRenameAsync(next, cancellationToken);
        await TrySaveHandoverAsync(run, next with { MoveId = moveId }, wait: null, eventStatus: null, detail: null, cancellationToken);
    }

    /// <summary>Clears the run's connector state (only one caller wins) and removes the staged copies. False: another caller ended it first.</summary>
    private async Task<bool> EndHandoverAsync(ReportRun run, ConnectorHandover handover, CancellationToken cancellationToken)
    {
        if (!await TrySaveHandoverAsync(run, null, wait: null, eventStatus: null, detail: null, cancellationToken))
        {
            return false;
        }

        await connector.DeleteStagedAsync(handover);
        return true;
    }

    /// <summary>
    /// Saves <paramref name="next"/> as the run's handover (null: the handover has ended) with the keys events find the
    /// run by, and the next poll <paramref name="wait"/> from now (null: unchanged), but only if the saved handover is
    /// still the one this caller read. False when another caller changed it first.
    /// </summary>
    private Task<bool> TrySaveHandoverAsync(
        ReportRun run, ConnectorHandover? next, TimeSpan? wait, string? eventStatus, string? detail, CancellationToken cancellationToken)
    {
        var expected = run.ConnectorState;
        run.ConnectorState = next?.ToJson();
        run.ConnectorTransferId = next?.TransferId;
        run.ConnectorMoveId = next is { Phase: ConnectorPhase.Renaming } ? next.CurrentRenameKey : null;
        if (wait is { } fromNow)
        {
            run.NextAttemptAt = clock.GetUtcNow().UtcDateTime + fromNow;
        }

        return store.TryUpdateConnectorAsync(run, expected, eventStatus, detail, cancellationToken);
    }
}
