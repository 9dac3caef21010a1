using ReportingApi.Schedules;
using static ReportingApi.Tests.Schedules.ScheduleTestData;

namespace ReportingApi.Tests.Schedules;

public sealed class CatchUpPlanTests
{
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);

    private static string[] Utc(IEnumerable<Slot> slots) => [.. slots.Select(slot => Iso(slot.Utc))];

    [Fact]
    public void A_three_hour_outage_of_an_hourly_schedule_catches_up_three_slots()
    {
        var plan = CatchUpPlan.Create(Valid("0 * * * *"), At("2026-05-04T09:00:00Z"), At("2026-05-04T12:30:00Z"), Day, 24);

        Assert.Equal(["2026-05-04T10:00:00+00:00", "2026-05-04T11:00:00+00:00", "2026-05-04T12:00:00+00:00"], Utc(plan.Run));
        Assert.Null(plan.Skipped);
        Assert.Equal(At("2026-05-04T12:00:00Z"), plan.ProcessedThrough);
        Assert.Equal(At("2026-05-04T13:00:00Z"), plan.Next?.Utc);
    }

    [Fact]
    public void A_three_day_outage_runs_the_slots_within_the_window_and_reports_the_older_ones_as_skipped()
    {
        var plan = CatchUpPlan.Create(Valid("0 * * * *"), At("2026-05-01T12:00:00Z"), At("2026-05-04T12:00:30Z"), Day, 100);

        Assert.Equal(24, plan.Run.Count);
        Assert.Equal(At("2026-05-03T13:00:00Z"), plan.Run[0].Utc);
        Assert.Equal(At("2026-05-04T12:00:00Z"), plan.Run[^1].Utc);
        var skipped = Assert.IsType<SkippedSlots>(plan.Skipped);
        Assert.Equal(48, skipped.Count);
        Assert.Equal(At("2026-05-01T13:00:00Z"), skipped.First.Utc);
        Assert.Equal(At("2026-05-03T12:00:00Z"), skipped.Last.Utc);
        Assert.Equal(At("2026-05-04T12:00:00Z"), plan.ProcessedThrough);
    }

    [Fact]
    public void A_slot_exactly_as_old_as_the_window_still_runs()
    {
        var schedule = Valid("0 * * * *");

        var atEdge = CatchUpPlan.Create(schedule, At("2026-05-01T00:00:00Z"), At("2026-05-02T10:00:00Z"), Day, 100);
        var pastEdge = CatchUpPlan.Create(schedule, At("2026-05-01T00:00:00Z"), At("2026-05-02T10:00:00.001Z"), Day, 100);

        Assert.Equal((At("2026-05-01T10:00:00Z"), 25, At("2026-05-01T09:00:00Z")), (atEdge.Run[0].Utc, atEdge.Run.Count, atEdge.Skipped!.Last.Utc));
        Assert.Equal((At("2026-05-01T11:00:00Z"), 24, At("2026-05-01T10:00:00Z")), (pastEdge.Run[0].Utc, pastEdge.Run.Count, pastEdge.Skipped!.Last.Utc));
    }

    [Fact]
    public void No_more_than_the_bound_run_the_newest_ones_and_the_rest_are_skipped()
    {
        // Every 5 minutes, 6 hours missed: 72 slots, all within the window.
        var plan = CatchUpPlan.Create(Valid("*/5 * * * *", "UTC", TimeSpan.FromMinutes(5)), At("2026-05-04T06:00:00Z"), At("2026-05-04T12:00:00Z"), Day, 24);

        Assert.Equal(24, plan.Run.Count);
        Assert.Equal((At("2026-05-04T10:05:00Z"), At("2026-05-04T12:00:00Z")), (plan.Run[0].Utc, plan.Run[^1].Utc));
        var skipped = plan.Skipped!;
        Assert.Equal((48, At("2026-05-04T06:05:00Z"), At("2026-05-04T10:00:00Z")), (skipped.Count, skipped.First.Utc, skipped.Last.Utc));
    }

    [Fact]
    public void Nothing_due_leaves_the_cursor_and_says_when_the_next_slot_is()
    {
        var plan = CatchUpPlan.Create(Valid("0 6 2 * *"), At("2026-05-02T04:00:00Z"), At("2026-05-20T00:00:00Z"), Day, 24);

        Assert.Empty(plan.Run);
        Assert.Null(plan.Skipped);
        Assert.Equal(At("2026-05-02T04:00:00Z"), plan.ProcessedThrough);
        Assert.Equal("2026-06-02T06:00:00+02:00", Iso(plan.Next!.Value.Local));
    }

    [Fact]
    public void A_cursor_ahead_of_now_runs_nothing_and_the_next_slot_is_after_the_cursor()
    {
        // Another instance with a clock a little ahead already processed 12:00.
        var plan = CatchUpPlan.Create(Valid("0 * * * *"), At("2026-05-04T12:00:00Z"), At("2026-05-04T11:59:58Z"), Day, 24);

        Assert.Empty(plan.Run);
        Assert.Equal(At("2026-05-04T12:00:00Z"), plan.ProcessedThrough);
        Assert.Equal(At("2026-05-04T13:00:00Z"), plan.Next?.Utc);
    }

    [Fact]
    public void Only_skipped_slots_still_move_the_cursor_past_them()
    {
        var plan = CatchUpPlan.Create(Valid("0 6 * * *"), At("2026-05-01T00:00:00Z"), At("2026-05-06T12:00:00Z"), TimeSpan.FromHours(1), 24);

        Assert.Empty(plan.Run);
        Assert.Equal(6, plan.Skipped!.Count);
        Assert.Equal(plan.Skipped.Last.Utc, plan.ProcessedThrough);
        Assert.Equal("2026-05-06T04:00:00+00:00", Iso(plan.ProcessedThrough));
    }

    [Fact]
    public void Catching_up_across_the_spring_change_runs_one_slot_per_real_hour()
    {
        // Last processed 00:00 CET; back at 04:00:30 CEST, three real hours later: 01:00 CET, 03:00 CEST, 04:00 CEST.
        var plan = CatchUpPlan.Create(Valid("0 * * * *"), At("2026-03-29T00:00:00+01:00"), At("2026-03-29T04:00:30+02:00"), Day, 24);

        Assert.Equal(["2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-29T04:00:00+02:00"], [.. plan.Run.Select(slot => Iso(slot.Local))]);
    }

    [Fact]
    public void Bad_arguments_are_programming_errors()
    {
        var schedule = Valid("0 * * * *");

        Assert.Throws<ArgumentOutOfRangeException>(() => CatchUpPlan.Create(schedule, At("2026-05-01T00:00:00Z"), At("2026-05-02T00:00:00Z"), TimeSpan.FromHours(-1), 24));
        Assert.Throws<ArgumentOutOfRangeException>(() => CatchUpPlan.Create(schedule, At("2026-05-01T00:00:00Z"), At("2026-05-02T00:00:00Z"), Day, 0));
    }
}
