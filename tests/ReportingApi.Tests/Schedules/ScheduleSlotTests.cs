using ReportingApi.Schedules;
using static ReportingApi.Tests.Schedules.ScheduleTestData;

namespace ReportingApi.Tests.Schedules;

/// <summary>Slots in UTC and on the zone's clock; daylight saving in Europe/Berlin (2026: 29 March and 25 October).</summary>
public sealed class ScheduleSlotTests
{
    private static string[] Local(IEnumerable<Slot> slots) => [.. slots.Select(slot => Iso(slot.Local))];

    private static string[] Utc(IEnumerable<Slot> slots) => [.. slots.Select(slot => Iso(slot.Utc))];

    [Fact]
    public void The_next_slots_are_given_in_utc_and_in_the_zone()
    {
        var slots = Valid("0 6 2 * *").NextSlots(At("2026-01-15T12:00:00Z"), 3);

        Assert.Equal(["2026-02-02T06:00:00+01:00", "2026-03-02T06:00:00+01:00", "2026-04-02T06:00:00+02:00"], Local(slots));
        Assert.Equal(["2026-02-02T05:00:00+00:00", "2026-03-02T05:00:00+00:00", "2026-04-02T04:00:00+00:00"], Utc(slots));
        Assert.Equal("2026-04-02T04:00:00Z (2026-04-02T06:00:00+02:00)", slots[2].ToString());
    }

    [Fact]
    public void The_next_slots_start_strictly_after_the_instant()
    {
        var schedule = Valid("0 6 * * *", "UTC");

        Assert.Equal(["2026-05-02T06:00:00+00:00"], Utc(schedule.NextSlots(At("2026-05-01T06:00:00Z"), 1)));
        Assert.Equal(["2026-05-01T06:00:00+00:00"], Utc(schedule.NextSlots(At("2026-05-01T05:59:59.999Z"), 1)));
        Assert.Empty(schedule.NextSlots(At("2026-05-01T05:00:00Z"), 0));
    }

    [Fact]
    public void The_due_slots_of_a_window_exclude_its_start_and_include_its_end()
    {
        var due = Valid("0 * * * *", "UTC").SlotsBetween(At("2026-05-01T09:00:00Z"), At("2026-05-01T12:00:00Z"));

        Assert.Equal(["2026-05-01T10:00:00+00:00", "2026-05-01T11:00:00+00:00", "2026-05-01T12:00:00+00:00"], Utc(due));
        Assert.Empty(Valid("0 * * * *", "UTC").SlotsBetween(At("2026-05-01T12:00:00Z"), At("2026-05-01T09:00:00Z")));
    }

    [Fact]
    public void A_slot_in_the_spring_gap_runs_once_at_the_first_valid_time()
    {
        // 29 March 2026: 02:00 CET becomes 03:00 CEST; 02:30 does not exist that day.
        var slots = Valid("30 2 * * *").NextSlots(At("2026-03-27T12:00:00Z"), 4);

        Assert.Equal(
            ["2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00", "2026-03-31T02:30:00+02:00"],
            Local(slots));
        Assert.Single(slots, slot => slot.LocalDate == new DateOnly(2026, 3, 29));
    }

    [Fact]
    public void A_fixed_slot_in_the_repeated_autumn_hour_runs_once_at_the_first_of_the_two()
    {
        // 25 October 2026: 03:00 CEST becomes 02:00 CET; 02:30 happens twice, at 00:30 and 01:30 UTC.
        var slots = Valid("30 2 * * *").NextSlots(At("2026-10-23T12:00:00Z"), 3);

        Assert.Equal(["2026-10-24T02:30:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"], Local(slots));
        Assert.Equal("2026-10-25T00:30:00+00:00", Iso(slots[1].Utc));
    }

    [Fact]
    public void A_fixed_slot_on_either_change_is_found_once_wherever_the_search_starts()
    {
        // A cursor read back from storage may be any instant, even one inside the repeated hour.
        var schedule = Valid("30 2 * * *");
        foreach (var (from, to) in new[] { ("2026-03-28T22:00:00Z", "2026-03-29T03:00:00Z"), ("2026-10-24T22:00:00Z", "2026-10-25T03:00:00Z") })
        {
            for (var start = At(from); start < At(to); start = start.AddMinutes(5))
            {
                var next = schedule.NextSlots(start, 1)[0];
                var today = schedule.SlotsBetween(start.AddDays(-1), start.AddDays(2)).Single(slot => slot.LocalDate == next.LocalDate);
                Assert.Equal(today, next);
                Assert.True(next.LocalDate > DateOnly.FromDateTime(At(from).UtcDateTime), $"{start}: {next}");
            }
        }

        Assert.Equal("2026-10-26T02:30:00+01:00", Iso(schedule.NextSlots(At("2026-10-25T01:15:00Z"), 1)[0].Local));
    }

    [Fact]
    public void An_hourly_schedule_keeps_one_slot_per_real_hour_across_both_changes()
    {
        var hourly = Valid("0 * * * *");

        var spring = hourly.SlotsBetween(At("2026-03-29T00:00:00+01:00").AddTicks(-1), At("2026-03-29T04:00:00+02:00")).ToList();
        Assert.Equal(["2026-03-29T00:00:00+01:00", "2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-29T04:00:00+02:00"], Local(spring));
        Assert.Equal(["2026-03-28T23:00:00+00:00", "2026-03-29T00:00:00+00:00", "2026-03-29T01:00:00+00:00", "2026-03-29T02:00:00+00:00"], Utc(spring));

        var autumn = hourly.SlotsBetween(At("2026-10-25T01:00:00+02:00").AddTicks(-1), At("2026-10-25T03:00:00+01:00")).ToList();
        Assert.Equal(["2026-10-25T01:00:00+02:00", "2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00", "2026-10-25T03:00:00+01:00"], Local(autumn));
        Assert.Equal(["2026-10-24T23:00:00+00:00", "2026-10-25T00:00:00+00:00", "2026-10-25T01:00:00+00:00", "2026-10-25T02:00:00+00:00"], Utc(autumn));

        Assert.Equal(23, hourly.SlotsBetween(At("2026-03-29T00:00:00+01:00").AddTicks(-1), At("2026-03-29T23:59:00+02:00")).Count());
        Assert.Equal(25, hourly.SlotsBetween(At("2026-10-25T00:00:00+02:00").AddTicks(-1), At("2026-10-25T23:59:00+01:00")).Count());
    }

    [Fact]
    public void Two_fixed_hours_on_the_spring_change_fall_together_once()
    {
        // 02:00 does not exist and moves to 03:00, which is also a slot of its own: one slot, not two.
        var slots = Valid("0 1,2,3 * * *").SlotsBetween(At("2026-03-29T00:00:00+01:00"), At("2026-03-29T12:00:00+02:00"));

        Assert.Equal(["2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00"], Local(slots));
    }

    [Fact]
    public void Month_ends_and_the_leap_day_are_slots()
    {
        Assert.Equal(
            ["2028-01-31T06:00:00+01:00", "2028-02-29T06:00:00+01:00", "2028-03-31T06:00:00+02:00", "2028-04-30T06:00:00+02:00"],
            Local(Valid("0 6 L * *").NextSlots(At("2028-01-01T00:00:00Z"), 4)));
        Assert.Equal(
            ["2028-02-29T06:00:00+01:00", "2032-02-29T06:00:00+01:00"],
            Local(Valid("0 6 29 2 *").NextSlots(At("2026-06-01T00:00:00Z"), 2)));
        Assert.Equal(
            ["2027-01-31T06:00:00+01:00", "2027-03-31T06:00:00+02:00"],
            Local(Valid("0 6 31 * *").NextSlots(At("2027-01-01T00:00:00Z"), 2)));
    }

    [Fact]
    public void A_slot_shortly_after_local_midnight_has_the_local_date()
    {
        var winter = Valid("30 0 * * *").NextSlots(At("2026-02-28T12:00:00Z"), 1)[0];
        var summer = Valid("30 0 * * *").NextSlots(At("2026-07-31T12:00:00Z"), 1)[0];

        Assert.Equal(("2026-02-28T23:30:00+00:00", new DateOnly(2026, 3, 1)), (Iso(winter.Utc), winter.LocalDate));
        Assert.Equal(("2026-07-31T22:30:00+00:00", new DateOnly(2026, 8, 1)), (Iso(summer.Utc), summer.LocalDate));
    }

    [Fact]
    public void A_stored_instant_becomes_the_same_slot()
    {
        var schedule = Valid("0 * * * *");
        var slot = schedule.NextSlots(At("2026-10-25T00:30:00Z"), 1)[0];

        var restored = schedule.SlotAt(slot.Utc.UtcDateTime);

        Assert.Equal(slot, restored);
        Assert.Equal("2026-10-25T02:00:00+01:00", Iso(restored.Local));
    }
}
