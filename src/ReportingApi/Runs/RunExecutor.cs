using ReportingApi.Delivery;
using ReportingApi.Partners;
using ReportingApi.Runs.Sources;

namespace ReportingApi.Runs;

/// <summary>
/// Takes one run as far as it can go, whatever its file and its delivery: under a lease, the run's file source makes
/// the file (once: a stored file is sent again as it is), then the delivery of the partner's target kind sends it and
/// answers delivered, or handed over to a service whose events end it later. Every step is recorded; a failed attempt
/// is retried with backoff until the attempts run out (<see cref="RunCompletion"/>).
/// </summary>
public sealed class RunExecutor(
    RunLeases leases,
    RunStore store,
    PartnerStore partners,
    RunFileSources sources,
    RunFiles files,
    FileDeliveries deliveries,
    RunHandovers handovers,
    RunCompletion completion)
{
    /// <summary>Executes the run if it is due and no other executor holds it; a run another one executes is left alone.</summary>
    public async Task ExecuteAsync(string runId, CancellationToken cancellationToken)
    {
        await using var lease = await leases.TryTakeAsync(runId, cancellationToken);
        if (lease?.Run is { } run)
        {
            await ExecuteLeasedAsync(run, cancellationToken);
        }
    }

    private async Task ExecuteLeasedAsync(ReportRun run, CancellationToken cancellationToken)
    {
        try
        {
            var partner = await partners.GetAsync(run.PartnerId, cancellationToken);
            if (partner.PgpPublicKey is null || partner.Target is null)
            {
                throw new RunStepException("The partner has no PGP key or delivery target configured.", transient: false);
            }

            if (RunHandovers.Pending(run) is { } handover)
            {
                // Handed over, and its events did not come in time: the delivery asks how far it got.
                if (await deliveries.TryResumeAsync(partner.Target, handover, cancellationToken))
                {
                    return;
                }

                await handovers.AbandonAsync(run, cancellationToken);
            }

            if (run.StoredAt is null || run.ObjectKey is null)
            {
                await files.MakeAsync(run, sources.For(run).Plan(run, partner), cancellationToken);
            }

            await DeliverAsync(run, partner, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await completion.FailedAsync(run.Id, exception);
        }
    }

    private async Task DeliverAsync(ReportRun run, PartnerProfile partner, CancellationToken cancellationToken)
    {
        var target = partner.Target!;
        run.Attempts++;
        await store.TransitionAsync(run, RunStatus.Sending, $"attempt {run.Attempts} to {target.Kind} {target.RemoteDirectory}", cancellationToken);
        DeliveryFile[] deliveryFiles = [new(run.ObjectKey!, run.FileName!), new(run.ChecksumObjectKey, run.FileName + ".sha256")];
        var outcome = await deliveries.DeliverAsync(target, deliveryFiles, cancellationToken);
        if (outcome.Handover is { } progress)
        {
            await handovers.StartAsync(run, progress, cancellationToken);
        }
        else
        {
            await completion.DeliveredAsync(run, partner, cancellationToken);
        }
    }
}
