using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using ReportingApi.Audit;
using ReportingApi.Partners;
using ReportingApi.Problems;
using ReportingApi.Reports;
using ReportingApi.Runs;
using ReportingApi.Security;

namespace ReportingApi.RunAdmin;

/// <summary>
/// Runs across partners for operators (scope reports/admin): find failed deliveries, read why, redeliver, and start a run
/// on a partner's behalf (marked as the operator's in <c>requestedBy</c>).
/// </summary>
public static class RunsAdminApi
{
    public static IEndpointRouteBuilder MapRunsAdminApi(this IEndpointRouteBuilder app)
    {
        var runs = AdminGroup(app, "/v1/admin/report-runs");

        runs.MapGet("/", ListRuns).WithName("AdminListReportRuns")
            .WithSummary("Runs of all partners, newest first, a page at a time, with totals per status")
            .WithDescription("Filter by partnerId, status, report, subscriptionId and creation time (from inclusive, to exclusive; ISO 8601, UTC unless an offset is given). " +
                "Pass the previous page's nextCursor as 'cursor' for the next page. 'totals' counts the runs of the partner, report and time range per status, " +
                "whatever the status filter, so one call answers \"how many failed tonight\" and lists them. There is no subscription filter: runs have no subscription yet.")
            .ProducesValidationProblem();
        runs.MapGet("/{id}", GetRun).WithName("AdminGetReportRun").WithSummary("Any partner's run with every step and the failure reason")
            .ProducesProblem(StatusCodes.Status404NotFound);
        runs.MapPost("/{id}/redeliver", Redeliver).WithName("AdminRedeliverReportRun")
            .WithSummary("Deliver a finished run again (the stored file; rendered anew if it was never stored)")
            .Produces<ReportRunResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        AdminGroup(app, "/v1/admin/partners").MapPost("/{id:int}/report-runs", StartRun).WithName("AdminStartReportRun")
            .WithSummary("Start a run on a partner's behalf")
            .WithDescription("The body and Idempotency-Key header are those of POST /v1/report-runs; the partner's agreement (reports, formats) and onboarding apply. " +
                "The run is the partner's (it sees it in its own list) and names the operator's client in requestedBy, with operator: true.")
            .Produces<ReportRunResponse>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return app;
    }

    private static RouteGroupBuilder AdminGroup(IEndpointRouteBuilder app, string prefix) =>
        app.MapSecuredGroup(prefix, "Run administration", Scopes.Admin);

    internal static async Task<Results<Ok<OperatorRunPage>, ValidationProblem>> ListRuns(
        RunListing listing, IOptions<RunsOptions> options, CancellationToken cancellationToken,
        string? partnerId = null, string? status = null, string? report = null, string? subscriptionId = null, string? from = null, string? to = null, string? cursor = null, string? pageSize = null)
    {
        var errors = new Dictionary<string, string[]>();
        int? partner = null;
        if (partnerId is not null)
        {
            if (int.TryParse(partnerId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed) && parsed > 0)
            {
                partner = parsed;
            }
            else
            {
                errors["partnerId"] = ["'partnerId' must be a partner's id, a positive whole number."];
            }
        }

        var query = RunListQuery.Parse(partner, status, report, subscriptionId, from, to, cursor, pageSize, page: null, options.Value.MaxPageSize, errors);
        if (errors.Count > 0)
        {
            return ProblemResults.InvalidParameters(errors);
        }

        var runs = await listing.PageAsync(query.Filter, query.After, query.PageSize, cancellationToken);
        var totals = await listing.TotalsAsync(query.Filter, cancellationToken);
        return TypedResults.Ok(new OperatorRunPage(RunsApi.Items(runs, query.PageSize, forOperator: true), query.PageSize, RunsApi.NextCursor(runs, query.PageSize), totals));
    }

    internal static async Task<Results<Ok<ReportRunResponse>, ProblemHttpResult>> GetRun(string id, RunStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) is { } run
            ? TypedResults.Ok(ReportRunResponse.Create(run, await store.EventsAsync(run.Id, cancellationToken), forOperator: true))
            : RunNotFound(id);

    internal static async Task<Results<AcceptedAtRoute<ReportRunResponse>, ProblemHttpResult>> Redeliver(
        string id, HttpContext context, RunStore store, RunRequests runs, AuditTrail audit)
    {
        if (await store.GetAsync(id, context.RequestAborted) is not { } run)
        {
            return RunNotFound(id);
        }

        var before = ReportRunResponse.Create(run, events: null, forOperator: true);
        if (!await runs.RedeliverAsync(run, Operator(context), context.RequestAborted))
        {
            return RunsApi.RunInProgress(run);
        }

        var after = ReportRunResponse.Create(run, events: null, forOperator: true);
        await audit.RecordAsync(context, AuditActions.RunRedelivered, run.PartnerId, run.Id, before, after, context.RequestAborted);
        return TypedResults.AcceptedAtRoute(after, "AdminGetReportRun", new { id = run.Id });
    }

    internal static async Task<Results<AcceptedAtRoute<ReportRunResponse>, ValidationProblem, ProblemHttpResult>> StartRun(
        int id,
        CreateReportRunRequest? body,
        [FromHeader(Name = RunsApi.IdempotencyKeyHeader)] string? idempotencyKey,
        HttpContext context,
        PartnerStore partners,
        PartnerRegistry registry,
        RunRequests runs,
        AuditTrail audit,
        IOptions<ReportsOptions> reportsOptions)
    {
        if (await partners.FindAsync(id, context.RequestAborted) is not { } account || await registry.FindByClientIdAsync(account.ClientId, context.RequestAborted) is not { } partner)
        {
            return TypedResults.Problem(
                type: ProblemTypes.PartnerNotFound, title: "Partner not found", detail: $"There is no partner {id}.", statusCode: StatusCodes.Status404NotFound);
        }

        if (!partner.Active)
        {
            return TypedResults.Problem(
                type: ProblemTypes.PartnerInactive, title: "Partner inactive", detail: $"Partner {id} is inactive: reactivate it before starting runs for it.", statusCode: StatusCodes.Status409Conflict);
        }

        var started = await RunsApi.StartRunAsync(body, idempotencyKey, partner, Operator(context), context, runs, reportsOptions.Value, "AdminGetReportRun");
        if (started.Result is AcceptedAtRoute<ReportRunResponse> { Value: { } run } && !context.Response.Headers.ContainsKey(RunsApi.IdempotentReplayedHeader))
        {
            await audit.RecordAsync(context, AuditActions.RunStarted, partner.Id, run.Id, null, run, context.RequestAborted);
        }

        return started;
    }

    private static RunRequester Operator(HttpContext context) =>
        new(context.User.ClientId() ?? "unknown operator", context.Connection.RemoteIpAddress?.ToString(), Operator: true);

    private static ProblemHttpResult RunNotFound(string id) => TypedResults.Problem(
        type: ProblemTypes.RunNotFound, title: "Run not found", detail: $"There is no run '{id}'.", statusCode: StatusCodes.Status404NotFound);
}
