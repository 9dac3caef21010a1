using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using ReportingApi.Audit;
using ReportingApi.Partners;
using ReportingApi.Problems;
using ReportingApi.Security;

namespace ReportingApi.Webhooks;

/// <summary>Operators set a partner's webhook endpoint (scope reports/admin): URL, event types, signing secret and its rotation, and read its delivery log.</summary>
public static class WebhooksAdminApi
{
    public const int MaxOverlapHours = 168;

    private const string Description =
        "Events are JSON {id, type, time, data} POSTed to the URL, signed: `Webhook-Signature: t=<unix seconds>, v1=<hex HMAC-SHA256 of \"{t}.{body}\">` " +
        "under the secret (during a rotation's overlap one v1 per valid secret), with `Webhook-Id` (the event id, the same on every retry: deduplicate by it). " +
        "Any 2xx is delivered; 410 stops sending until the endpoint is set again; anything else is retried with exponential backoff for at least 24 hours. " +
        "Outside Development the URL must be https and resolve to public addresses only.";

    public static RouteGroupBuilder MapWebhooksAdminApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapSecuredGroup("/v1/admin/partners/{id:int}/webhook", "Partner administration", Scopes.Admin)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPut("/", SetWebhook).WithName("SetPartnerWebhook")
            .WithSummary("Set the partner's webhook endpoint; the signing secret is made and shown once, when the endpoint is created")
            .WithDescription(Description)
            .Produces<WebhookWithSecretResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem();
        group.MapGet("/", GetWebhook).WithName("GetPartnerWebhook").WithSummary("The partner's webhook endpoint (secrets by fingerprint only)");
        group.MapDelete("/", DeleteWebhook).WithName("DeletePartnerWebhook").WithSummary("Remove the endpoint; events not yet delivered are dropped");
        group.MapPost("/rotate-secret", RotateSecret).WithName("RotatePartnerWebhookSecret")
            .WithSummary("Make a new signing secret, shown once; the previous one keeps signing beside it for overlapHours (24 by default, 0 to 168)")
            .ProducesValidationProblem();
        group.MapGet("/deliveries", ListDeliveries).WithName("ListPartnerWebhookDeliveries")
            .WithSummary("The delivery log: each event, newest first, with every attempt (status, reason, the receiver's answer); cursor-paged")
            .ProducesValidationProblem();
        return group;
    }

    internal static async Task<Results<Created<WebhookWithSecretResponse>, Ok<WebhookResponse>, ValidationProblem, ProblemHttpResult>> SetWebhook(
        int id, WebhookSettingsRequest request, HttpContext context, WebhookSettings settings, AuditTrail audit, CancellationToken cancellationToken)
    {
        var result = await settings.SetAsync(id, request, cancellationToken);
        if (result.Problem is { } problem)
        {
            return ToProblem(id, problem);
        }

        if (result.Errors is { } errors)
        {
            return ProblemResults.InvalidParameters(errors);
        }

        await audit.RecordAsync(context, AuditActions.WebhookSet, id, null, WebhookAuditState.From(result.Before), WebhookAuditState.From(result.After), cancellationToken);
        return result.NewSecret is { } secret
            ? TypedResults.Created($"/v1/admin/partners/{id}/webhook", new WebhookWithSecretResponse(result.After!, secret))
            : TypedResults.Ok(result.After!);
    }

    internal static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> GetWebhook(int id, WebhookSettings settings, CancellationToken cancellationToken) =>
        await settings.FindAsync(id, cancellationToken) is { } webhook ? TypedResults.Ok(webhook) : await NotFoundAsync(id, settings, cancellationToken);

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteWebhook(
        int id, HttpContext context, WebhookSettings settings, AuditTrail audit, CancellationToken cancellationToken)
    {
        if (await settings.FindAsync(id, cancellationToken) is not { } before || !await settings.DeleteAsync(id, cancellationToken))
        {
            return await NotFoundAsync(id, settings, cancellationToken);
        }

        await audit.RecordAsync(context, AuditActions.WebhookRemoved, id, null, WebhookAuditState.From(before), null, cancellationToken);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<WebhookWithSecretResponse>, ValidationProblem, ProblemHttpResult>> RotateSecret(
        int id, HttpContext context, WebhookSettings settings, AuditTrail audit, CancellationToken cancellationToken, string? overlapHours = null)
    {
        TimeSpan? overlap = null;
        if (overlapHours is not null)
        {
            if (!int.TryParse(overlapHours, NumberStyles.None, CultureInfo.InvariantCulture, out var hours) || hours > MaxOverlapHours)
            {
                return ProblemResults.InvalidParameters(new Dictionary<string, string[]> { ["overlapHours"] = [$"'overlapHours' must be 0 to {MaxOverlapHours}."] });
            }

            overlap = TimeSpan.FromHours(hours);
        }

        var result = await settings.RotateAsync(id, overlap, cancellationToken);
        if (result.Problem is { } problem)
        {
            return ToProblem(id, problem);
        }

        await audit.RecordAsync(context, AuditActions.WebhookSecretRotated, id, null, WebhookAuditState.From(result.Before), WebhookAuditState.From(result.After), cancellationToken);
        return TypedResults.Ok(new WebhookWithSecretResponse(result.After!, result.NewSecret!));
    }

    internal static async Task<Results<Ok<WebhookDeliveryPage>, ValidationProblem, ProblemHttpResult>> ListDeliveries(
        int id, WebhookSettings settings, WebhookEventStore events, CancellationToken cancellationToken, string? cursor = null, string? limit = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (cursor is not null && (!cursor.StartsWith(WebhookEvents.IdPrefix, StringComparison.Ordinal) || cursor.Length > 40))
        {
            errors["cursor"] = ["'cursor' is the nextCursor of a previous page."];
        }

        var take = PageLimit.Parse(limit, errors);
        if (errors.Count > 0)
        {
            return ProblemResults.InvalidParameters(errors);
        }

        if (!await settings.PartnerExistsAsync(id, cancellationToken))
        {
            return PartnerProblems.NotFound(id);
        }

        var logged = await events.LogAsync(id, cursor, take + 1, cancellationToken);
        return TypedResults.Ok(new WebhookDeliveryPage([.. logged.Take(take)], logged.Count > take ? logged[take - 1].Id : null));
    }

    private static async Task<ProblemHttpResult> NotFoundAsync(int id, WebhookSettings settings, CancellationToken cancellationToken) =>
        await settings.PartnerExistsAsync(id, cancellationToken) ? ToProblem(id, WebhookSettingsProblem.NoWebhook) : PartnerProblems.NotFound(id);

    private static ProblemHttpResult ToProblem(int id, WebhookSettingsProblem problem) => problem switch
    {
        WebhookSettingsProblem.NoPartner => PartnerProblems.NotFound(id),
        WebhookSettingsProblem.NoWebhook => TypedResults.Problem(
            type: ProblemTypes.WebhookNotFound, title: "Webhook not found", detail: $"Partner {id} has no webhook endpoint; set one with PUT.", statusCode: StatusCodes.Status404NotFound),
        _ => TypedResults.Problem(
            type: ProblemTypes.ServiceUnavailable, title: "Service unavailable",
            detail: "Webhook secrets cannot be protected right now (the encryption key is not set up or cannot be read). Nothing was changed.",
            statusCode: StatusCodes.Status503ServiceUnavailable),
    };
}
