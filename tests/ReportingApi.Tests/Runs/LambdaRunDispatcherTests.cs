using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Amazon.Runtime;
using ReportingApi.Runs.Lambda;
using ReportingApi.TestSupport.Aws;

namespace ReportingApi.Tests.Runs;

/// <summary>
/// The self-invoking dispatcher against Lambda on moto (without Docker: moto accepts the Event invocation and runs
/// nothing), which checks the signature and that the caller may <c>lambda:InvokeFunction</c>, and answers 202.
/// Measured on moto 5.2.1 without Docker, and so not checked here: it accepts an Event invocation of a function or alias
/// that does not exist, a payload of 300 KB (Lambda's limit for Event is 256 KB) and a body that is not JSON. The tests
/// check what the dispatcher sends itself: the request recorded under its signer.
/// </summary>
public sealed class LambdaRunDispatcherTests : IAsyncLifetime
{
    private readonly string _functionName = "reports-fn-" + Guid.NewGuid().ToString("N")[..8];
    private readonly ConcurrentQueue<RecordedRequest> _sent = new();
    private MotoServer _moto = null!;

    public async Task InitializeAsync()
    {
        _moto = await MotoServer.SharedAsync();
        await _moto.CreateFunctionAsync(_functionName);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_run_is_sent_to_the_function_as_a_signed_asynchronous_report_run_invocation()
    {
        using var dispatcher = CreateDispatcher(_functionName);

        await dispatcher.EnqueueAsync("run-123");

        var request = Assert.Single(_sent);
        Assert.Equal(HttpStatusCode.Accepted, request.Status);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal($"/2015-03-31/functions/{_functionName}/invocations", request.Uri.AbsolutePath);
        Assert.Equal("Event", request.Header("X-Amz-Invocation-Type"));
        Assert.StartsWith("application/json", request.Header("Content-Type"), StringComparison.Ordinal);
        var authorization = SigV4Verifier.Parse(request.Header("Authorization"));
        Assert.NotNull(authorization);
        Assert.Equal((MotoServer.Region, "lambda"), (authorization.Region, authorization.Service));
        Assert.Contains("x-amz-invocation-type", authorization.SignedHeaders);

        using var body = JsonDocument.Parse(request.Body!);
        Assert.Equal("report-run", body.RootElement.GetProperty("kind").GetString());
        Assert.Equal("run-123", body.RootElement.GetProperty("payload").GetProperty("runId").GetString());
    }

    [Fact]
    public void A_qualified_function_name_is_one_escaped_path_segment()
    {
        // Not sent to moto: moto 5.2.1 checks the signature over the decoded path, so the %3A of "name:alias" (which
        // AWS's SDKs send the same way) fails its check although AWS accepts it (measured: SignatureDoesNotMatch).
        using var dispatcher = CreateDispatcher(_functionName + ":live");

        Assert.Equal($"{_moto.ServiceUrl}2015-03-31/functions/{_functionName}%3Alive/invocations", dispatcher.InvokeUri!.AbsoluteUri);
    }

    [Fact]
    public async Task A_caller_without_lambda_InvokeFunction_gets_an_exception_with_the_error_type_and_no_secret()
    {
        using var dispatcher = CreateDispatcher(_functionName, _moto.OutsiderCredentials);

        var exception = await Assert.ThrowsAsync<RunDispatchException>(async () => await dispatcher.EnqueueAsync("run-789"));

        Assert.Equal("AccessDenied", exception.ErrorType);
        Assert.Contains("403", exception.Message, StringComparison.Ordinal);
        Assert.Contains("run-789", exception.Message, StringComparison.Ordinal);
        Assert.Contains("is not authorized to perform: lambda:Invoke", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_moto.OutsiderCredentials.GetCredentials().SecretKey, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_signature_is_not_taken_for_accepted()
    {
        var appKey = _moto.AppCredentials.GetCredentials().AccessKey;
        using var dispatcher = CreateDispatcher(_functionName, new BasicAWSCredentials(appKey, "not-the-secret-key-of-that-access-key"));

        var exception = await Assert.ThrowsAsync<RunDispatchException>(async () => await dispatcher.EnqueueAsync("run-1"));

        Assert.Equal("SignatureDoesNotMatch", exception.ErrorType);
    }

    private LambdaRunDispatcher CreateDispatcher(string functionName, AWSCredentials? credentials = null) => new(
        new LambdaRunsOptions { FunctionName = functionName, Region = MotoServer.Region, ServiceUrl = _moto.ServiceUrl },
        credentials ?? _moto.AppCredentials,
        new RecordingHandler(_moto.CreateTransport(), _sent, keepBodies: true));
}
