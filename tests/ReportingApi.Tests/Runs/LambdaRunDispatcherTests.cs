using ReportingApi.TestSupport.Aws;
using System.Text.Json;
using Amazon.Runtime;
using ReportingApi.Runs.Lambda;
using ReportingApi.Tests.Transfer;

namespace ReportingApi.Tests.Runs;

public sealed class LambdaRunDispatcherTests : IAsyncLifetime
{
    private FakeLambdaInvoke _lambda = null!;

    public async Task InitializeAsync() => _lambda = await FakeLambdaInvoke.StartAsync();

    public async Task DisposeAsync() => await _lambda.DisposeAsync();

    [Fact]
    public async Task A_run_is_sent_to_the_function_as_a_signed_asynchronous_report_run_invocation()
    {
        using var dispatcher = CreateDispatcher("reports-fn:live");

        await dispatcher.EnqueueAsync("run-123");

        var request = Assert.Single(_lambda.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/2015-03-31/functions/reports-fn%3Alive/invocations", request.RawTarget);
        Assert.Equal("Event", request.Headers["X-Amz-Invocation-Type"]);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);

        var authorization = SigV4Verifier.Parse(request.Headers.GetValueOrDefault("Authorization"));
        Assert.NotNull(authorization);
        Assert.Contains($"/{FakeLambdaInvoke.Region}/lambda/aws4_request", request.Headers["Authorization"], StringComparison.Ordinal);
        Assert.Equal(FakeLambdaInvoke.AccessKey, authorization.AccessKey);
        Assert.Contains("x-amz-invocation-type", authorization.SignedHeaders);

        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("report-run", body.RootElement.GetProperty("kind").GetString());
        Assert.Equal("run-123", body.RootElement.GetProperty("payload").GetProperty("runId").GetString());
    }

    [Fact]
    public async Task The_signature_verifies_for_a_plain_function_name()
    {
        using var dispatcher = CreateDispatcher("reports-fn");

        await dispatcher.EnqueueAsync("run-456");

        var request = Assert.Single(_lambda.Requests);
        Assert.Equal("/2015-03-31/functions/reports-fn/invocations", request.RawTarget);
        Assert.Null(SigV4Verifier.Verify(request.Method, request.Path, request.Query, request.Headers, request.Body, FakeLambdaInvoke.SecretKey));
    }

    [Fact]
    public async Task An_aws_error_becomes_an_exception_with_the_error_type()
    {
        _lambda.ErrorStatus = 404;
        using var dispatcher = CreateDispatcher("missing-fn");

        var exception = await Assert.ThrowsAsync<RunDispatchException>(async () => await dispatcher.EnqueueAsync("run-789"));

        Assert.Equal("ResourceNotFoundException", exception.ErrorType);
        Assert.Contains("404", exception.Message, StringComparison.Ordinal);
        Assert.Contains("run-789", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeLambdaInvoke.SecretKey, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_throttled_invoke_is_not_taken_for_accepted()
    {
        _lambda.ErrorStatus = 429;
        _lambda.ErrorType = "TooManyRequestsException";
        using var dispatcher = CreateDispatcher("reports-fn");

        var exception = await Assert.ThrowsAsync<RunDispatchException>(async () => await dispatcher.EnqueueAsync("run-1"));

        Assert.Equal("TooManyRequestsException", exception.ErrorType);
    }

    private LambdaRunDispatcher CreateDispatcher(string functionName) => new(
        new LambdaRunsOptions { FunctionName = functionName, Region = FakeLambdaInvoke.Region, ServiceUrl = _lambda.Url.ToString() },
        new BasicAWSCredentials(FakeLambdaInvoke.AccessKey, FakeLambdaInvoke.SecretKey));
}
