using ReportingApi.Partners;
using ReportingApi.Reports;

namespace ReportingApi.Runs;

/// <summary>Who asks for a run or a redelivery: a partner's client, or an operator's acting for a partner.</summary>
public sealed record RunRequester(string ClientId, string? SourceIp, bool Operator);

/// <summary>What became of a request to start a run.</summary>
/// <param name="Refusal">The partner may not have this run (agreement, onboarding), or null.</param>
/// <param name="KeyReused">The idempotency key names another request's run (<paramref name="Run"/>).</param>
/// <param name="Created">A new run was made; false: the run of the same key and request is returned.</param>
public sealed record RunStart(ReportRun? Run, bool Created, bool KeyReused, PartnerRefusal? Refusal);

/// <summary>
/// Starts runs and redeliveries for a partner, on the partner's own request or an operator's, and hands them to the
/// dispatcher. The endpoints of both turn the outcome into HTTP.
/// </summary>
public sealed class RunRequests(RunStore store, PartnerStore partners, IRunDispatcher dispatcher, ILogger<RunRequests> logger)
{
    public async Task<RunStart> StartAsync(Partner partner, ReportRequest request, bool armored, string? idempotencyKey, RunRequester requester, CancellationToken cancellationToken)
    {
        if ((partner.Disallows(request.Report.Id, ReportFormats.Name(request.Format)) ?? (await partners.GetAsync(partner.Id, cancellationToken)).Refusal()) is { } refusal)
        {
            return new RunStart(null, false, false, refusal);
        }

        var hash = CreateReportRunRequest.Hash(request, armored);
        var (run, created) = await store.CreateAsync(new ReportRun
        {
            Id = ReportRun.NewId(),
            PartnerId = partner.Id,
            ClientId = requester.ClientId,
            SourceIp = requester.SourceIp,
            RequestedByOperator = requester.Operator,
            IdempotencyKey = idempotencyKey,
            RequestHash = hash,
            Report = request.Report.Id,
            Format = ReportFormats.Name(request.Format),
            PeriodFrom = request.From.ToDateTime(TimeOnly.MinValue),
            PeriodTo = request.To.ToDateTime(TimeOnly.MinValue),
            Filters = CreateReportRunRequest.FiltersJson(request),
            Armored = armored,
            Status = RunStatuses.Name(RunStatus.Queued),
        }, cancellationToken);

        if (!created)
        {
            return new RunStart(run, false, run.RequestHash != hash, null);
        }

        await DispatchAsync(run.Id, cancellationToken);
        return new RunStart(run, true, false, null);
    }

    /// <summary>Starts a finished run's delivery over; false (nothing changed) while the run is not finished.</summary>
    public async Task<bool> RedeliverAsync(ReportRun run, RunRequester requester, CancellationToken cancellationToken)
    {
        if (!RunStatuses.IsFinished(run.State))
        {
            return false;
        }

        await store.RedeliverAsync(run, $"redelivery requested by {(requester.Operator ? "operator " : "")}{requester.ClientId} from {requester.SourceIp}", cancellationToken);
        await DispatchAsync(run.Id, cancellationToken);
        return true;
    }

    /// <summary>
    /// Hands the saved run on. A failure here (on Lambda: the self-invoke) is not the caller's: the run is saved and
    /// the worker's sweep or the scheduled tick takes it up, so the request still succeeds.
    /// </summary>
    private async Task DispatchAsync(string runId, CancellationToken cancellationToken)
    {
        try
        {
            await dispatcher.EnqueueAsync(runId, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning(exception, "Run {RunId} is saved but could not be dispatched; the sweep will take it up", runId);
        }
    }
}
