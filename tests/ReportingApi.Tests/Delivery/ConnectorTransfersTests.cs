using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ReportingApi.Delivery;
using ReportingApi.Delivery.Connector;
using ReportingApi.Testing;
using ReportingApi.TestSupport.Aws;

namespace ReportingApi.Tests.Delivery;

/// <summary>Connector deliveries in line (<c>Transfer:Connector:Completion</c> <c>Wait</c>): stage, send, wait for the results, rename.</summary>
public sealed class ConnectorTransfersTests : IAsyncLifetime, IDisposable
{
    private const string ConnectorId = "c-0123456789abcdef0";
    private const string Bucket = "reports-bucket";

    private readonly TempFolderObjectStore _store = new();
    private readonly DirectoryInfo _remoteRoot = Directory.CreateTempSubdirectory("reportingapi-remote-");
    private FakeTransferService _service = null!;
    private FakeSftpConnector _connector = null!;

    public async Task InitializeAsync()
    {
        _connector = new FakeSftpConnector(_store.PathOf, Bucket, _remoteRoot.FullName);
        _service = await FakeTransferService.StartAsync(_connector.Handle);
    }

    public async Task DisposeAsync() => await _service.DisposeAsync();

    public void Dispose()
    {
        _store.Dispose();
        _remoteRoot.Delete(recursive: true);
    }

    [Fact]
    public async Task Files_are_staged_as_part_sent_confirmed_and_then_renamed_in_order()
    {
        await _store.PutTextAsync("partners/7/outbound/2026/11/contracts_1.csv.pgp", "encrypted report");
        await _store.PutTextAsync("partners/7/outbound/2026/11/contracts_1.csv.pgp.sha256", "abc123  contracts_1.csv.pgp\n");
        using var client = _service.CreateClient();

        await Delivery(client).DeliverInLineAsync(
            Target("/inbound/reports"),
            [
                new DeliveryFile("partners/7/outbound/2026/11/contracts_1.csv.pgp", "contracts_1.csv.pgp"),
                new DeliveryFile("partners/7/outbound/2026/11/contracts_1.csv.pgp.sha256", "contracts_1.csv.pgp.sha256"),
            ],
            default);

        Assert.Empty(_service.ProtocolViolations);
        Assert.Empty(_connector.Problems);
        var delivered = Path.Combine(_remoteRoot.FullName, "inbound", "reports");
        Assert.Equal(["contracts_1.csv.pgp", "contracts_1.csv.pgp.sha256"], FileNames(delivered));
        Assert.Equal("encrypted report", await File.ReadAllTextAsync(Path.Combine(delivered, "contracts_1.csv.pgp")));
        Assert.Equal("abc123  contracts_1.csv.pgp\n", await File.ReadAllTextAsync(Path.Combine(delivered, "contracts_1.csv.pgp.sha256")));

        var send = Assert.Single(_service.CallsOf("StartFileTransfer"));
        Assert.Equal("/inbound/reports", send.Body.GetProperty("RemoteDirectoryPath").GetString());
        Assert.All(send.Body.GetProperty("SendFilePaths").EnumerateArray(), p => Assert.StartsWith($"/{Bucket}/transfer-staging/", p.GetString(), StringComparison.Ordinal));
        Assert.Equal(
            [
                ("/inbound/reports/contracts_1.csv.pgp.part", "/inbound/reports/contracts_1.csv.pgp"),
                ("/inbound/reports/contracts_1.csv.pgp.sha256.part", "/inbound/reports/contracts_1.csv.pgp.sha256"),
            ],
            _service.CallsOf("StartRemoteMove").Select(c => (c.Body.GetProperty("SourcePath").GetString(), c.Body.GetProperty("TargetPath").GetString())));

        // Polled until completed, and renamed only after that.
        var polls = _service.CallsOf("ListFileTransferResults");
        Assert.True(polls.Count >= 2, $"expected polling until completion, saw {polls.Count} poll(s)");
        Assert.True(_service.CallsOf("StartRemoteMove").Min(c => c.Sequence) > polls.Max(c => c.Sequence));

        // Staging objects are removed; the stored files stay.
        Assert.Equal(["partners/7/outbound/2026/11/contracts_1.csv.pgp", "partners/7/outbound/2026/11/contracts_1.csv.pgp.sha256"], _store.Keys());
    }

    [Fact]
    public async Task Twelve_files_go_out_in_two_transfers_and_all_arrive()
    {
        var files = new List<DeliveryFile>();
        for (var i = 1; i <= 12; i++)
        {
            await _store.PutTextAsync($"out/file{i:00}.pgp", $"content {i}");
            files.Add(new DeliveryFile($"out/file{i:00}.pgp", $"file{i:00}.pgp"));
        }

        using var client = _service.CreateClient();

        await Delivery(client).DeliverInLineAsync(Target("/in"), files, default);

        Assert.Empty(_connector.Problems);
        Assert.Equal([10, 2], _service.CallsOf("StartFileTransfer").Select(c => c.Body.GetProperty("SendFilePaths").GetArrayLength()));
        var delivered = Path.Combine(_remoteRoot.FullName, "in");
        Assert.Equal(files.Select(f => f.RemoteName), FileNames(delivered));
        Assert.Equal("content 12", await File.ReadAllTextAsync(Path.Combine(delivered, "file12.pgp")));
        Assert.Equal(files.Select(f => $"/in/{f.RemoteName}"), _service.CallsOf("StartRemoteMove").Select(c => c.Body.GetProperty("TargetPath").GetString()));
    }

    [Fact]
    public async Task A_failed_file_fails_the_delivery_with_the_connector_message_and_nothing_is_renamed()
    {
        await _store.PutTextAsync("out/a.pgp", "a");
        await _store.PutTextAsync("out/a.pgp.sha256", "sum");
        _connector.FailingNames.Add("a.pgp.sha256.part");
        using var client = _service.CreateClient();

        var error = await Assert.ThrowsAsync<DeliveryException>(() => Delivery(client).DeliverInLineAsync(
            Target("/in"), [new DeliveryFile("out/a.pgp", "a.pgp"), new DeliveryFile("out/a.pgp.sha256", "a.pgp.sha256")], default));

        Assert.Contains("Remote server refused the upload: permission denied", error.Message, StringComparison.Ordinal);
        Assert.Contains("CONNECTION_ERROR", error.Message, StringComparison.Ordinal);
        Assert.True(error.Transient);
        Assert.Empty(_service.CallsOf("StartRemoteMove"));
        Assert.DoesNotContain(FileNames(Path.Combine(_remoteRoot.FullName, "in")), n => !n.EndsWith(".part", StringComparison.Ordinal));
        Assert.Equal(["out/a.pgp", "out/a.pgp.sha256"], _store.Keys());
    }

    [Fact]
    public async Task A_transfer_that_never_completes_gives_up_after_the_maximum_wait()
    {
        await _store.PutTextAsync("out/a.pgp", "a");
        _connector.NeverComplete = true;
        using var client = _service.CreateClient();

        var error = await Assert.ThrowsAsync<DeliveryException>(() => Delivery(client, maxWait: TimeSpan.FromMilliseconds(150))
            .DeliverInLineAsync(Target("/in"), [new DeliveryFile("out/a.pgp", "a.pgp")], default));

        Assert.True(error.Transient);
        Assert.Contains("unsent", error.Message, StringComparison.Ordinal);
        Assert.Empty(_service.CallsOf("StartRemoteMove"));
    }

    [Fact]
    public async Task An_unknown_connector_is_a_configuration_error_not_worth_retrying()
    {
        await _store.PutTextAsync("out/a.pgp", "a");
        _service.Handler = _ => FakeReply.Error(400, "ResourceNotFoundException", "Unknown connector");
        using var client = _service.CreateClient();

        var error = await Assert.ThrowsAsync<DeliveryException>(() => Delivery(client).DeliverInLineAsync(Target("/in"), [new DeliveryFile("out/a.pgp", "a.pgp")], default));

        Assert.False(error.Transient);
        Assert.Contains("Unknown connector", error.Message, StringComparison.Ordinal);
        Assert.Single(_service.Calls);
        Assert.Equal(["out/a.pgp"], _store.Keys());
    }

    [Fact]
    public async Task A_missing_object_or_missing_settings_fail_before_anything_is_sent()
    {
        using var client = _service.CreateClient();

        var missing = await Assert.ThrowsAsync<DeliveryException>(() => Delivery(client).DeliverInLineAsync(Target("/in"), [new DeliveryFile("out/none.pgp", "none.pgp")], default));
        var noConnector = await Assert.ThrowsAsync<DeliveryException>(() => Delivery(client).DeliverInLineAsync(
            new DeliveryTarget(DeliveryKind.AwsConnector, "/in"), [new DeliveryFile("out/none.pgp", "none.pgp")], default));
        var noBucket = await Assert.ThrowsAsync<DeliveryException>(() => Delivery(client, bucket: null).DeliverInLineAsync(
            Target("/in"), [new DeliveryFile("out/none.pgp", "none.pgp")], default));

        Assert.False(missing.Transient);
        Assert.Contains("out/none.pgp", missing.Message, StringComparison.Ordinal);
        Assert.False(noConnector.Transient);
        Assert.Contains("ConnectorId", noConnector.Message, StringComparison.Ordinal);
        Assert.False(noBucket.Transient);
        Assert.Contains("SourceBucket", noBucket.Message, StringComparison.Ordinal);
        Assert.Empty(_service.Calls);
    }

    private static DeliveryTarget Target(string remoteDirectory) => new(DeliveryKind.AwsConnector, remoteDirectory, ConnectorId: ConnectorId);

    private ConnectorTransfers Delivery(TransferConnectorClient client, TimeSpan? maxWait = null, string? bucket = Bucket)
    {
        var options = Options.Create(new ConnectorDeliveryOptions
        {
            SourceBucket = bucket,
            PollInterval = TimeSpan.FromMilliseconds(10),
            MaxWait = maxWait ?? TimeSpan.FromSeconds(10),
        });
        var tracker = new PollingConnectorTransferTracker(client, options, NullLogger<PollingConnectorTransferTracker>.Instance);
        return new ConnectorTransfers(_store, client, tracker, options, NullLogger<ConnectorTransfers>.Instance);
    }

    private static List<string> FileNames(string directory) =>
        Directory.Exists(directory) ? [.. Directory.EnumerateFiles(directory).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal)] : [];
}
