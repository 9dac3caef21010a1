using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using ReportingApi.Partners;
using ReportingApi.Problems;
using ReportingApi.Reports;
using ReportingApi.Security;
using ReportingApi.Storage;

namespace ReportingApi.Runs;

public static class RunsApi
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    private const int MaxIdempotencyKeyLength = 200;

    public static RouteGroupBuilder MapRunsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/report-runs")
            .WithTags("Report runs")
            .RequireAuthorization(Scopes.Deliver)
            .RequirePartner()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPost("/", CreateRun)
            .WithName("CreateReportRun")
            .WithSummary("Render, encrypt and deliver a report to your SFTP server")
            .WithDescription("Starts a run and answers at once with 202 and its Location. Send an Idempotency-Key header (any unique string up to 200 characters): " +
                "repeating the request with the same key returns the same run instead of making a second file; the same key with a different body is refused with 422.")
            .Produces<ReportRunResponse>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapGet("/", ListRuns)
            .WithName("ListReportRuns")
            .WithSummary("Your runs, newest first, paged")
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
        RunStore store,
        IRunDispatcher queue,
        PartnerStore partners,
        IOptions<ReportsOptions> reportsOptions)
    {
        if (body is null)
        {
            return ProblemResults.InvalidParameters(new Dictionary<string, string[]> { ["body"] = ["Send a JSON body: {\"report\": \"contracts\", \"format\": \"csv\", \"from\": \"2026-01-01\", \"to\": \"2026-01-31\"}."] });
        }

        if (idempotencyKey is { Length: 0 or > MaxIdempotencyKeyLength })
        {
            return ProblemResults.InvalidParameters(new Dictionary<string, string[]> { [IdempotencyKeyHeader] = [$"The {IdempotencyKeyHeader} header must be 1 to {MaxIdempotencyKeyLength} characters."] });
        }

        var (request, errors) = body.Validate(reportsOptions.Value.MaxPeriodDays);
        if (request is null)
        {
            return ProblemResults.InvalidParameters(errors);
        }

        var partner = context.Partner();
        if ((partner.Disallows(request.Report.Id, ReportFormats.Name(request.Format)) ?? (await partners.GetAsync(partner.Id, context.RequestAborted)).Refusal()) is { } refusal)
        {
            return refusal.ToProblem();
        }

        var armored = body.Armored ?? false;
        var (run, created) = await store.CreateAsync(new ReportRun
        {
            Id = ReportRun.NewId(),
            PartnerId = partner.Id,
            ClientId = partner.ClientId,
            SourceIp = context.Connection.RemoteIpAddress?.ToString(),
            IdempotencyKey = idempotencyKey,
            RequestHash = CreateReportRunRequest.Hash(request, armored),
            Report = request.Report.Id,
            Format = ReportFormats.Name(request.Format),
            PeriodFrom = request.From.ToDateTime(TimeOnly.MinValue),
            PeriodTo = request.To.ToDateTime(TimeOnly.MinValue),
            Filters = CreateReportRunRequest.FiltersJson(request),
            Armored = armored,
            Status = RunStatuses.Name(RunStatus.Queued),
        }, context.RequestAborted);

        if (!created && run.RequestHash != CreateReportRunRequest.Hash(request, armored))
        {
            return TypedResults.Problem(
                type: ProblemTypes.IdempotencyKeyReused,
                title: "Idempotency key already used",
                detail: $"The {IdempotencyKeyHeader} '{idempotencyKey}' was used for a different request (run {run.Id}). Use a new key for a new request.",
                statusCode: StatusCodes.Status422UnprocessableEntity);
        }

        if (created)
        {
            await DispatchAsync(queue, run.Id, context);
        }
        else
        {
            context.Response.Headers["Idempotent-Replayed"] = "true";
        }

        return TypedResults.AcceptedAtRoute(ReportRunResponse.Create(run, events: null), "GetReportRun", new { id = run.Id });
    }

    internal static async Task<Results<Ok<ReportRunPage>, ValidationProblem>> ListRuns(
        HttpContext context, RunStore store, IOptions<RunsOptions> options, string? status = null, string? page = null, string? pageSize = null)
    {
        var errors = new Dictionary<string, string[]>();
        RunStatus? statusFilter = null;
        if (status is not null)
        {
            if (RunStatuses.TryParse(status, out var parsed))
            {
                statusFilter = parsed;
            }
            else
            {
                errors["status"] = [$"'{status}' is not a run status. Use one of: {string.Join(", ", Enum.GetValues<RunStatus>().Select(RunStatuses.Name))}."];
            }
        }

        var pageNumber = ParsePositive(page, 1, int.MaxValue / 1000, "page", errors);
        var size = ParsePositive(pageSize, 20, options.Value.MaxPageSize, "pageSize", errors);
        if (errors.Count > 0)
        {
            return ProblemResults.InvalidParameters(errors);
        }

        var runs = await store.ListAsync(context.Partner().Id, statusFilter, pageNumber, size, context.RequestAborted);
        return TypedResults.Ok(new ReportRunPage(
            runs.Take(size).Select(run => ReportRunResponse.Create(run, events: null)).ToList(),
            pageNumber,
            size,
            runs.Count > size ? pageNumber + 1 : null));
    }

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

    internal static async Task<Results<AcceptedAtRoute<ReportRunResponse>, ProblemHttpResult>> Redeliver(string id, HttpContext context, RunStore store, IRunDispatcher queue)
    {
        if (await store.GetForPartnerAsync(context.Partner().Id, id, context.RequestAborted) is not { } run)
        {
            return RunNotFound(id);
        }

        if (!RunStatuses.IsFinished(run.State))
        {
            return TypedResults.Problem(
                type: ProblemTypes.RunInProgress,
                title: "Run in progress",
                detail: $"Run {id} is {run.Status}. Redeliver a run once it is delivered or failed.",
                statusCode: StatusCodes.Status409Conflict);
        }

        await store.RedeliverAsync(run, $"redelivery requested by {context.Partner().ClientId} from {context.Connection.RemoteIpAddress}", context.RequestAborted);
        await DispatchAsync(queue, run.Id, context);
        return TypedResults.AcceptedAtRoute(ReportRunResponse.Create(run, events: null), "GetReportRun", new { id = run.Id });
    }

    /// <summary>
    /// Hands the saved run on. A failure here (on Lambda: the self-invoke) is not the caller's: the run is saved and
    /// the worker's sweep or the scheduled tick takes it up, so the request still succeeds.
    /// </summary>
    private static async Task DispatchAsync(IRunDispatcher dispatcher, string runId, HttpContext context)
    {
        try
        {
            await dispatcher.EnqueueAsync(runId, context.RequestAborted);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RunsApi))
                .LogWarning(exception, "Run {RunId} is saved but could not be dispatched; the sweep will take it up", runId);
        }
    }

    private static ProblemHttpResult RunNotFound(string id) => TypedResults.Problem(
        type: ProblemTypes.RunNotFound,
        title: "Run not found",
        detail: $"You have no run '{id}'.",
        statusCode: StatusCodes.Status404NotFound);

    private static int ParsePositive(string? text, int fallback, int max, string name, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return fallback;
        }

        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= 1 && value <= max)
        {
            return value;
        }

        errors[name] = [$"'{name}' must be a whole number from 1 to {max}."];
        return fallback;
    }
}
