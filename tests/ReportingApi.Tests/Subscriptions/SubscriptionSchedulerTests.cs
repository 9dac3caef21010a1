using System.Net.Http.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using ReportingApi.Partners;
using ReportingApi.Runs;
using ReportingApi.Subscriptions;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Subscriptions;

/// <summary>
/// The scheduler on a fake clock: slots become runs once, outages are caught up within the window, blocked partners get
/// none. Each test starts with every earlier test's subscriptions paused, so that its scheduler passes see its own only.
/// </summary>
public sealed class SubscriptionSchedulerTests(SubscriptionsFixture fixture) : IClassFixture<SubscriptionsFixture>, IAsyncLifetime
{
    private const int Acme = 1;
    private const int Northwind = 2;

    [Fact]
    public async Task A_three_hour_outage_catches_up_three_hourly_slots_once_each()
    {
        var subscription = await fixture.InsertAsync(Acme, "0 * * * *", "UTC", "previous-day", DateTimeOffset.Parse("2031-01-10T09:00:00Z"));
        var clock = SubscriptionsFixture.ClockAt("2031-01-10T12:00:30Z");

        Assert.Equal(3, await fixture.SchedulerAt(clock).CreateDueRunsAsync(default));
        Assert.Equal(0, await fixture.SchedulerAt(clock).CreateDueRunsAsync(default));

        var runs = await fixture.SlotRunsAsync(subscription.Id);
        Assert.Equal(["10:00", "11:00", "12:00"], runs.Select(run => run.Slot.ToString("HH:mm")));
        Assert.All(runs, run => Assert.Equal(("2031-01-09", "2031-01-09"), (run.From[..10], run.To[..10])));
        Assert.Equal($"schedule:{subscription.Id}:2031-01-10T10:00:00Z", runs[0].Key);
        var stored = (await fixture.GetAsync(subscription.Id))!;
        Assert.Equal(new DateTime(2031, 1, 10, 12, 0, 0), stored.ProcessedThrough);
        Assert.Equal(new DateTime(2031, 1, 10, 13, 0, 0), stored.NextSlotAt);
        Assert.Equal(0, stored.SkippedCount);
    }

    [Fact]
    public async Task Slots_older_than_the_window_are_recorded_as_skipped_and_not_run()
    {
        var subscription = await fixture.InsertAsync(Acme, "0 * * * *", "UTC", "previous-day", DateTimeOffset.Parse("2031-02-01T00:00:00Z"));

        Assert.Equal(SubscriptionsFixture.CatchUpWindowHours, await fixture.SchedulerAt(SubscriptionsFixture.ClockAt("2031-02-01T10:00:30Z")).CreateDueRunsAsync(default));

        Assert.Equal(["05", "06", "07", "08", "09", "10"], (await fixture.SlotRunsAsync(subscription.Id)).Select(run => run.Slot.ToString("HH")));
        var stored = (await fixture.GetAsync(subscription.Id))!;
        Assert.Equal((4, new DateTime(2031, 2, 1, 1, 0, 0), new DateTime(2031, 2, 1, 4, 0, 0)), (stored.SkippedCount, stored.SkippedFirst, stored.SkippedLast));
    }

    [Fact]
    public async Task A_slot_in_the_spring_gap_runs_once_after_it_and_a_fixed_time_in_the_autumn_repeat_once()
    {
        // 2031-03-30 and 2031-10-26 are the days Europe/Berlin changes clocks.
        var spring = await fixture.InsertAsync(Acme, "30 2 * * *", "Europe/Berlin", "previous-day", DateTimeOffset.Parse("2031-03-29T12:00:00Z"));
        await fixture.SchedulerAt(SubscriptionsFixture.ClockAt("2031-03-30T06:00:00Z")).CreateDueRunsAsync(default);
        // 03:00 CEST, the first valid time after the gap.
        Assert.Equal([(new DateTime(2031, 3, 30, 1, 0, 0), "2031-03-29")], (await fixture.SlotRunsAsync(spring.Id)).Select(run => (run.Slot, run.From[..10])));

        await fixture.PauseAllAsync();
        var autumn = await fixture.InsertAsync(Acme, "30 2 * * *", "Europe/Berlin", "previous-day", DateTimeOffset.Parse("2031-10-25T12:00:00Z"));
        var hourly = await fixture.InsertAsync(Acme, "0 * * * *", "Europe/Berlin", "previous-day", DateTimeOffset.Parse("2031-10-25T21:30:00Z"));
        await fixture.SchedulerAt(SubscriptionsFixture.ClockAt("2031-10-26T03:30:00Z")).CreateDueRunsAsync(default);

        // The first 02:30 (CEST), not the second.
        Assert.Equal([new DateTime(2031, 10, 26, 0, 30, 0)], (await fixture.SlotRunsAsync(autumn.Id)).Select(run => run.Slot));
        // Hourly keeps its rhythm: 00:00, 01:00, 02:00 CEST, 02:00 CET, 03:00, 04:00 CET.
        Assert.Equal([22, 23, 0, 1, 2, 3], (await fixture.SlotRunsAsync(hourly.Id)).Select(run => run.Slot.Hour));
    }

    [Fact]
    public async Task A_month_end_slot_reports_the_previous_month_and_leap_day_counts()
    {
        var monthly = await fixture.InsertAsync(Acme, "0 6 1 * *", "Europe/Berlin", "previous-month", DateTimeOffset.Parse("2032-02-15T00:00:00Z"));
        var leapDay = await fixture.InsertAsync(Acme, "0 6 29 2 *", "UTC", "previous-day", DateTimeOffset.Parse("2032-02-28T00:00:00Z"));

        await fixture.SchedulerAt(SubscriptionsFixture.ClockAt("2032-02-29T07:00:00Z")).CreateDueRunsAsync(default);
        await fixture.SchedulerAt(SubscriptionsFixture.ClockAt("2032-03-01T06:00:00Z")).CreateDueRunsAsync(default);

        Assert.Equal([(new DateTime(2032, 3, 1, 5, 0, 0), "2032-02-01", "2032-02-29")], (await fixture.SlotRunsAsync(monthly.Id)).Select(run => (run.Slot, run.From[..10], run.To[..10])));
        Assert.Equal([(new DateTime(2032, 2, 29, 6, 0, 0), "2032-02-28")], (await fixture.SlotRunsAsync(leapDay.Id)).Select(run => (run.Slot, run.From[..10])));
    }

    [Fact]
    public async Task Two_schedulers_on_the_same_minute_make_one_run_per_slot()
    {
        var subscriptions = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => fixture.InsertAsync(Acme, "0 * * * *", "UTC", "previous-day", DateTimeOffset.Parse("2031-04-01T00:00:00Z"))));
        var clock = SubscriptionsFixture.ClockAt("2031-04-01T03:00:10Z");

        var created = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => fixture.SchedulerAt(clock).CreateDueRunsAsync(default))));

        Assert.Equal(15, created.Sum());
        foreach (var subscription in subscriptions)
        {
            Assert.Equal([1, 2, 3], (await fixture.SlotRunsAsync(subscription.Id)).Select(run => run.Slot.Hour));
        }
    }

    [Fact]
    public async Task A_deactivated_partner_or_a_report_no_longer_allowed_gets_no_run_and_the_subscription_says_why()
    {
        var subscription = await fixture.InsertAsync(Northwind, "0 * * * *", "UTC", "previous-day", DateTimeOffset.Parse("2031-05-01T00:00:00Z"));
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        try
        {
            await SetNorthwindAsync("active = 0");
            Assert.Equal(0, await fixture.SchedulerAt(SubscriptionsFixture.ClockAt("2031-05-01T02:00:00Z")).CreateDueRunsAsync(default));
            var shown = await ShownAsync(admin, subscription.Id);
            Assert.Contains("deactivated", shown.BlockedReason, StringComparison.Ordinal);
            Assert.Equal(2, shown.SkippedSlots?.Count);

            await SetNorthwindAsync("active = 1, allowed_reports = 'bikes'");
            Assert.Equal(0, await fixture.SchedulerAt(SubscriptionsFixture.ClockAt("2031-05-01T03:00:00Z")).CreateDueRunsAsync(default));
            Assert.Contains("does not include the 'contracts' report", (await ShownAsync(admin, subscription.Id)).BlockedReason, StringComparison.Ordinal);

            await SetNorthwindAsync("allowed_reports = NULL");
            Assert.Equal(1, await fixture.SchedulerAt(SubscriptionsFixture.ClockAt("2031-05-01T04:00:00Z")).CreateDueRunsAsync(default));
            shown = await ShownAsync(admin, subscription.Id);
            Assert.Null(shown.BlockedReason);
            Assert.Equal((3, new DateTime(2031, 5, 1, 1, 0, 0), new DateTime(2031, 5, 1, 3, 0, 0)), (shown.SkippedSlots!.Count, shown.SkippedSlots.First, shown.SkippedSlots.Last));
            Assert.Equal([4], (await fixture.SlotRunsAsync(subscription.Id)).Select(run => run.Slot.Hour));
        }
        finally
        {
            await SetNorthwindAsync("active = 1, allowed_reports = NULL");
        }
    }

    [Fact]
    public async Task A_slot_run_is_executed_and_delivered_like_any_run_and_shows_its_subscription_and_slot()
    {
        var subscription = await fixture.InsertAsync(Acme, "0 6 * * *", "Europe/Berlin", "previous-day", DateTimeOffset.Parse("2031-06-01T00:00:00Z"), report: "installments");
        await fixture.SchedulerAt(SubscriptionsFixture.ClockAt("2031-06-01T05:00:00Z")).CreateDueRunsAsync(default);
        using var client = await fixture.ClientForAsync(DemoClients.Acme);

        var page = (await client.GetFromJsonAsync<ReportRunPage>($"/v1/report-runs?subscriptionId={subscription.Id}"))!;
        var listed = Assert.Single(page.Items);
        await fixture.Factory.Services.GetRequiredService<RunExecutor>().ExecuteAsync(listed.Id, default);
        var run = (await client.GetFromJsonAsync<ReportRunResponse>($"/v1/report-runs/{listed.Id}"))!;

        Assert.Equal("delivered", run.Status);
        Assert.Equal((subscription.Id, new DateTime(2031, 6, 1, 4, 0, 0, DateTimeKind.Utc)), (run.SubscriptionId, run.Slot));
        Assert.Equal(("2031-05-31", "2031-05-31"), (run.From, run.To));
        Assert.StartsWith($"scheduled by subscription {subscription.Id}", run.Steps![0].Detail, StringComparison.Ordinal);
        var delivered = Path.Combine(fixture.Host.SftpFolder("demo-acme"), "reports", run.FileName!);
        Assert.True(File.Exists(delivered) && File.Exists(delivered + ".sha256"));
        var shown = (await client.GetFromJsonAsync<SubscriptionResponse>($"/v1/subscriptions/{subscription.Id}"))!;
        Assert.Equal((run.Id, "delivered"), (shown.LastRun?.Id, shown.LastRun?.Status));
    }

    public Task InitializeAsync() => fixture.PauseAllAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static async Task<SubscriptionResponse> ShownAsync(HttpClient admin, string id) =>
        (await admin.GetFromJsonAsync<List<SubscriptionResponse>>("/v1/admin/subscriptions?partnerId=2"))!.Single(shown => shown.Id == id);

    private async Task SetNorthwindAsync(string assignments)
    {
        await using (var connection = new SqliteConnection($"Data Source={fixture.DatabasePath}"))
        {
            await connection.ExecuteAsync($"UPDATE partners SET {assignments} WHERE id = {Northwind}");
        }

        fixture.Factory.Services.GetRequiredService<PartnerRegistry>().Forget(DemoClients.Northwind.Id);
    }
}
