using System.Net;
using System.Net.Http.Headers;
using Amazon.Runtime;
using Lambda.Hosting.Events;
using Microsoft.Extensions.Options;
using ReportingApi.Aws;

namespace ReportingApi.Runs.Lambda;

/// <summary>
/// On Lambda, hands a run to the function itself: Lambda <c>Invoke</c> with <c>X-Amz-Invocation-Type: Event</c>
/// (asynchronous; Lambda queues the event and answers 202), SigV4 service <c>lambda</c>. The event is the app
/// invocation <c>{"kind": "report-run", "payload": {"runId": ...}}</c> handled by <see cref="ReportRunInvocationHandler"/>.
/// </summary>
public sealed class LambdaRunDispatcher : IRunDispatcher, IDisposable
{
    public const string FunctionNameVariable = "AWS_LAMBDA_FUNCTION_NAME";
    public const string InvocationTypeHeader = "X-Amz-Invocation-Type";
    public const string EventInvocationType = "Event";

    private const string SigningService = "lambda";
    private const string JsonContentType = "application/json";

    private readonly Lazy<HttpClient> _http;
    private readonly Uri? _invokeUri;
    private readonly string? _configurationProblem;

    /// <summary>Uses the default AWS credential chain (the function's role on Lambda).</summary>
    public LambdaRunDispatcher(IOptions<LambdaRunsOptions> options)
        : this(options.Value, new DefaultChainCredentials())
    {
    }

    /// <param name="credentials">Asked for on every request, so refreshing credentials work.</param>
    /// <param name="transport">The handler below the signer (tests); by default a pooled one.</param>
    public LambdaRunDispatcher(LambdaRunsOptions options, AWSCredentials credentials, HttpMessageHandler? transport = null)
    {
        var functionName = string.IsNullOrWhiteSpace(options.FunctionName) ? Environment.GetEnvironmentVariable(FunctionNameVariable) : options.FunctionName;
        var region = AwsJsonService.ResolveRegion(options.Region);
        if (string.IsNullOrWhiteSpace(functionName))
        {
            _configurationProblem = $"No function to invoke for runs: set {LambdaRunsOptions.Section}:FunctionName or {FunctionNameVariable}.";
        }
        else if (region is null)
        {
            _configurationProblem = $"No AWS region for Lambda: set {LambdaRunsOptions.Section}:Region or AWS_REGION.";
        }
        else
        {
            var endpoint = AwsJsonService.ResolveEndpoint(SigningService, region, options.ServiceUrl);
            // A function ARN or "name:alias" holds colons: the name is one escaped path segment.
            _invokeUri = new Uri(endpoint, $"2015-03-31/functions/{Uri.EscapeDataString(functionName.Trim())}/invocations");
        }

        _http = new Lazy<HttpClient>(() => region is null
            ? throw new InvalidOperationException(_configurationProblem)
            : AwsJsonService.CreateSigningClient(credentials, region, SigningService, options.RequestTimeout, transport));
    }

    /// <summary>The URI runs are posted to (null while the function or region is unknown).</summary>
    public Uri? InvokeUri => _invokeUri;

    /// <summary>
    /// Sends the run to the function. Throws <see cref="RunDispatchException"/> when Lambda does not accept the event;
    /// the run then stays queued in the database and the next scheduled tick executes it.
    /// </summary>
    public async ValueTask EnqueueAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        if (_invokeUri is null)
        {
            throw new RunDispatchException("MissingConfiguration", _configurationProblem!);
        }

        using var message = new HttpRequestMessage(HttpMethod.Post, _invokeUri);
        message.Headers.TryAddWithoutValidation(InvocationTypeHeader, EventInvocationType);
        message.Content = new ByteArrayContent(AppInvocation.ToEventJson(ReportRunInvocationHandler.Kind, new ReportRunInvocation(runId)));
        message.Content.Headers.ContentType = new MediaTypeHeaderValue(JsonContentType);

        HttpResponseMessage response;
        try
        {
            response = await _http.Value.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new RunDispatchException("NetworkError", $"Lambda Invoke for run {runId} failed: {e.Message}", e);
        }
        catch (AmazonClientException e)
        {
            // The signer could not get credentials; nothing was sent.
            throw new RunDispatchException("MissingCredentials", $"Lambda Invoke for run {runId} could not be signed: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RunDispatchException("RequestTimeout", $"Lambda Invoke for run {runId} got no answer in time.", e);
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                return;
            }

            // Lambda's REST errors carry the same x-amzn-ErrorType header and message body as JSON 1.1 ones.
            var content = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var (errorType, awsMessage) = AwsJsonService.ReadError(response, content);
            throw new RunDispatchException(
                errorType, $"Lambda Invoke for run {runId} answered HTTP {(int)response.StatusCode} {errorType}: {awsMessage ?? "no message"}");
        }
    }

    public void Dispose()
    {
        if (_http.IsValueCreated)
        {
            _http.Value.Dispose();
        }
    }
}

/// <summary>The payload of a <c>report-run</c> app invocation.</summary>
public sealed record ReportRunInvocation(string RunId);

/// <summary>A run could not be handed over for execution; it stays queued and is picked up later.</summary>
public sealed class RunDispatchException(string errorType, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>AWS's error code (e.g. <c>ResourceNotFoundException</c>, <c>TooManyRequestsException</c>) or the client's own.</summary>
    public string ErrorType { get; } = errorType;
}
