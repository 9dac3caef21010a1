using Dapper;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ReportingApi.Schedules;
using ReportingApi.Subscriptions;
using ReportingApi.Tests.Api;
using ReportingApi.Tests.Infrastructure;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Subscriptions;

/// <summary>
/// The app on SQLite with the demo partners onboarded and no run worker: runs stay queued until a test executes them,
/// and the scheduler runs only when a test calls one, on a clock of its own (<see cref="SchedulerAt"/>).
/// Reports take at most 40 days, a partner may have 5 subscriptions, and missed slots are caught up for 6 hours.
/// </summary>
public sealed class SubscriptionsFixture : IDisposable
{
    public const int MaxPeriodDays = 40;
    public const int MaxSubscriptions = 5;
    public const int CatchUpWindowHours = 6;

    private readonly string _folder = Directory.CreateTempSubdirectory("reportingapi-subscriptions-").FullName;

    public SubscriptionsFixture()
    {
        DatabasePath = Path.Combine(_folder, "subscriptions.db");
        Host = new ReportingApiFactory(new Dictionary<string, string?>(SqliteApiFixture.Settings(DatabasePath))
        {
            ["Reports:MaxPeriodDays"] = MaxPeriodDays.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Schedules:MaxSubscriptionsPerPartner"] = MaxSubscriptions.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Schedules:CatchUpWindowHours"] = CatchUpWindowHours.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        Factory = Host.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.RemoveRunWorker()));
    }

    public string DatabasePath { get; }

    public ReportingApiFactory Host { get; }

    public WebApplicationFactory<Program> Factory { get; }

    public async Task<HttpClient> ClientForAsync((string Id, string Secret) credentials, string? scope = null)
    {
        var client = Factory.CreateClient();
        return client.WithToken(await DemoClients.GetTokenAsync(client, credentials, scope));
    }

    /// <summary>A scheduler as the app makes it, but whose "now" is <paramref name="clock"/>'s.</summary>
    public SubscriptionScheduler SchedulerAt(TimeProvider clock) =>
        ActivatorUtilities.CreateInstance<SubscriptionScheduler>(
            Factory.Services, new SchedulePlanner(Factory.Services.GetRequiredService<IOptions<SchedulesOptions>>(), clock));

    /// <summary>Saves an active subscription of <paramref name="partnerId"/> whose cursor is <paramref name="processedThrough"/>.</summary>
    public async Task<Subscription> InsertAsync(int partnerId, string cron, string timeZone, string period, DateTimeOffset processedThrough, string report = "contracts")
    {
        var subscription = new Subscription
        {
            Id = Subscription.NewId(), PartnerId = partnerId, Report = report, Format = "csv", Cron = cron, TimeZone = timeZone, PeriodRule = period,
        };
        subscription.StartAt(processedThrough);
        subscription.CreatedAt = subscription.UpdatedAt;
        await Factory.Services.GetRequiredService<SubscriptionStore>().InsertAsync(subscription, default);
        return subscription;
    }

    /// <summary>Pauses every subscription, so that the next scheduler pass sees only those saved after this.</summary>
    public async Task PauseAllAsync()
    {
        _ = Factory.Services; // started, so migrated
        await using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        await connection.ExecuteAsync("UPDATE subscriptions SET status = 'paused'");
    }

    public Task<Subscription?> GetAsync(string id) => Factory.Services.GetRequiredService<SubscriptionStore>().GetAsync(id, default);

    /// <summary>The slot runs of a subscription as stored: (slot, period from, period to, idempotency key), by slot.</summary>
    public async Task<IReadOnlyList<(DateTime Slot, string From, string To, string Key)>> SlotRunsAsync(string subscriptionId)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        return [.. await connection.QueryAsync<(DateTime, string, string, string)>(
            "SELECT slot_at, period_from, period_to, idempotency_key FROM report_runs WHERE subscription_id = @subscriptionId ORDER BY slot_at",
            new { subscriptionId })];
    }

    public static FakeTimeProvider ClockAt(string instant) => new(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture));

    public void Dispose()
    {
        Factory.Dispose();
        Host.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
