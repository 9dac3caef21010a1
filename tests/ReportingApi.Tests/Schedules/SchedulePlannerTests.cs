using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ReportingApi.Schedules;
using static ReportingApi.Tests.Schedules.ScheduleTestData;

namespace ReportingApi.Tests.Schedules;

/// <summary>The planner as the scheduler uses it: the configured limits and a clock (a fake one here) that ticks.</summary>
public sealed class SchedulePlannerTests
{
    private readonly FakeTimeProvider _clock = new(At("2026-10-23T00:00:00Z"));

    private SchedulePlanner Planner(SchedulesOptions? options = null) => new(Options.Create(options ?? new SchedulesOptions()), _clock);

    /// <summary>
    /// A week of ticks every minute for an hourly Berlin schedule, across the autumn change, with a 3-hour and a
    /// 3-day outage: each slot is run or skipped exactly once, runs are on time except the 3 caught up, and the
    /// 3-day outage runs the last 24 hours' slots and skips the 48 before.
    /// </summary>
    [Fact]
    public void Ticks_through_outages_decide_every_slot_exactly_once()
    {
        var planner = Planner();
        var schedule = planner.Parse("0 * * * *", Berlin).Schedule!;
        var created = _clock.GetUtcNow();
        var outages = new[]
        {
            (From: At("2026-10-24T09:30:00Z"), To: At("2026-10-24T12:30:00Z")),
            (From: At("2026-10-25T11:30:00Z"), To: At("2026-10-28T11:30:00Z")),
        };
        var end = At("2026-10-30T00:00:00Z");

        var cursor = created;
        var runs = new List<(Slot Slot, DateTimeOffset At)>();
        var skips = new List<(SkippedSlots Skipped, DateTimeOffset At)>();
        while (_clock.GetUtcNow() <= end)
        {
            var now = _clock.GetUtcNow();
            var plan = planner.PlanCatchUp(schedule, cursor);
            runs.AddRange(plan.Run.Select(slot => (slot, now)));
            if (plan.Skipped is { } skipped)
            {
                skips.Add((skipped, now));
            }

            Assert.True(plan.Next!.Value.Utc > now);
            cursor = plan.ProcessedThrough;

            var nextTick = now.AddMinutes(1);
            var outage = outages.Where(outage => nextTick > outage.From && nextTick < outage.To).Select(outage => outage.To);
            _clock.SetUtcNow(outage.DefaultIfEmpty(nextTick).Single());
        }

        var all = schedule.SlotsBetween(created, end).ToList();
        var skippedSlots = skips.SelectMany(skip => schedule.SlotsBetween(skip.Skipped.First.Utc.AddTicks(-1), skip.Skipped.Last.Utc)).ToList();
        Assert.Equal(skips.Sum(skip => skip.Skipped.Count), skippedSlots.Count);
        Assert.Equal(all, runs.Select(run => run.Slot).Concat(skippedSlots).OrderBy(slot => slot.Utc));
        Assert.Equal(runs.Count, runs.Select(run => SlotRunKey.For("sub_1", run.Slot.Utc)).Distinct().Count());

        var late = runs.Where(run => run.At - run.Slot.Utc >= TimeSpan.FromMinutes(1)).ToList();
        Assert.Equal(
            ["2026-10-24T10:00:00+00:00", "2026-10-24T11:00:00+00:00", "2026-10-24T12:00:00+00:00"],
            late.Where(run => run.At == outages[0].To).Select(run => Iso(run.Slot.Utc)));
        Assert.Equal(24, late.Count(run => run.At == outages[1].To));
        Assert.Equal(27, late.Count);

        var (threeDays, at) = Assert.Single(skips);
        Assert.Equal(outages[1].To, at);
        Assert.Equal((48, At("2026-10-25T12:00:00Z"), At("2026-10-27T11:00:00Z")), (threeDays.Count, threeDays.First.Utc, threeDays.Last.Utc));

        // The autumn change is in the week: 25 slots on 25 October in Berlin, two of them at 02:00.
        Assert.Equal(25, all.Count(slot => slot.LocalDate == new DateOnly(2026, 10, 25)));
    }

    [Fact]
    public void The_configured_minimum_window_and_bound_are_used()
    {
        var planner = Planner(new SchedulesOptions { MinimumIntervalMinutes = 5, CatchUpWindowHours = 2, MaxCatchUpRuns = 10 });
        Assert.NotEmpty(planner.Parse("*/4 * * * *", "UTC").Errors);
        var schedule = planner.Parse("*/5 * * * *", "UTC").Schedule!;

        _clock.SetUtcNow(At("2026-10-23T03:00:00Z"));
        var plan = planner.PlanCatchUp(schedule, At("2026-10-23T00:00:00Z"));

        Assert.Equal((10, At("2026-10-23T02:15:00Z")), (plan.Run.Count, plan.Run[0].Utc));
        Assert.Equal((26, At("2026-10-23T00:05:00Z"), At("2026-10-23T02:10:00Z")), (plan.Skipped!.Count, plan.Skipped.First.Utc, plan.Skipped.Last.Utc));
    }

    [Fact]
    public void The_upcoming_slots_follow_the_clock()
    {
        var planner = Planner();
        var schedule = planner.Parse("0 6 * * MON", Berlin).Schedule!;

        _clock.SetUtcNow(At("2026-10-23T00:00:00Z"));
        var first = planner.Upcoming(schedule, 3);
        _clock.Advance(TimeSpan.FromDays(7));
        var weekLater = planner.Upcoming(schedule, 3);

        Assert.Equal(["2026-10-26T06:00:00+01:00", "2026-11-02T06:00:00+01:00", "2026-11-09T06:00:00+01:00"], first.Select(slot => Iso(slot.Local)));
        Assert.Equal(first.Skip(1), weekLater.Take(2));
    }

    [Fact]
    public void The_defaults_are_valid_and_bound_from_the_schedules_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Schedules:MinimumIntervalMinutes"] = "15",
            ["Schedules:CatchUpWindowHours"] = "48",
            ["Schedules:MaxCatchUpRuns"] = "5",
        }).Build();
        var bound = configuration.GetSection(SchedulesOptions.Section).Get<SchedulesOptions>()!;

        Assert.Empty(Validate(new SchedulesOptions()));
        Assert.Equal((60, 24, 24), (new SchedulesOptions().MinimumIntervalMinutes, new SchedulesOptions().CatchUpWindowHours, new SchedulesOptions().MaxCatchUpRuns));
        Assert.Equal((15, 48, 5), (bound.MinimumIntervalMinutes, bound.CatchUpWindowHours, bound.MaxCatchUpRuns));
        Assert.Equal(
            [nameof(SchedulesOptions.MinimumIntervalMinutes), nameof(SchedulesOptions.CatchUpWindowHours), nameof(SchedulesOptions.MaxCatchUpRuns)],
            Validate(new SchedulesOptions { MinimumIntervalMinutes = 0, CatchUpWindowHours = 0, MaxCatchUpRuns = 0 }));
    }

    private static IEnumerable<string> Validate(SchedulesOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.SelectMany(result => result.MemberNames);
    }
}
