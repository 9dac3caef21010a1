using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Lambda.Hosting.Events;
using Lambda.Hosting.RuntimeApi;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using ReportingApi.Data;
using ReportingApi.Delivery;
using ReportingApi.Delivery.Connector;
using ReportingApi.Hosting;
using ReportingApi.Partners;
using ReportingApi.Runs;
using ReportingApi.Runs.Lambda;
using ReportingApi.Tests.Infrastructure;
using ReportingApi.Tests.Pgp;
using ReportingApi.TestSupport;
using ReportingApi.TestSupport.Aws;
using ReportingApi.TestSupport.Lambda;

namespace ReportingApi.Tests.Runs;

/// <summary>
/// Runs delivered through a Transfer connector that confirms by EventBridge events (as on Lambda): the run is handed
/// over and left sending; File Send events lead to the renames, Remote Move events to delivered; a transfer whose
/// event never comes is polled; a rename whose event never comes fails the attempt. The connector is the loopback
/// fake (SigV4 checked) acting on the app's object folder and a local "remote" folder; time is a manual clock.
/// </summary>
public sealed class ConnectorEventTests : IAsyncLifetime, IDisposable
{
    private const string ConnectorId = "c-0123456789abcdef0";
    private const string Bucket = "reports-bucket";
    private const string RemoteDirectory = "/inbound/reports";
    private static readonly TimeSpan EventWait = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan RenameWait = TimeSpan.FromMinutes(15);

    private readonly string _folder = Directory.CreateTempSubdirectory("reportingapi-connector-events-").FullName;
    private readonly FixedTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private ReportingApiFactory _host = null!;
    private WebApplicationFactory<Program> _app = null!;
    private FakeTransferService _service = null!;
    private FakeSftpConnector _connector = null!;
    private int _partnerId;

    private string RemoteRoot => Path.Combine(_folder, "remote");

    private string DeliveredFolder => Path.Combine(RemoteRoot, "inbound", "reports");

    public async Task InitializeAsync()
    {
        var settings = RunsFixture.Settings(Path.Combine(_folder, "runs.db"));
        settings["Runs:MaxDeliveryAttempts"] = "2";
        settings["Transfer:Connector:SourceBucket"] = Bucket;
        settings["Transfer:Connector:Completion"] = nameof(ConnectorCompletion.Events);
        settings["Transfer:Connector:EventWait"] = EventWait.ToString();
        settings["Transfer:Connector:RenameWait"] = RenameWait.ToString();
        _host = new ReportingApiFactory(settings);
        _connector = new FakeSftpConnector(key => Path.Combine(_host.ObjectsFolder, key), Bucket, RemoteRoot);
        _service = await FakeTransferService.StartAsync(_connector.Handle);
        _app = _host.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            // Runs execute only when a test says so, at the time the test sets.
            services.RemoveRunWorker();
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(_clock);
            services.RemoveAll<TransferConnectorClient>();
            services.AddSingleton(_service.CreateClient());
            services.AddLambdaEventHandlers();
        }));

        var connections = Services.GetRequiredService<DbConnectionFactory>();
        await using var connection = await connections.OpenAsync();
        _partnerId = await connection.ExecuteScalarAsync<int>("SELECT id FROM partners WHERE client_id = @id", new { id = DemoClients.Acme.Id });
        await Services.GetRequiredService<PartnerStore>().SetDeliveryAsync(
            _partnerId, new DeliveryTarget(DeliveryKind.AwsConnector, RemoteDirectory, ConnectorId: ConnectorId), default);
    }

    private IServiceProvider Services => _app.Services;

    private RunExecutor Executor => Services.GetRequiredService<RunExecutor>();

    private RunStore Store => Services.GetRequiredService<RunStore>();

    [Fact]
    public async Task Send_events_lead_to_the_renames_and_move_events_to_delivered_each_step_once()
    {
        var run = await HandedOverRunAsync();
        var (transferId, paths) = Assert.Single(_connector.Transfers);
        Assert.Equal(transferId, run.HandoverKey);
        Assert.Equal(RunStatus.Sending, run.State);
        Assert.Empty(FinalNames());

        // The first file's event: the results still show the other in progress.
        Assert.Equal("Waiting", await ApplyAsync(LambdaEvents.FileSendEvent(ConnectorId, transferId, paths[0])));
        Assert.Empty(_connector.Moves);
        Assert.Equal("Advanced", await ApplyAsync(LambdaEvents.FileSendEvent(ConnectorId, transferId, paths[1])));
        var (firstMoveId, firstSource, firstTarget) = Assert.Single(_connector.Moves);
        Assert.Equal($"{RemoteDirectory}/{run.FileName}.part", firstSource);
        Assert.Equal($"{RemoteDirectory}/{run.FileName}", firstTarget);

        // EventBridge delivers at least once: a repeated event changes nothing.
        Assert.Equal("NoRunWaiting", await ApplyAsync(LambdaEvents.FileSendEvent(ConnectorId, transferId, paths[1])));
        Assert.Single(_connector.Moves);

        Assert.Equal("Advanced", await ApplyAsync(LambdaEvents.RemoteMoveEvent(ConnectorId, firstMoveId, firstSource, firstTarget)));
        Assert.Equal(RunStatus.Sending, (await Store.GetAsync(run.Id))!.State);
        Assert.Equal("NoRunWaiting", await ApplyAsync(LambdaEvents.RemoteMoveEvent(ConnectorId, firstMoveId, firstSource, firstTarget)));
        Assert.Equal(2, _connector.Moves.Count);
        var (checksumMoveId, checksumSource, checksumTarget) = _connector.Moves.Last();
        Assert.Equal($"{RemoteDirectory}/{run.FileName}.sha256", checksumTarget);

        Assert.Equal("Advanced", await ApplyAsync(LambdaEvents.RemoteMoveEvent(ConnectorId, checksumMoveId, checksumSource, checksumTarget)));

        var delivered = (await Store.GetAsync(run.Id))!;
        Assert.Equal(RunStatus.Delivered, delivered.State);
        Assert.Null(delivered.HandoverState);
        Assert.Null(delivered.HandoverKey);
        Assert.Null(delivered.HandoverStepKey);
        Assert.Equal([run.FileName!, run.FileName + ".sha256"], FinalNames());
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(DeliveredFolder, run.FileName!))));
        Assert.Equal($"{sha256}  {run.FileName}\n", await File.ReadAllTextAsync(Path.Combine(DeliveredFolder, run.FileName + ".sha256")));
        Assert.Empty(StagedObjects());
        var steps = (await Store.EventsAsync(run.Id, default)).Select(e => e.Status).ToList();
        Assert.Equal(["transfer-started", "renaming", "renaming", "delivered"], steps.SkipWhile(s => s != "transfer-started"));
        Assert.Empty(_service.ProtocolViolations);
        Assert.Empty(_connector.Problems);
    }

    [Fact]
    public async Task A_transfer_whose_events_never_come_is_polled_once_due()
    {
        var run = await HandedOverRunAsync();

        // Not due yet: nothing is asked.
        await Executor.ExecuteAsync(run.Id, default);
        Assert.Empty(_service.CallsOf("ListFileTransferResults"));

        _clock.Now += EventWait + TimeSpan.FromSeconds(1);
        await Executor.ExecuteAsync(run.Id, default);
        Assert.Single(_service.CallsOf("ListFileTransferResults"));
        Assert.Empty(_connector.Moves);
        Assert.True((await Store.GetAsync(run.Id))!.NextAttemptAt > _clock.Now.UtcDateTime, "The next poll waits another EventWait.");

        _clock.Now += EventWait + TimeSpan.FromSeconds(1);
        await Executor.ExecuteAsync(run.Id, default);
        var (moveId, source, target) = Assert.Single(_connector.Moves);
        Assert.Equal($"{RemoteDirectory}/{run.FileName}", target);

        // The renames still need their events.
        await ApplyAsync(LambdaEvents.RemoteMoveEvent(ConnectorId, moveId, source, target));
        var last = _connector.Moves.Last();
        await ApplyAsync(LambdaEvents.RemoteMoveEvent(ConnectorId, last.MoveId, last.SourcePath, last.TargetPath));
        Assert.Equal(RunStatus.Delivered, (await Store.GetAsync(run.Id))!.State);
    }

    [Fact]
    public async Task A_failed_send_schedules_a_new_attempt_that_starts_a_new_transfer()
    {
        var run = await HandedOverRunAsync();
        var (transferId, paths) = Assert.Single(_connector.Transfers);

        Assert.Equal("Failed", await ApplyAsync(LambdaEvents.FileSendEvent(ConnectorId, transferId, paths[0], "CONNECTION_ERROR", "Connection refused by partner.example.com")));

        var failed = (await Store.GetAsync(run.Id))!;
        Assert.Equal(RunStatus.Sending, failed.State);
        Assert.Null(failed.HandoverState);
        Assert.Contains("CONNECTION_ERROR: Connection refused", failed.FailureReason, StringComparison.Ordinal);
        Assert.NotNull(failed.NextAttemptAt);
        Assert.Empty(StagedObjects());
        Assert.Equal("NoRunWaiting", await ApplyAsync(LambdaEvents.FileSendEvent(ConnectorId, transferId, paths[1])));

        _clock.Now = new DateTimeOffset(DateTime.SpecifyKind(failed.NextAttemptAt!.Value, DateTimeKind.Utc)) + TimeSpan.FromSeconds(1);
        await Executor.ExecuteAsync(run.Id, default);

        Assert.Equal(2, _connector.Transfers.Count);
        var retried = (await Store.GetAsync(run.Id))!;
        Assert.Equal(_connector.Transfers[1].TransferId, retried.HandoverKey);
        Assert.Equal(2, retried.Attempts);
    }

    [Fact]
    public async Task A_rename_without_its_event_or_with_a_failed_one_ends_the_last_attempt_failed_with_the_reason()
    {
        var timedOut = await RenamingRunAsync();
        _clock.Now += RenameWait + TimeSpan.FromSeconds(1);
        await Executor.ExecuteAsync(timedOut.Id, default);
        var afterTimeout = (await Store.GetAsync(timedOut.Id))!;
        Assert.Contains("did not confirm renaming", afterTimeout.FailureReason, StringComparison.Ordinal);
        Assert.Null(afterTimeout.HandoverState);

        var refused = await RenamingRunAsync();
        refused = (await Store.GetAsync(refused.Id))!;
        refused.Attempts = 2;
        await Store.SaveAsync(refused, "test", "last attempt");
        var move = _connector.Moves.Last();
        Assert.Equal("Failed", await ApplyAsync(LambdaEvents.RemoteMoveEvent(ConnectorId, move.MoveId, move.SourcePath, move.TargetPath, "FILE_EXISTS", "Target exists")));

        var failed = (await Store.GetAsync(refused.Id))!;
        Assert.Equal(RunStatus.Failed, failed.State);
        Assert.Contains("could not rename", failed.FailureReason, StringComparison.Ordinal);
        Assert.Contains("FILE_EXISTS: Target exists", failed.FailureReason, StringComparison.Ordinal);
        Assert.Empty(StagedObjects());
    }

    [Fact]
    public async Task Events_nobody_waits_for_change_nothing()
    {
        Assert.Equal("NoRunWaiting", await ApplyAsync(LambdaEvents.FileSendEvent(ConnectorId, "t-unknown", $"/{Bucket}/x.part")));
        Assert.Equal("NoRunWaiting", await ApplyAsync(LambdaEvents.RemoteMoveEvent(ConnectorId, "m-1", "/inbound/x.part", "/inbound/x")));
        var retrieve = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["detail-type"] = "SFTP Connector File Retrieve Completed",
            ["source"] = "aws.transfer",
            ["detail"] = new Dictionary<string, string> { ["connector-id"] = ConnectorId, ["transfer-id"] = "t-9" },
        });
        Assert.Equal("NoRunWaiting", await ApplyAsync(retrieve));
        Assert.Empty(_service.Calls);
    }

    private async Task<ReportRun> HandedOverRunAsync()
    {
        var (run, _) = await Store.CreateAsync(
            new ReportRun
            {
                Id = "run_" + Guid.CreateVersion7().ToString("N"),
                PartnerId = _partnerId,
                ClientId = DemoClients.Acme.Id,
                RequestHash = new string('0', 64),
                Report = "contracts",
                Format = "csv",
                PeriodFrom = new DateTime(2026, 1, 1),
                PeriodTo = new DateTime(2026, 3, 31),
            },
            default);
        await Executor.ExecuteAsync(run.Id, default);
        var handedOver = (await Store.GetAsync(run.Id))!;
        Assert.NotNull(handedOver.HandoverState);
        return handedOver;
    }

    private async Task<ReportRun> RenamingRunAsync()
    {
        var run = await HandedOverRunAsync();
        var (transferId, paths) = _connector.Transfers.Single(t => t.TransferId == run.HandoverKey);
        _connector.InProgressPolls = 0;
        await ApplyAsync(LambdaEvents.FileSendEvent(ConnectorId, transferId, paths[0]));
        var renaming = (await Store.GetAsync(run.Id))!;
        Assert.NotNull(renaming.HandoverStepKey);
        return renaming;
    }

    /// <summary>Runs the EventBridge event through the app's <c>aws.transfer</c> handler, as the Lambda bridge would; returns the outcome.</summary>
    private async Task<string> ApplyAsync(string eventJson)
    {
        using var document = JsonDocument.Parse(eventJson);
        var root = document.RootElement;
        var lambdaEvent = new EventBridgeEvent(
            null, root.GetProperty("source").GetString()!, root.GetProperty("detail-type").GetString()!, null, null, _clock.Now, [], root.GetProperty("detail").Clone());
        await using var scope = Services.CreateAsyncScope();
        var handler = scope.ServiceProvider.GetRequiredKeyedService<ILambdaEventHandler<EventBridgeEvent>>(ConnectorEvent.Source);
        var result = Assert.IsType<ConnectorStatusResult>(await handler.HandleAsync(lambdaEvent, Invocation(), default));
        return result.Outcome;
    }

    private LambdaInvocation Invocation() =>
        new("req-1", _clock.Now.AddMinutes(5), "arn:aws:lambda:eu-central-1:123456789012:function:reporting-api", null, ReadOnlyMemory<byte>.Empty);

    private List<string> FinalNames() =>
        Directory.Exists(DeliveredFolder)
            ? [.. Directory.EnumerateFiles(DeliveredFolder).Select(Path.GetFileName).OfType<string>().Where(n => !n.EndsWith(".part", StringComparison.Ordinal)).Order(StringComparer.Ordinal)]
            : [];

    private List<string> StagedObjects()
    {
        var staging = Path.Combine(_host.ObjectsFolder, "transfer-staging");
        return Directory.Exists(staging) ? [.. Directory.EnumerateFiles(staging, "*", SearchOption.AllDirectories)] : [];
    }

    public async Task DisposeAsync() => await _service.DisposeAsync();

    public void Dispose()
    {
        _app.Dispose();
        _host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
