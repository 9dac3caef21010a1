using Microsoft.Extensions.Options;
using ReportingApi.Data;
using ReportingApi.Partners;
using ReportingApi.Reports;
using ReportingApi.Runs;
using ReportingApi.Schedules;

namespace ReportingApi.Subscriptions;

/// <summary>
/// Turns due subscription slots into runs, exactly once per slot. Each pass reads the due subscriptions (one indexed
/// query), plans each one's slots since its cursor (<see cref="CatchUpPlan"/>: missed slots within the catch-up window
/// run, older ones are recorded as skipped), creates each slot's run through the run store with the slot's key
/// (<see cref="SlotRunKey"/>, unique per partner, and unique per subscription and slot), then moves the cursor only if
/// it is still where the pass found it. Two schedulers on the same minute, a retry or a crash between the two steps
/// therefore create each slot's run once: the second creation returns the first run. A partner that is deactivated,
/// no longer allowed the report or format, or not onboarded gets no run: the slots are recorded as skipped and the
/// subscription shows why, until the cause is gone.
/// </summary>
public sealed class SubscriptionScheduler(
    SubscriptionStore subscriptions,
    RunStore runs,
    PartnerStore partners,
    PartnerRegistry registry,
    SchedulePlanner planner,
    IOptions<ReportsOptions> reportsOptions,
    ILogger<SubscriptionScheduler> logger) : IDueRunCreator
{
    /// <summary>Subscriptions one pass takes at most; the rest are due still and come in the next pass.</summary>
    public const int BatchSize = 100;

    public async Task<int> CreateDueRunsAsync(CancellationToken cancellationToken)
    {
        var now = planner.Now;
        var created = 0;
        foreach (var subscription in await subscriptions.DueAsync(now.UtcDateTime, BatchSize, cancellationToken))
        {
            try
            {
                created += await ProcessAsync(subscription, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException && !DatabaseFailures.IsUnavailable(exception))
            {
                // One subscription's fault must not hold up the others; its cursor has not moved, so the next pass tries it again.
                // An unavailable database ends the pass instead: every other subscription would fail alike.
                logger.LogError(exception, "Subscription {SubscriptionId}: its due slots could not be processed; the next pass tries again", subscription.Id);
            }
        }

        return created;
    }

    private async Task<int> ProcessAsync(Subscription subscription, CancellationToken cancellationToken)
    {
        var schedule = Schedule.Parse(subscription.Cron, subscription.TimeZone, TimeSpan.Zero).Schedule;
        var rule = PeriodRule.Parse(subscription.PeriodRule).Rule;
        if (schedule is null || rule is null)
        {
            // Only a stored row edited by hand (or a zone gone from the tz database) gets here: keep it out of every pass.
            await subscriptions.AdvanceAsync(subscription.Id, subscription.ProcessedThrough, subscription.ProcessedThrough, null, null,
                $"The stored schedule '{subscription.Cron}' ({subscription.TimeZone}) or period rule '{subscription.PeriodRule}' is no longer valid; change the subscription.",
                planner.Now.UtcDateTime, cancellationToken);
            return 0;
        }

        var plan = planner.PlanCatchUp(schedule, Subscription.Utc(subscription.ProcessedThrough));
        var (clientId, blockedReason) = await CheckPartnerAsync(subscription, cancellationToken);
        var created = 0;
        foreach (var slot in blockedReason is null ? plan.Run : [])
        {
            var period = rule.PeriodFor(slot);
            var (request, errors) = SubscriptionRequest.ForPeriod(subscription.Report, subscription.Format, SubscriptionDefinition.ReadFilters(subscription), subscription.Armored, period)
                .Validate(reportsOptions.Value.MaxPeriodDays);
            if (request is null)
            {
                blockedReason = $"The run for {period.From:yyyy-MM-dd}..{period.To:yyyy-MM-dd} is not valid: {string.Join(" ", errors.SelectMany(pair => pair.Value))}";
                break;
            }

            var run = ReportRun.ForReport(request, subscription.Armored, subscription.PartnerId, clientId, SlotRunKey.For(subscription.Id, slot.Utc));
            run.SubscriptionId = subscription.Id;
            run.SlotAt = slot.Utc.UtcDateTime;
            if ((await runs.CreateAsync(run, cancellationToken)).Created)
            {
                created++;
            }
        }

        var skipped = Skipped(plan, blockedReason is null ? [] : plan.Run);
        var applied = await subscriptions.AdvanceAsync(
            subscription.Id, subscription.ProcessedThrough, plan.ProcessedThrough.UtcDateTime, plan.Next?.Utc.UtcDateTime, skipped, blockedReason, planner.Now.UtcDateTime, cancellationToken);
        if (applied && (created > 0 || skipped is not null))
        {
            logger.LogInformation(
                "Subscription {SubscriptionId}: {Created} runs created, {Skipped} slots skipped{Reason}",
                subscription.Id, created, skipped?.Count ?? 0, blockedReason is null ? "" : " (" + blockedReason + ")");
        }

        return created;
    }

    /// <summary>
    /// The partner's client id (the runs are requested in its name), and why it may not have this subscription's runs
    /// now, or null when it may: the checks of a run request.
    /// </summary>
    private async Task<(string ClientId, string? BlockedReason)> CheckPartnerAsync(Subscription subscription, CancellationToken cancellationToken)
    {
        var account = await partners.FindAsync(subscription.PartnerId, cancellationToken);
        var partner = account is null ? null : await registry.FindByClientIdAsync(account.ClientId, cancellationToken);
        if (partner is null || !partner.Active)
        {
            return (account?.ClientId ?? "", "The partner is deactivated: no runs are made until an operator activates it.");
        }

        var refusal = partner.Disallows(subscription.Report, subscription.Format) ?? (await partners.GetAsync(subscription.PartnerId, cancellationToken)).Refusal();
        return (partner.ClientId, refusal?.Detail);
    }

    /// <summary>The plan's skipped slots and, when blocked, the slots it would have run: together one consecutive range.</summary>
    private static SkippedRange? Skipped(CatchUpPlan plan, IReadOnlyList<Slot> blocked)
    {
        var count = (plan.Skipped?.Count ?? 0) + blocked.Count;
        if (count == 0)
        {
            return null;
        }

        var first = plan.Skipped?.First ?? blocked[0];
        var last = blocked.Count > 0 ? blocked[^1] : plan.Skipped!.Last;
        return new SkippedRange(count, first.Utc.UtcDateTime, last.Utc.UtcDateTime);
    }
}
