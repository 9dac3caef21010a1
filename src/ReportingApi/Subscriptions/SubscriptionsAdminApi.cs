using Microsoft.AspNetCore.Http.HttpResults;
using ReportingApi.Audit;
using ReportingApi.Problems;
using ReportingApi.Schedules;
using ReportingApi.Security;

namespace ReportingApi.Subscriptions;

/// <summary>Operators' view of every partner's subscriptions (scope reports/admin): list, pause, resume.</summary>
public static class SubscriptionsAdminApi
{
    public static RouteGroupBuilder MapSubscriptionsAdminApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapSecuredGroup("/v1/admin/subscriptions", "Subscription administration", Scopes.Admin);

        group.MapGet("/", ListAllSubscriptions).WithName("ListAllSubscriptions").WithSummary("Every partner's subscriptions, or one partner's (?partnerId=1)");
        group.MapPost("/{id}/pause", PauseAnySubscription).WithName("PauseAnySubscription")
            .WithSummary("Pause a partner's subscription; the partner cannot resume it").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/resume", ResumeAnySubscription).WithName("ResumeAnySubscription")
            .WithSummary("Resume a subscription, whoever paused it; runs start again at the next slot").ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    internal static async Task<Ok<IReadOnlyList<SubscriptionResponse>>> ListAllSubscriptions(
        SubscriptionStore store, SubscriptionViews views, CancellationToken cancellationToken, int? partnerId = null) =>
        TypedResults.Ok(await views.ShowAsync(await store.ListAsync(partnerId, cancellationToken), cancellationToken));

    internal static async Task<Results<Ok<SubscriptionResponse>, ProblemHttpResult>> PauseAnySubscription(
        string id, HttpContext context, SubscriptionStore store, SubscriptionViews views, SchedulePlanner planner, AuditTrail audit, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(id, cancellationToken) is not { } subscription)
        {
            return SubscriptionsApi.NotFound(id);
        }

        var before = await views.ShowAsync(subscription, cancellationToken);
        if (subscription.PausedBy == SubscriptionPausers.Operator)
        {
            return TypedResults.Ok(before);
        }

        await SubscriptionStatusChange.PauseAsync(store, subscription, SubscriptionPausers.Operator, planner.Now, cancellationToken);
        var after = await views.ShowAsync(subscription, cancellationToken);
        await audit.RecordAsync(context, AuditActions.SubscriptionPaused, subscription.PartnerId, subscription.Id, before, after, cancellationToken);
        return TypedResults.Ok(after);
    }

    internal static async Task<Results<Ok<SubscriptionResponse>, ProblemHttpResult>> ResumeAnySubscription(
        string id, HttpContext context, SubscriptionStore store, SubscriptionViews views, SchedulePlanner planner, AuditTrail audit, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(id, cancellationToken) is not { } subscription)
        {
            return SubscriptionsApi.NotFound(id);
        }

        var before = await views.ShowAsync(subscription, cancellationToken);
        await SubscriptionStatusChange.ResumeAsync(store, subscription, planner.Now, cancellationToken);
        var after = await views.ShowAsync(subscription, cancellationToken);
        await audit.RecordAsync(context, AuditActions.SubscriptionResumed, subscription.PartnerId, subscription.Id, before, after, cancellationToken);
        return TypedResults.Ok(after);
    }
}
