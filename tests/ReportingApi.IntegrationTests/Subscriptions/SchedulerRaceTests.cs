using System.Data.Common;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.Runs;
using ReportingApi.Schedules;
using ReportingApi.Subscriptions;

namespace ReportingApi.IntegrationTests.Subscriptions;

/// <summary>
/// Two schedulers, each with the stores of an instance of its own (its own connections and lease owner), ticking the
/// same minute against the same MariaDB: each slot becomes one run. The slots are in 2035, so the app's own worker,
/// on the real clock, never finds them due.
/// </summary>
[Collection(MariaDbCollectionDefinition.Name)]
public sealed class SchedulerRaceTests(MariaDbAppFactory app) : IClassFixture<MariaDbAppFactory>
{
    private const int Subscriptions = 10;

    [Fact]
    public async Task Two_schedulers_ticking_the_same_minutes_concurrently_make_one_run_per_slot()
    {
        var ids = await InsertHourlyAsync(DateTimeOffset.Parse("2035-01-01T00:00:00Z"));
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2035-01-01T01:00:05Z"));
        var schedulers = new[] { SchedulerOfAnInstance(clock), SchedulerOfAnInstance(clock) };

        var created = 0;
        for (var hour = 1; hour <= 3; hour++)
        {
            clock.SetUtcNow(new DateTimeOffset(2035, 1, 1, hour, 0, 5, TimeSpan.Zero));
            created += await TickTogetherAsync(schedulers);
        }

        Assert.Equal(Subscriptions * 3, created);
        var runs = await SlotRunsAsync(ids);
        Assert.Equal(Subscriptions * 3, runs.Count);
        Assert.All(ids, id => Assert.Equal([1, 2, 3], runs.Where(run => run.SubscriptionId == id).Select(run => run.SlotAt.Hour).Order()));
    }

    [Fact]
    public async Task Two_schedulers_catching_up_the_same_outage_concurrently_make_one_run_per_slot()
    {
        var ids = await InsertHourlyAsync(DateTimeOffset.Parse("2035-02-01T00:00:00Z"));
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2035-02-01T03:00:05Z"));

        var created = await TickTogetherAsync([SchedulerOfAnInstance(clock), SchedulerOfAnInstance(clock), SchedulerOfAnInstance(clock)]);

        Assert.Equal(Subscriptions * 3, created);
        var runs = await SlotRunsAsync(ids);
        Assert.Equal(Subscriptions * 3, runs.Select(run => (run.SubscriptionId, run.SlotAt)).Distinct().Count());
        Assert.Equal(Subscriptions * 3, runs.Count);
    }

    [Fact]
    public async Task The_database_refuses_a_second_run_for_the_same_subscription_and_slot()
    {
        var id = (await InsertHourlyAsync(DateTimeOffset.Parse("2035-03-01T00:00:00Z")))[0];
        await SchedulerOfAnInstance(new FakeTimeProvider(DateTimeOffset.Parse("2035-03-01T01:00:00Z"))).CreateDueRunsAsync(default);
        await using var connection = await app.Database.OpenConnectionAsync();

        // Another key, the same slot: only the (subscription_id, slot_at) index stands in the way.
        var insert = connection.ExecuteAsync(
            """
            INSERT INTO report_runs (id, partner_id, client_id, idempotency_key, request_hash, report, format, period_from, period_to, filters, armored,
              status, attempts, created_at, updated_at, subscription_id, slot_at)
            VALUES (@runId, 1, 'demo-acme', 'another-key', 'x', 'contracts', 'csv', '2035-02-28', '2035-02-28', '{}', 0, 'queued', 0, NOW(), NOW(), @id, '2035-03-01 01:00:00')
            """,
            new { runId = ReportRun.NewId(), id });

        var exception = await Assert.ThrowsAnyAsync<DbException>(() => insert);
        Assert.Contains("Duplicate entry", exception.Message, StringComparison.Ordinal);
    }

    private SubscriptionScheduler SchedulerOfAnInstance(TimeProvider clock)
    {
        var services = app.Services;
        var planner = new SchedulePlanner(services.GetRequiredService<IOptions<SchedulesOptions>>(), clock);
        return ActivatorUtilities.CreateInstance<SubscriptionScheduler>(
            services, planner, ActivatorUtilities.CreateInstance<RunStore>(services), ActivatorUtilities.CreateInstance<SubscriptionStore>(services));
    }

    /// <summary>Starts every scheduler's pass at the same moment and returns the runs they created together.</summary>
    private static async Task<int> TickTogetherAsync(IReadOnlyList<SubscriptionScheduler> schedulers)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var passes = schedulers.Select(scheduler => Task.Run(async () =>
        {
            await start.Task;
            return await scheduler.CreateDueRunsAsync(default);
        })).ToList();
        start.SetResult();
        return (await Task.WhenAll(passes)).Sum();
    }

    private async Task<IReadOnlyList<string>> InsertHourlyAsync(DateTimeOffset cursor)
    {
        var store = app.Services.GetRequiredService<SubscriptionStore>();
        var ids = new List<string>();
        for (var i = 0; i < Subscriptions; i++)
        {
            var subscription = new Subscription
            {
                Id = Subscription.NewId(), PartnerId = 1, Report = "contracts", Format = "csv", Cron = "0 * * * *", TimeZone = "UTC", PeriodRule = "previous-day",
            };
            subscription.StartAt(cursor);
            subscription.CreatedAt = subscription.UpdatedAt;
            await store.InsertAsync(subscription, default);
            ids.Add(subscription.Id);
        }

        return ids;
    }

    private async Task<IReadOnlyList<(string SubscriptionId, DateTime SlotAt)>> SlotRunsAsync(IReadOnlyList<string> ids)
    {
        await using var connection = await app.Database.OpenConnectionAsync();
        return [.. await connection.QueryAsync<(string, DateTime)>("SELECT subscription_id, slot_at FROM report_runs WHERE subscription_id IN @ids", new { ids })];
    }
}
