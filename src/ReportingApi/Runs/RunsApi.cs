using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using ReportingApi.Partners;
using ReportingApi.Problems;
using ReportingApi.Reports;
using ReportingApi.Schedules;
using ReportingApi.Security;
using ReportingApi.Storage;

namespace ReportingApi.Runs;

public static class RunsApi
{
    /// <summary>Set on the answer when a request's idempotency key returned an existing run.</summary>
    public const string IdempotentReplayedHeader = "Idempotent-Replayed";

    public const string IdempotencyKeyHeader = "Idempotency-Key";
    private const int MaxIdempotencyKeyLength = 200;

    // The subscription_id column's width.

    public static RouteGroupBuilder MapRunsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapSecuredGroup("/v1/report-runs", "Report runs", Scopes.Deliver)
            .RequirePartner();

        group.MapPost("/", CreateRun)
            .WithName("CreateReportRun")
            .WithSummary("Render, encrypt and deliver a report to your SFTP server")
            .WithDescription("Starts a run and answers at once with 202 and its Location. Send an Idempotency-Key header (any unique string up to 200 characters, not starting with 'schedule:', which subscriptions' runs use): " +
                "repeating the request with the same key returns the same run instead of making a second file; the same key with a different body is refused with 422.")
            .Produces<ReportRunResponse>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapGet("/", ListRuns)
            .WithName("ListReportRuns")
            .WithSummary("Your runs, newest first, a page at a time")
            .WithDescription("Filter by status, report, subscription (the runs of its slots) and creation time (from inclusive, to exclusive; ISO 8601, UTC unless an offset is given). " +
                "Pages are cursor pages: pass the previous page's nextCursor as 'cursor'; runs created meanwhile neither shift nor repeat rows. " +
                "Deprecated: 'page' (numbered pages, with 'page' and 'nextPage' in the answer) is still accepted for clients of the first version; it cannot be combined with 'cursor'.")
            .ProducesValidationProblem();

        group.MapGet("/{id}", GetRun)
            .WithName("GetReportRun")
            .WithSummary("A run with every step it went through")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{id}/file", DownloadRunFile)
            .WithName("DownloadReportRunFile")
            .WithSummary("The encrypted file of a run (OpenPGP)")
            .Produces(StatusCodes.Status200OK, contentType: "application/pgp-encrypted")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapPost("/{id}/redeliver", Redeliver)
            .WithName("RedeliverReportRun")
            .WithSummary("Deliver a finished run again (the stored file; rendered anew if it was never stored)")
            .Produces<ReportRunResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        return group;
    }

    internal static async Task<Results<AcceptedAtRoute<ReportRunResponse>, ValidationProblem, ProblemHttpResult>> CreateRun(
        CreateReportRunRequest? body,
        [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey,
        HttpContext context,
        RunRequests runs,
        IOptions<ReportsOptions> reportsOptions)
    {
        var partner = context.Partner();
        return await StartRunAsync(body, idempotencyKey, partner, new RunRequester(partner.ClientId, context.Connection.RemoteIpAddress?.ToString(), Operator: false), context, runs, reportsOptions.Value, "GetReportRun");
    }

    /// <summary>
    /// Checks a run request and starts the run for <paramref name="partner"/>: 202 at the route <paramref name="routeName"/>,
    /// the run of the same idempotency key again, or the problem. Shared with the operators' start on a partner's behalf.
    /// </summary>
    public static async Task<Results<AcceptedAtRoute<ReportRunResponse>, ValidationProblem, ProblemHttpResult>> StartRunAsync(
        CreateReportRunRequest? body, string? idempotencyKey, Partner partner, RunRequester requester, HttpContext context, RunRequests runs, ReportsOptions reportsOptions, string routeName)
    {
        if (body is null)
        {
            return ProblemResults.InvalidParameters(new Dictionary<string, string[]> { ["body"] = ["Send a JSON body: {\"report\": \"contracts\", \"format\": \"csv\", \"from\": \"2026-01-01\", \"to\": \"2026-01-31\"}."] });
        }

        if (idempotencyKey is { Length: 0 or > MaxIdempotencyKeyLength })
        {
            return ProblemResults.InvalidParameters(new Dictionary<string, string[]> { [IdempotencyKeyHeader] = [$"The {IdempotencyKeyHeader} header must be 1 to {MaxIdempotencyKeyLength} characters."] });
        }

        if (idempotencyKey is not null && idempotencyKey.StartsWith(SlotRunKey.Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return ProblemResults.InvalidParameters(new Dictionary<string, string[]> { [IdempotencyKeyHeader] = [$"Keys starting with '{SlotRunKey.Prefix}' are reserved for the runs of subscriptions. Choose another key."] });
        }

        var (request, errors) = body.Validate(reportsOptions.MaxPeriodDays);
        if (request is null)
        {
            return ProblemResults.InvalidParameters(errors);
        }

        var start = await runs.StartAsync(partner, request, body.Armored ?? false, idempotencyKey, requester, context.RequestAborted);
        if (start.Refusal is { } refusal)
        {
            return refusal.ToProblem();
        }

        var run = start.Run!;
        if (start.KeyReused)
        {
            return TypedResults.Problem(
                type: ProblemTypes.IdempotencyKeyReused,
                title: "Idempotency key already used",
                detail: $"The {IdempotencyKeyHeader} '{idempotencyKey}' was used for a different request (run {run.Id}). Use a new key for a new request.",
                statusCode: StatusCodes.Status422UnprocessableEntity);
        }

        if (!start.Created)
        {
            context.Response.Headers[IdempotentReplayedHeader] = "true";
        }

        return TypedResults.AcceptedAtRoute(ReportRunResponse.Create(run, events: null, forOperator: requester.Operator), routeName, new { id = run.Id });
    }

    internal static async Task<Results<Ok<ReportRunPage>, ValidationProblem>> ListRuns(
        HttpContext context, RunListing listing, IOptions<RunsOptions> options,
        string? status = null, string? report = null, string? subscriptionId = null, string? from = null, string? to = null, string? cursor = null, string? pageSize = null, string? page = null)
    {
        var errors = new Dictionary<string, string[]>();
        var query = RunListQuery.Parse(context.Partner().Id, status, report, subscriptionId, from, to, cursor, pageSize, page, options.Value.MaxPageSize, errors);
        if (errors.Count > 0)
        {
            return ProblemResults.InvalidParameters(errors);
        }

        if (query.Page is { } pageNumber)
        {
            var numbered = await listing.NumberedPageAsync(query.Filter, pageNumber, query.PageSize, context.RequestAborted);
            return TypedResults.Ok(new ReportRunPage(Items(numbered, query.PageSize, forOperator: false), query.PageSize, null, pageNumber, numbered.Count > query.PageSize ? pageNumber + 1 : null));
        }

        var runs = await listing.PageAsync(query.Filter, query.After, query.PageSize, context.RequestAborted);
        return TypedResults.Ok(new ReportRunPage(Items(runs, query.PageSize, forOperator: false), query.PageSize, NextCursor(runs, query.PageSize), null, null));
    }

    /// <summary>The page's runs as the API shows them, without the one read beyond it.</summary>
    public static IReadOnlyList<ReportRunResponse> Items(IReadOnlyList<ReportRun> runs, int pageSize, bool forOperator) =>
        runs.Take(pageSize).Select(run => ReportRunResponse.Create(run, events: null, forOperator)).ToList();

    /// <summary>The cursor of the next page when the listing read one run more than the page holds, else null.</summary>
    public static string? NextCursor(IReadOnlyList<ReportRun> runs, int pageSize) =>
        runs.Count > pageSize ? RunCursor.After(runs[pageSize - 1]).Encode() : null;

    internal static async Task<Results<Ok<ReportRunResponse>, ProblemHttpResult>> GetRun(string id, HttpContext context, RunStore store)
    {
        if (await store.GetForPartnerAsync(context.Partner().Id, id, context.RequestAborted) is not { } run)
        {
            return RunNotFound(id);
        }

        return TypedResults.Ok(ReportRunResponse.Create(run, await store.EventsAsync(run.Id, context.RequestAborted)));
    }

    internal static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> DownloadRunFile(string id, HttpContext context, RunStore store, IObjectStore objects)
    {
        if (await store.GetForPartnerAsync(context.Partner().Id, id, context.RequestAborted) is not { } run)
        {
            return RunNotFound(id);
        }

        if (run.ObjectKey is null || run.StoredAt is null)
        {
            return TypedResults.Problem(
                type: ProblemTypes.RunFileNotReady,
                title: "File not ready",
                detail: $"Run {id} is {run.Status}; its file exists once the run has reached 'stored'.",
                statusCode: StatusCodes.Status409Conflict);
        }

        var stream = await objects.OpenReadAsync(run.ObjectKey, context.RequestAborted);
        return TypedResults.Stream(stream, "application/pgp-encrypted", run.FileName);
    }

    internal static async Task<Results<AcceptedAtRoute<ReportRunResponse>, ProblemHttpResult>> Redeliver(string id, HttpContext context, RunStore store, RunRequests runs)
    {
        if (await store.GetForPartnerAsync(context.Partner().Id, id, context.RequestAborted) is not { } run)
        {
            return RunNotFound(id);
        }

        var requester = new RunRequester(context.Partner().ClientId, context.Connection.RemoteIpAddress?.ToString(), Operator: false);
        return await runs.RedeliverAsync(run, requester, context.RequestAborted)
            ? TypedResults.AcceptedAtRoute(ReportRunResponse.Create(run, events: null), "GetReportRun", new { id = run.Id })
            : RunInProgress(run);
    }

    /// <summary>The problem for a redelivery of a run that is not finished.</summary>
    public static ProblemHttpResult RunInProgress(ReportRun run) => TypedResults.Problem(
        type: ProblemTypes.RunInProgress,
        title: "Run in progress",
        detail: $"Run {run.Id} is {run.Status}. Redeliver a run once it is delivered or failed.",
        statusCode: StatusCodes.Status409Conflict);

    private static ProblemHttpResult RunNotFound(string id) => TypedResults.Problem(
        type: ProblemTypes.RunNotFound,
        title: "Run not found",
        detail: $"You have no run '{id}'.",
        statusCode: StatusCodes.Status404NotFound);
}
