using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ReportingApi.Partners;
using ReportingApi.Problems;
using ReportingApi.Reports;
using ReportingApi.Schedules;
using ReportingApi.Security;

namespace ReportingApi.Subscriptions;

/// <summary>A partner's subscriptions (scope reports/deliver): reports delivered on a schedule, one run per slot.</summary>
public static class SubscriptionsApi
{
    public const string Description =
        """
        A subscription runs a report on a schedule and delivers it like a report run (encrypted, signed, with its .sha256),
        one run per slot: the run's idempotency key is schedule:{subscriptionId}:{slot in UTC}, so a repeated tick, a second
        instance, a retry or a restart never makes a second file. The schedule is a 5-field cron expression (minute hour
        day-of-month month day-of-week) on the wall clock of an IANA time zone, at most once an hour by default. Daylight
        saving time is handled as Cronos (like Vixie cron) does: when clocks go forward, a slot in the skipped hour runs once
        at the first valid time after the gap ('30 2 * * *' in Europe/Berlin runs at 03:00 on the last Sunday of March, never
        twice and never not at all); when clocks go back, a fixed time such as '30 2 * * *' runs once (the first 02:30),
        while '0 * * * *' keeps its rhythm and runs in both repeated hours. Each run reports on a period relative to its
        slot's date in the zone: previous-day, previous-week (ISO, Monday to Sunday), previous-month, month-to-date,
        previous-quarter or last-N-days. Slots missed in an outage run when the scheduler is back if they are at most the
        catch-up window (24 h by default) old; older ones are recorded as skipped. Resuming a paused subscription starts at
        the next slot.
        """;

    public static RouteGroupBuilder MapSubscriptionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapSecuredGroup("/v1/subscriptions", "Subscriptions", Scopes.Deliver)
            .RequirePartner();

        group.MapPost("/", CreateSubscription).WithName("CreateSubscription").WithSummary("Subscribe to a report on a schedule").WithDescription(Description)
            .Produces<SubscriptionResponse>(StatusCodes.Status201Created).ProducesValidationProblem();
        group.MapGet("/", ListSubscriptions).WithName("ListSubscriptions").WithSummary("Your subscriptions, oldest first");
        group.MapGet("/{id}", GetSubscription).WithName("GetSubscription").WithSummary("A subscription with its next slots, last run and skipped slots")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{id}", ReplaceSubscription).WithName("ReplaceSubscription").WithSummary("Change a subscription; its schedule starts again at the next slot")
            .WithDescription(Description).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id}", DeleteSubscription).WithName("DeleteSubscription").WithSummary("End a subscription; its runs stay")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/pause", PauseSubscription).WithName("PauseSubscription").WithSummary("Pause: no slot runs until it is resumed")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/resume", ResumeSubscription).WithName("ResumeSubscription").WithSummary("Resume: runs start again at the next slot (slots while paused are not made up)")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    internal static async Task<Results<Created<SubscriptionResponse>, ValidationProblem>> CreateSubscription(
        SubscriptionRequest? body, HttpContext context, SubscriptionStore store, SubscriptionViews views, SchedulePlanner planner,
        IOptions<ReportsOptions> reportsOptions, IOptions<SchedulesOptions> schedulesOptions)
    {
        var partner = context.Partner();
        var (definition, errors) = Validate(body, partner, planner, reportsOptions.Value);
        var maximum = schedulesOptions.Value.MaxSubscriptionsPerPartner;
        if (definition is not null && await store.CountForPartnerAsync(partner.Id, context.RequestAborted) >= maximum)
        {
            errors["subscriptions"] = [$"You have {maximum} subscriptions, the most allowed. Delete one first."];
        }

        if (definition is null || errors.Count > 0)
        {
            return ProblemResults.InvalidParameters(errors);
        }

        var subscription = new Subscription { Id = Subscription.NewId(), PartnerId = partner.Id, Status = SubscriptionStatuses.Active };
        definition.ApplyTo(subscription);
        subscription.StartAt(planner.Now);
        subscription.CreatedAt = subscription.UpdatedAt;
        await store.InsertAsync(subscription, context.RequestAborted);
        return TypedResults.Created($"/v1/subscriptions/{subscription.Id}", await views.ShowAsync(subscription, context.RequestAborted));
    }

    internal static async Task<Ok<IReadOnlyList<SubscriptionResponse>>> ListSubscriptions(HttpContext context, SubscriptionStore store, SubscriptionViews views) =>
        TypedResults.Ok(await views.ShowAsync(await store.ListAsync(context.Partner().Id, context.RequestAborted), context.RequestAborted));

    internal static async Task<Results<Ok<SubscriptionResponse>, ProblemHttpResult>> GetSubscription(string id, HttpContext context, SubscriptionStore store, SubscriptionViews views) =>
        await store.GetForPartnerAsync(context.Partner().Id, id, context.RequestAborted) is { } subscription
            ? TypedResults.Ok(await views.ShowAsync(subscription, context.RequestAborted))
            : NotFound(id);

    internal static async Task<Results<Ok<SubscriptionResponse>, ValidationProblem, ProblemHttpResult>> ReplaceSubscription(
        string id, SubscriptionRequest? body, HttpContext context, SubscriptionStore store, SubscriptionViews views, SchedulePlanner planner, IOptions<ReportsOptions> reportsOptions)
    {
        var partner = context.Partner();
        if (await store.GetForPartnerAsync(partner.Id, id, context.RequestAborted) is not { } subscription)
        {
            return NotFound(id);
        }

        var (definition, errors) = Validate(body, partner, planner, reportsOptions.Value);
        if (definition is null)
        {
            return ProblemResults.InvalidParameters(errors);
        }

        definition.ApplyTo(subscription);
        subscription.StartAt(planner.Now);
        await store.UpdateAsync(subscription, context.RequestAborted);
        return TypedResults.Ok(await views.ShowAsync(subscription, context.RequestAborted));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteSubscription(string id, HttpContext context, SubscriptionStore store) =>
        await store.DeleteAsync(context.Partner().Id, id, context.RequestAborted) ? TypedResults.NoContent() : NotFound(id);

    internal static async Task<Results<Ok<SubscriptionResponse>, ProblemHttpResult>> PauseSubscription(
        string id, HttpContext context, SubscriptionStore store, SubscriptionViews views, SchedulePlanner planner)
    {
        if (await store.GetForPartnerAsync(context.Partner().Id, id, context.RequestAborted) is not { } subscription)
        {
            return NotFound(id);
        }

        // Pausing what an operator paused changes nothing: the operator's pause stays, and only an operator lifts it.
        if (subscription.IsActive)
        {
            await SubscriptionStatusChange.PauseAsync(store, subscription, SubscriptionPausers.Partner, planner.Now, context.RequestAborted);
        }

        return TypedResults.Ok(await views.ShowAsync(subscription, context.RequestAborted));
    }

    internal static async Task<Results<Ok<SubscriptionResponse>, ProblemHttpResult>> ResumeSubscription(
        string id, HttpContext context, SubscriptionStore store, SubscriptionViews views, SchedulePlanner planner)
    {
        if (await store.GetForPartnerAsync(context.Partner().Id, id, context.RequestAborted) is not { } subscription)
        {
            return NotFound(id);
        }

        if (subscription.PausedBy == SubscriptionPausers.Operator)
        {
            return TypedResults.Problem(
                type: ProblemTypes.SubscriptionPausedByOperator,
                title: "Paused by an operator",
                detail: $"Subscription {id} was paused by our operators; contact us to resume it.",
                statusCode: StatusCodes.Status409Conflict);
        }

        await SubscriptionStatusChange.ResumeAsync(store, subscription, planner.Now, context.RequestAborted);
        return TypedResults.Ok(await views.ShowAsync(subscription, context.RequestAborted));
    }

    internal static ProblemHttpResult NotFound(string id) => TypedResults.Problem(
        type: ProblemTypes.SubscriptionNotFound,
        title: "Subscription not found",
        detail: $"There is no subscription '{id}'.",
        statusCode: StatusCodes.Status404NotFound);

    private static (SubscriptionDefinition? Definition, Dictionary<string, string[]> Errors) Validate(
        SubscriptionRequest? body, Partner partner, SchedulePlanner planner, ReportsOptions reportsOptions) =>
        body is null
            ? (null, new Dictionary<string, string[]> { ["body"] = ["Send a JSON body: {\"report\": \"installments\", \"format\": \"csv\", \"cron\": \"0 6 2 * *\", \"timeZone\": \"Europe/Berlin\", \"period\": \"previous-month\"}."] })
            : body.Validate(partner, planner, reportsOptions.MaxPeriodDays);
}
