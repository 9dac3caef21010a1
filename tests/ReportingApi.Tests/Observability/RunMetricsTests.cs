using System.Collections.Concurrent;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using ReportingApi.Observability;
using ReportingApi.Tests.Runs;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Observability;

/// <summary>The run executor reports each delivered and each failed run to <see cref="IRunMetrics"/>.</summary>
public sealed class RunMetricsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reportingapi-metrics-").FullName;
    private readonly RecordingRunMetrics _metrics = new();
    private readonly ReportingApiFactory _factory;
    private readonly Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> _app;

    public RunMetricsTests()
    {
        var settings = new Dictionary<string, string?>(RunsFixture.Settings(Path.Combine(_folder, "metrics.db")))
        {
            ["Runs:MaxDeliveryAttempts"] = "1",
        };
        _factory = new ReportingApiFactory(settings);
        _app = _factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<IRunMetrics>(_metrics)));
    }

    public void Dispose()
    {
        _app.Dispose();
        _factory.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_delivered_run_and_a_failed_run_each_report_their_metric()
    {
        using var client = _app.CreateClient();
        client.WithToken(await DemoClients.GetTokenAsync(client, DemoClients.Acme, null));

        var delivered = await client.CreateAndWaitAsync(new { report = "contracts", format = "csv", from = "2026-01-01", to = "2026-01-31" }, "metrics-delivered");

        Assert.Equal("delivered", delivered.Status);
        var deliveredEvent = Assert.Single(_metrics.Events, e => e.RunId == delivered.Id);
        Assert.Equal("delivered", deliveredEvent.Outcome);
        Assert.Equal(delivered.Rows, deliveredEvent.Rows);
        Assert.Equal(delivered.Bytes, deliveredEvent.Bytes);
        Assert.True(deliveredEvent.Bytes > 0);
        Assert.True(deliveredEvent.Duration > TimeSpan.Zero);

        // A plain file where the partner's remote directory should be: the one allowed attempt fails.
        var remote = Path.Combine(_factory.SftpFolder("demo-acme"), "reports");
        if (Directory.Exists(remote))
        {
            Directory.Delete(remote, recursive: true);
        }

        await File.WriteAllTextAsync(remote, "in the way");
        var failed = await client.CreateAndWaitAsync(new { report = "contracts", format = "csv", from = "2026-02-01", to = "2026-02-28" }, "metrics-failed");

        Assert.Equal("failed", failed.Status);
        var failedEvent = Assert.Single(_metrics.Events, e => e.RunId == failed.Id);
        Assert.Equal("failed", failedEvent.Outcome);
        Assert.Single(_metrics.Events, e => e.RunId == delivered.Id);
    }

    private sealed record MetricEvent(string RunId, string Outcome, long? Rows, long? Bytes, TimeSpan Duration);

    private sealed class RecordingRunMetrics : IRunMetrics
    {
        private readonly ConcurrentQueue<MetricEvent> _events = new();

        public IReadOnlyList<MetricEvent> Events => [.. _events];

        public void RunDelivered(string runId, long? rows, long? bytes, TimeSpan duration) =>
            _events.Enqueue(new MetricEvent(runId, "delivered", rows, bytes, duration));

        public void RunFailed(string runId, TimeSpan duration) =>
            _events.Enqueue(new MetricEvent(runId, "failed", null, null, duration));
    }
}
