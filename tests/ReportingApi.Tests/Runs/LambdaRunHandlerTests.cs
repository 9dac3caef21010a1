using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lambda.Hosting.Events;
using Lambda.Hosting.RuntimeApi;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using ReportingApi.Data;
using ReportingApi.Hosting;
using ReportingApi.Inbound;
using ReportingApi.Runs;
using ReportingApi.Runs.Lambda;
using ReportingApi.Storage;
using ReportingApi.Tests.Infrastructure;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Runs;

/// <summary>
/// The app as on Lambda, without touching process-wide environment variables: no <see cref="RunWorker"/> (nor inbound sweep), a
/// dispatcher that only records (standing in for the self-invocation), and the Lambda run handlers. Runs therefore
/// stay queued until a handler executes them.
/// </summary>
public sealed class LambdaRunsFixture : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reportingapi-lambda-runs-").FullName;

    public LambdaRunsFixture()
    {
        // No inbound sweep either: on Lambda, S3 notifications and the tick take inbound files.
        Host = new ReportingApiFactory(new Dictionary<string, string?>(RunsFixture.Settings(Path.Combine(_folder, "runs.db")))
        {
            ["Inbound:SweepIntervalSeconds"] = "0",
        });
        Factory = Host.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IRunDispatcher>();
            services.AddSingleton<IRunDispatcher>(Dispatched);
            services.RemoveRunWorker();
            services.AddLambdaEventHandlers();
        }));
    }

    public ReportingApiFactory Host { get; }

    public WebApplicationFactory<Program> Factory { get; }

    public RecordingDispatcher Dispatched { get; } = new();

    public async Task<HttpClient> ClientForAsync((string Id, string Secret) credentials)
    {
        var client = Factory.CreateClient();
        return client.WithToken(await DemoClients.GetTokenAsync(client, credentials, null));
    }

    public void Dispose()
    {
        Factory.Dispose();
        Host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    public sealed class RecordingDispatcher : IRunDispatcher
    {
        private readonly ConcurrentQueue<string> _runIds = new();

        public IReadOnlyList<string> RunIds => [.. _runIds];

        public ValueTask EnqueueAsync(string runId, CancellationToken cancellationToken = default)
        {
            _runIds.Enqueue(runId);
            return ValueTask.CompletedTask;
        }
    }
}

public sealed class LambdaRunHandlerTests(LambdaRunsFixture fixture) : IClassFixture<LambdaRunsFixture>
{
    private static readonly object ContractsQ1 = new { report = "contracts", format = "csv", from = "2026-01-01", to = "2026-03-31" };

    [Fact]
    public async Task A_report_run_invocation_delivers_the_queued_run()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Acme);
        var runId = await CreateQueuedRunAsync(client, "lambda-invoke-1");
        Assert.Contains(runId, fixture.Dispatched.RunIds);

        var result = await HandleAsync<AppInvocation>(
            ReportRunInvocationHandler.Kind,
            new AppInvocation(ReportRunInvocationHandler.Kind, JsonSerializer.SerializeToElement(new { runId })),
            Invocation(TimeSpan.FromMinutes(5)));

        Assert.Equal(new ReportRunInvocationResult(runId, "delivered"), result);
        var run = (await client.GetFromJsonAsync<ReportRunResponse>($"/v1/report-runs/{runId}"))!;
        Assert.Equal("delivered", run.Status);
        Assert.True(File.Exists(Path.Combine(fixture.Host.SftpFolder("demo-acme"), "reports", run.FileName!)));
    }

    [Fact]
    public async Task A_report_run_invocation_without_a_run_id_is_an_error()
    {
        await Assert.ThrowsAsync<JsonException>(() => HandleAsync<AppInvocation>(
            ReportRunInvocationHandler.Kind,
            new AppInvocation(ReportRunInvocationHandler.Kind, JsonSerializer.SerializeToElement(new { other = 1 })),
            Invocation(TimeSpan.FromMinutes(5))));
    }

    [Fact]
    public async Task The_scheduled_tick_delivers_a_run_left_queued()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Acme);
        var runId = await CreateQueuedRunAsync(client, "lambda-tick-1");

        var result = (RunTickResult)(await HandleAsync(RunTickHandler.ScheduledEventSource, Tick(), Invocation(TimeSpan.FromMinutes(5))))!;

        Assert.True(result.Executed >= 1);
        Assert.Equal(0, result.Left);
        var run = (await client.GetFromJsonAsync<ReportRunResponse>($"/v1/report-runs/{runId}"))!;
        Assert.Equal("delivered", run.Status);
    }

    [Fact]
    public async Task A_run_another_executor_holds_is_neither_executed_nor_offered_to_the_tick_until_it_gives_it_back()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Acme);
        var runId = await CreateQueuedRunAsync(client, "lambda-leased");
        var store = fixture.Factory.Services.GetRequiredService<RunStore>();
        var executor = fixture.Factory.Services.GetRequiredService<RunExecutor>();
        // Another instance: a store of its own, with a lease owner of its own.
        var otherInstance = new RunStore(fixture.Factory.Services.GetRequiredService<DbConnectionFactory>(), TimeProvider.System);
        Assert.True(await otherInstance.TryLeaseAsync(runId, TimeSpan.FromMinutes(15), default));

        // The asynchronous invocation arrives while the tick of the other instance executes the run.
        await executor.ExecuteAsync(runId, default);
        Assert.Equal("queued", (await store.GetAsync(runId))!.Status);
        Assert.DoesNotContain(runId, await store.UnfinishedAsync(default));
        Assert.False(await store.TryLeaseAsync(runId, TimeSpan.FromMinutes(15), default));

        await otherInstance.ReleaseLeaseAsync(runId);
        await executor.ExecuteAsync(runId, default);

        Assert.Equal("delivered", (await store.GetAsync(runId))!.Status);
        Assert.True(await otherInstance.TryLeaseAsync(runId, TimeSpan.FromMinutes(1), default), "The executor gives its lease back when it is done.");
    }

    [Fact]
    public async Task The_tick_starts_no_run_when_the_deadline_is_within_the_margin()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Acme);
        var runId = await CreateQueuedRunAsync(client, "lambda-tick-late");

        // The default margin is 60 s; 20 s left is too little to start a run.
        var result = (RunTickResult)(await HandleAsync(RunTickHandler.ScheduledEventSource, Tick(), Invocation(TimeSpan.FromSeconds(20))))!;

        Assert.Equal(0, result.Executed);
        Assert.True(result.Left >= 1);
        var run = (await client.GetFromJsonAsync<ReportRunResponse>($"/v1/report-runs/{runId}"))!;
        Assert.Equal("queued", run.Status);
    }

    [Fact]
    public async Task The_scheduled_tick_takes_again_an_inbound_file_whose_processor_died()
    {
        var services = fixture.Factory.Services;
        var key = PartnerObjectKeys.InboundPrefix(1) + $"tick-{Guid.NewGuid():N}.csv";
        using (var upload = new MemoryStream("a,b\r\n1,2\r\n"u8.ToArray()))
        {
            await services.GetRequiredService<IObjectStore>().PutAsync(key, upload, "text/csv", default);
        }

        // A processor that recorded and leased the file, then died (another instance: a store of its own), its lease
        // short (whole seconds are stored: it runs out between 2 and 3 seconds from now).
        var died = new InboundFileStore(services.GetRequiredService<DbConnectionFactory>(), TimeProvider.System);
        var (record, _) = await died.RecordAsync(1, key, "v1", Path.GetFileName(key), default);
        Assert.True(await died.TryLeaseAsync(record.Id, TimeSpan.FromSeconds(3), default));
        var files = services.GetRequiredService<InboundFileStore>();
        await HandleAsync(RunTickHandler.ScheduledEventSource, Tick(), Invocation(TimeSpan.FromMinutes(5)));
        Assert.Equal(InboundFileStatus.Received, (await files.FindAsync(record.Id, null, default))!.Status);

        await Task.Delay(TimeSpan.FromSeconds(4.2));
        await HandleAsync(RunTickHandler.ScheduledEventSource, Tick(), Invocation(TimeSpan.FromMinutes(5)));

        // Partner 1's policy takes encrypted files only: what matters is that the file was processed to its end.
        var finished = (await files.FindAsync(record.Id, null, default))!;
        Assert.Equal(InboundFileStatus.Rejected, finished.Status);
        Assert.Equal(InboundRejection.PlaintextNotAllowed, finished.Rejection);
        Assert.Equal(2, finished.Attempts);
    }

    private static EventBridgeEvent Tick() => new(
        Guid.NewGuid().ToString(), RunTickHandler.ScheduledEventSource, RunTickHandler.ScheduledEventDetailType, "123456789012", "eu-central-1",
        DateTimeOffset.UtcNow, ["arn:aws:events:eu-central-1:123456789012:rule/reports-tick"], JsonSerializer.SerializeToElement(new { }));

    private static LambdaInvocation Invocation(TimeSpan left) =>
        new(Guid.NewGuid().ToString(), DateTimeOffset.UtcNow + left, "arn:aws:lambda:eu-central-1:123456789012:function:reports", null, ReadOnlyMemory<byte>.Empty);

    private static async Task<string> CreateQueuedRunAsync(HttpClient client, string idempotencyKey)
    {
        using var response = await client.PostRunAsync(ContractsQ1, idempotencyKey);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var run = (await response.Content.ReadFromJsonAsync<ReportRunResponse>())!;
        Assert.Equal("queued", run.Status);
        return run.Id;
    }

    /// <summary>Resolves the handler registered under <paramref name="key"/> the way Lambda.Hosting does: keyed, in a scope of its own.</summary>
    private async Task<object?> HandleAsync<TEvent>(string key, TEvent lambdaEvent, LambdaInvocation invocation)
        where TEvent : class
    {
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        var handler = scope.ServiceProvider.GetRequiredKeyedService<ILambdaEventHandler<TEvent>>(key);
        return await handler.HandleAsync(lambdaEvent, invocation, CancellationToken.None);
    }
}
