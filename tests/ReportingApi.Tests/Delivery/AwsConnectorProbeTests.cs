using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ReportingApi.Delivery;
using ReportingApi.Delivery.Connector;
using ReportingApi.Testing;
using ReportingApi.TestSupport.Aws;

namespace ReportingApi.Tests.Delivery;

/// <summary>The connector's delivery test: TestConnection against <see cref="FakeTransferService"/> (AWS's request model checked), staging in a folder store.</summary>
public sealed class AwsConnectorProbeTests : IAsyncLifetime, IDisposable
{
    private const string ConnectorId = "c-0123456789abcdef0";
    private static readonly DeliveryTarget Target = new(DeliveryKind.AwsConnector, "/inbound", ConnectorId: ConnectorId);

    private readonly TempFolderObjectStore _store = new();
    private FakeTransferService _service = null!;

    public async Task InitializeAsync() => _service = await FakeTransferService.StartAsync(_ => FakeReply.Error(500, "InternalServiceError", "no handler"));

    public async Task DisposeAsync() => await _service.DisposeAsync();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task A_connector_that_connects_and_a_writable_staging_prefix_pass_and_leave_no_object()
    {
        _service.Handler = _ => FakeReply.Ok(new { ConnectorId, Status = "OK", StatusMessage = "Connection succeeded" });

        var checks = await ProbeAsync();

        Assert.Equal(
            [new DeliveryCheck(AwsConnectorProbe.TestConnection, DeliveryCheckOutcome.Ok), new DeliveryCheck(AwsConnectorProbe.StagingWritable, DeliveryCheckOutcome.Ok)],
            checks);
        Assert.Empty(_service.ProtocolViolations);
        Assert.Equal(ConnectorId, Assert.Single(_service.CallsOf("TestConnection")).Body.GetProperty("ConnectorId").GetString());
        Assert.Empty(_store.Keys());
    }

    [Fact]
    public async Task A_connector_that_cannot_connect_fails_with_the_services_message_and_skips_staging()
    {
        _service.Handler = _ => FakeReply.Ok(new
        {
            ConnectorId,
            Status = "ERROR",
            StatusMessage = "Verify that the trusted host key matches",
            SftpConnectionDetails = new { HostKey = "ssh-ed25519 AAAAC3Nz" },
        });

        var checks = await ProbeAsync();

        Assert.Equal(DeliveryCheckOutcome.Failed, checks[0].Outcome);
        Assert.Equal($"Connector {ConnectorId} could not connect: Verify that the trusted host key matches (the server showed ssh-ed25519 AAAAC3Nz).", checks[0].Reason);
        Assert.Equal(DeliveryCheckOutcome.Skipped, checks[1].Outcome);
    }

    [Fact]
    public async Task An_unknown_connector_fails_the_connection_check()
    {
        _service.Handler = _ => FakeReply.Error(400, "ResourceNotFoundException", $"Unknown connector {ConnectorId}");

        var checks = await ProbeAsync();

        Assert.Equal(DeliveryCheckOutcome.Failed, checks[0].Outcome);
        Assert.Contains($"Unknown connector {ConnectorId}", checks[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_source_bucket_the_staging_check_fails()
    {
        _service.Handler = _ => FakeReply.Ok(new { ConnectorId, Status = "OK" });

        var checks = await ProbeAsync(sourceBucket: null);

        Assert.Equal(DeliveryCheckOutcome.Failed, checks[1].Outcome);
        Assert.Contains("SourceBucket is not configured", checks[1].Reason, StringComparison.Ordinal);
    }

    private async Task<IReadOnlyList<DeliveryCheck>> ProbeAsync(string? sourceBucket = "reports")
    {
        using var client = _service.CreateClient();
        var probe = new AwsConnectorProbe(_store, client, Options.Create(new ConnectorDeliveryOptions { SourceBucket = sourceBucket }), NullLogger<AwsConnectorProbe>.Instance);
        return await probe.ProbeAsync(Target, default);
    }
}
