using System.Text.Json;
using Amazon.Runtime;
using ReportingApi.Aws.Transfer;
using ReportingApi.Delivery.Connector;
using ReportingApi.TestSupport.Aws;

namespace ReportingApi.Tests.Delivery;

/// <summary>
/// The Transfer Family client: the connector operations moto lacks against <see cref="FakeTransferService"/> (which checks
/// signatures and AWS's model of each request).
/// </summary>
public sealed class TransferConnectorClientTests : IAsyncLifetime
{
    private const string ConnectorId = "c-0123456789abcdef0";
    private FakeTransferService _service = null!;

    public async Task InitializeAsync() => _service = await FakeTransferService.StartAsync(_ => FakeReply.Error(500, "InternalServiceError", "no handler"));

    public async Task DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task StartFileTransfer_sends_a_signed_JSON_1_1_request_with_the_AWS_member_names()
    {
        _service.Handler = _ => FakeReply.Ok(new { TransferId = "t-1" });
        using var client = _service.CreateClient();

        var started = await client.StartFileTransferAsync(ConnectorId, ["/bucket/staging/a.csv.part"], "/inbound", default);

        Assert.Empty(_service.ProtocolViolations);
        var call = Assert.Single(_service.Calls);
        Assert.Equal("StartFileTransfer", call.Operation);
        Assert.Equal("TransferService.StartFileTransfer", call.Headers["X-Amz-Target"]);
        Assert.StartsWith($"AWS4-HMAC-SHA256 Credential={FakeTransferService.AccessKey}/", call.Headers["Authorization"], StringComparison.Ordinal);
        Assert.Contains($"/{FakeTransferService.Region}/transfer/aws4_request, SignedHeaders=", call.Headers["Authorization"], StringComparison.Ordinal);
        Assert.Equal(["ConnectorId", "RemoteDirectoryPath", "SendFilePaths"], MemberNames(call.Body));
        Assert.Equal(ConnectorId, call.Body.GetProperty("ConnectorId").GetString());
        Assert.Equal("/inbound", call.Body.GetProperty("RemoteDirectoryPath").GetString());
        Assert.Equal(["/bucket/staging/a.csv.part"], Strings(call.Body.GetProperty("SendFilePaths")));
        var transfer = Assert.Single(started);
        Assert.Equal("t-1", transfer.TransferId);
        Assert.Equal(["/bucket/staging/a.csv.part"], transfer.SendFilePaths);
    }

    [Fact]
    public async Task More_than_ten_files_are_sent_in_calls_of_at_most_ten_in_order()
    {
        var transferIds = 0;
        _service.Handler = _ => FakeReply.Ok(new { TransferId = $"t-{Interlocked.Increment(ref transferIds)}" });
        using var client = _service.CreateClient();
        var paths = Enumerable.Range(1, 23).Select(i => $"/bucket/staging/file{i:00}.part").ToList();

        var started = await client.StartFileTransferAsync(ConnectorId, paths, "/inbound", default);

        Assert.Empty(_service.ProtocolViolations);
        var calls = _service.CallsOf("StartFileTransfer");
        Assert.Equal([10, 10, 3], calls.Select(c => c.Body.GetProperty("SendFilePaths").GetArrayLength()));
        Assert.Equal(paths, calls.SelectMany(c => Strings(c.Body.GetProperty("SendFilePaths"))));
        Assert.Equal(["t-1", "t-2", "t-3"], started.Select(s => s.TransferId));
        Assert.Equal(paths, started.SelectMany(s => s.SendFilePaths));
    }

    [Fact]
    public async Task ListFileTransferResults_follows_NextToken_and_reads_every_result_member()
    {
        _service.Handler = call => call.Body.TryGetProperty("NextToken", out _)
            ? FakeReply.Ok(new
            {
                FileTransferResults = new[] { new { FilePath = "/bucket/k/c.part", StatusCode = "FAILED", FailureCode = "SFTP_ERROR", FailureMessage = "disk full" } },
            })
            : FakeReply.Ok(new
            {
                FileTransferResults = new object[]
                {
                    new { FilePath = "/bucket/k/a.part", StatusCode = "COMPLETED" },
                    new { FilePath = "/bucket/k/b.part", StatusCode = "IN_PROGRESS" },
                },
                NextToken = "page-2",
            });
        using var client = _service.CreateClient();

        var results = await client.ListAllFileTransferResultsAsync(ConnectorId, "t-1", default);

        Assert.Empty(_service.ProtocolViolations);
        var calls = _service.CallsOf("ListFileTransferResults");
        Assert.Equal(2, calls.Count);
        Assert.Equal(["ConnectorId", "TransferId"], MemberNames(calls[0].Body));
        Assert.Equal("t-1", calls[0].Body.GetProperty("TransferId").GetString());
        Assert.Equal("page-2", calls[1].Body.GetProperty("NextToken").GetString());
        Assert.Equal(
            [
                new ConnectorFileTransferResult("/bucket/k/a.part", FileTransferStatusCodes.Completed),
                new ConnectorFileTransferResult("/bucket/k/b.part", FileTransferStatusCodes.InProgress),
                new ConnectorFileTransferResult("/bucket/k/c.part", FileTransferStatusCodes.Failed, "SFTP_ERROR", "disk full"),
            ],
            results);
    }

    [Fact]
    public async Task StartRemoteMove_and_TestConnection_use_the_AWS_shapes()
    {
        _service.Handler = call => call.Operation switch
        {
            "StartRemoteMove" => FakeReply.Ok(new { MoveId = "m-1" }),
            "TestConnection" => FakeReply.Ok(new
            {
                ConnectorId,
                Status = "ERROR",
                StatusMessage = "Verify that the trusted host key matches",
                SftpConnectionDetails = new { HostKey = "ssh-ed25519 AAAAC3Nz" },
            }),
            _ => FakeReply.Error(400, "InvalidRequestException", "unexpected"),
        };
        using var client = _service.CreateClient();

        var moveId = await client.StartRemoteMoveAsync(ConnectorId, "/inbound/a.csv.part", "/inbound/a.csv", default);
        var test = await client.TestConnectionAsync(ConnectorId, default);

        Assert.Empty(_service.ProtocolViolations);
        Assert.Equal("m-1", moveId);
        var move = Assert.Single(_service.CallsOf("StartRemoteMove"));
        Assert.Equal(["ConnectorId", "SourcePath", "TargetPath"], MemberNames(move.Body));
        Assert.Equal("/inbound/a.csv.part", move.Body.GetProperty("SourcePath").GetString());
        Assert.Equal("/inbound/a.csv", move.Body.GetProperty("TargetPath").GetString());
        Assert.Equal(["ConnectorId"], MemberNames(Assert.Single(_service.CallsOf("TestConnection")).Body));
        Assert.False(test.Succeeded);
        Assert.Equal("Verify that the trusted host key matches", test.StatusMessage);
        Assert.Equal("ssh-ed25519 AAAAC3Nz", test.SftpConnectionDetails!.HostKey);
    }

    [Fact]
    public async Task Throttling_is_retried_with_backoff_and_then_succeeds()
    {
        var attempts = 0;
        _service.Handler = _ => Interlocked.Increment(ref attempts) <= 2
            ? FakeReply.Error(400, "com.amazonaws.transfer#ThrottlingException", "Rate exceeded")
            : FakeReply.Ok(new { MoveId = "m-after-throttling" });
        using var client = _service.CreateClient(o => o.MaxAttempts = 3);

        var moveId = await client.StartRemoteMoveAsync(ConnectorId, "/in/a.part", "/in/a", default);

        Assert.Equal("m-after-throttling", moveId);
        Assert.Equal(3, _service.CallsOf("StartRemoteMove").Count);
        Assert.Empty(_service.ProtocolViolations);
    }

    [Fact]
    public async Task ServiceUnavailable_named_in_the_error_type_header_is_retried()
    {
        var attempts = 0;
        _service.Handler = _ => Interlocked.Increment(ref attempts) == 1
            ? new FakeReply(503, """{"Message":"Service is unavailable"}""", "ServiceUnavailableException:http://internal.amazon.com/coral/com.amazonaws.transfer/")
            : FakeReply.Ok(new { MoveId = "m-1" });
        using var client = _service.CreateClient();

        var moveId = await client.StartRemoteMoveAsync(ConnectorId, "/in/a.part", "/in/a", default);

        Assert.Equal("m-1", moveId);
        Assert.Equal(2, _service.Calls.Count);
    }

    [Fact]
    public async Task Throttling_that_outlasts_the_attempts_surfaces_as_the_typed_exception()
    {
        _service.Handler = _ => FakeReply.Error(400, "ThrottlingException", "Rate exceeded");
        using var client = _service.CreateClient(o => o.MaxAttempts = 3);

        var error = await Assert.ThrowsAsync<TransferThrottlingException>(() => client.StartRemoteMoveAsync(ConnectorId, "/in/a.part", "/in/a", default));

        Assert.Equal(3, _service.Calls.Count);
        Assert.Equal("ThrottlingException", error.ErrorType);
        Assert.Equal(400, error.StatusCode);
        Assert.True(error.IsRetryable);
        Assert.Contains("Rate exceeded", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_that_AWSs_model_refuses_is_a_validation_error_that_is_not_retried()
    {
        _service.Handler = _ => FakeReply.Ok(new { TransferId = "t-1" });
        using var client = _service.CreateClient();

        var error = await Assert.ThrowsAsync<TransferValidationException>(
            () => client.StartFileTransferAsync("c-bad", ["/bucket/a.part"], "/inbound", default));

        Assert.Single(_service.Calls);
        Assert.Equal("ValidationException", error.ErrorType);
        Assert.Equal(400, error.StatusCode);
        Assert.False(error.IsRetryable);
        Assert.Contains("StartFileTransfer.ConnectorId has 5 characters, fewer than 19", error.Message, StringComparison.Ordinal);
        Assert.Contains("StartFileTransfer.ConnectorId 'c-bad' does not match c-([0-9a-f]{17})", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ResourceNotFoundException", typeof(TransferResourceNotFoundException))]
    [InlineData("AccessDeniedException", typeof(TransferAccessDeniedException))]
    [InlineData("InvalidRequestException", typeof(TransferValidationException))]
    public async Task Other_client_errors_are_not_retried(string errorType, Type expected)
    {
        _service.Handler = _ => FakeReply.Error(400, errorType, "refused");
        using var client = _service.CreateClient();

        var error = await Assert.ThrowsAnyAsync<TransferServiceException>(() => client.StartRemoteMoveAsync(ConnectorId, "/in/a.part", "/in/a", default));

        Assert.IsType(expected, error);
        Assert.Equal(errorType, error.ErrorType);
        Assert.Single(_service.Calls);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_retried_then_reported_as_unavailable()
    {
        var closedPort = FreeLoopbackPort();
        using var client = new TransferConnectorClient(
            _service.Options(o => o.ServiceUrl = $"http://127.0.0.1:{closedPort}/"),
            new BasicAWSCredentials(FakeTransferService.AccessKey, FakeTransferService.SecretKey),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<TransferConnectorClient>.Instance);

        var error = await Assert.ThrowsAsync<TransferServiceUnavailableException>(() => client.StartRemoteMoveAsync(ConnectorId, "/in/a.part", "/in/a", default));

        Assert.Equal("NetworkError", error.ErrorType);
        Assert.True(error.IsRetryable);
    }

    [Fact]
    public async Task Requests_carry_the_session_token_of_temporary_credentials()
    {
        _service.Handler = _ => FakeReply.Ok(new { MoveId = "m-1" });
        using var client = _service.CreateClient(credentials: new SessionAWSCredentials(FakeTransferService.AccessKey, FakeTransferService.SecretKey, "token-1"));

        await client.StartRemoteMoveAsync(ConnectorId, "/in/a.part", "/in/a", default);

        Assert.Empty(_service.ProtocolViolations);
        Assert.Equal("token-1", Assert.Single(_service.Calls).Headers["X-Amz-Security-Token"]);
    }

    [Fact]
    public async Task The_fake_service_refuses_a_request_signed_with_another_secret()
    {
        // Shows that the fake's signature check is live, so the passing tests above mean the signatures verify.
        _service.Handler = _ => FakeReply.Ok(new { MoveId = "m-1" });
        using var client = _service.CreateClient(credentials: new BasicAWSCredentials(FakeTransferService.AccessKey, "another-secret"));

        var error = await Assert.ThrowsAsync<TransferAccessDeniedException>(() => client.StartRemoteMoveAsync(ConnectorId, "/in/a.part", "/in/a", default));

        Assert.Equal("InvalidSignatureException", error.ErrorType);
        Assert.Equal(403, error.StatusCode);
        Assert.Contains("StartRemoteMove: signature does not match", _service.ProtocolViolations);
    }

    [Fact]
    public async Task Credentials_that_cannot_be_found_fail_before_anything_is_sent()
    {
        using var client = _service.CreateClient(credentials: new UnavailableCredentials());

        var error = await Assert.ThrowsAsync<TransferServiceException>(() => client.StartRemoteMoveAsync(ConnectorId, "/in/a.part", "/in/a", default));

        Assert.Equal("MissingCredentials", error.ErrorType);
        Assert.False(error.IsRetryable);
        Assert.Empty(_service.Calls);
    }

    [Fact]
    public void The_endpoint_follows_the_region_unless_overridden()
    {
        using var client = new TransferConnectorClient(
            new TransferOptions { Region = "eu-central-1" },
            new BasicAWSCredentials("a", "b"),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<TransferConnectorClient>.Instance);

        Assert.Equal(new Uri("https://transfer.eu-central-1.amazonaws.com/"), client.Endpoint);
    }

    /// <summary>What the default chain does when no source has credentials.</summary>
    private sealed class UnavailableCredentials : AWSCredentials
    {
        public override ImmutableCredentials GetCredentials() => throw new AmazonClientException("Failed to resolve AWS credentials.");

        public override Task<ImmutableCredentials> GetCredentialsAsync() => throw new AmazonClientException("Failed to resolve AWS credentials.");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static List<string> MemberNames(JsonElement body) => [.. body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];

    private static List<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
