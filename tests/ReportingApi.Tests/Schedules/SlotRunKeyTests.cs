using ReportingApi.Schedules;
using static ReportingApi.Tests.Schedules.ScheduleTestData;

namespace ReportingApi.Tests.Schedules;

public sealed class SlotRunKeyTests
{
    [Fact]
    public void The_key_is_the_prefix_the_subscription_and_the_utc_instant()
    {
        Assert.Equal("schedule:sub_42:2026-03-02T05:00:00Z", SlotRunKey.For("sub_42", At("2026-03-02T06:00:00+01:00")));
        Assert.StartsWith(SlotRunKey.Prefix, SlotRunKey.For("sub_42", At("2026-03-02T06:00:00Z")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_slot_gets_the_same_key_in_any_offset_and_as_restored_from_storage()
    {
        var schedule = Valid("0 6 * * *");
        var slot = schedule.NextSlots(At("2026-07-01T00:00:00Z"), 1)[0];
        var stored = DateTime.SpecifyKind(slot.Utc.UtcDateTime, DateTimeKind.Unspecified);

        var keys = new[]
        {
            SlotRunKey.For("sub_1", slot.Utc),
            SlotRunKey.For("sub_1", slot.Local),
            SlotRunKey.For("sub_1", schedule.SlotAt(new DateTimeOffset(stored, TimeSpan.Zero)).Utc),
        };

        Assert.Equal(["schedule:sub_1:2026-07-01T04:00:00Z"], keys.Distinct());
    }

    [Fact]
    public void The_two_repeated_autumn_hours_and_two_subscriptions_get_different_keys()
    {
        var slots = Valid("0 * * * *").SlotsBetween(At("2026-10-25T01:30:00+02:00"), At("2026-10-25T02:30:00+01:00")).ToList();
        Assert.Equal(2, slots.Count);
        Assert.Equal(slots[0].Local.TimeOfDay, slots[1].Local.TimeOfDay);

        Assert.Equal(
            ["schedule:sub_1:2026-10-25T00:00:00Z", "schedule:sub_1:2026-10-25T01:00:00Z", "schedule:sub_2:2026-10-25T00:00:00Z"],
            [SlotRunKey.For("sub_1", slots[0].Utc), SlotRunKey.For("sub_1", slots[1].Utc), SlotRunKey.For("sub_2", slots[0].Utc)]);
    }

    [Fact]
    public void An_instant_that_is_not_a_whole_second_or_an_empty_id_is_a_programming_error()
    {
        Assert.Throws<ArgumentException>(() => SlotRunKey.For("sub_1", At("2026-03-02T05:00:00.5Z")));
        Assert.Throws<ArgumentException>(() => SlotRunKey.For(" ", At("2026-03-02T05:00:00Z")));
    }
}
