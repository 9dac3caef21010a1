using System.Globalization;
using System.Net.Http.Headers;

namespace Lambda.Hosting.RuntimeApi;

/// <summary>
/// Client of the Lambda Runtime API (<c>http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/...</c>).
/// </summary>
internal sealed class RuntimeApiClient : IDisposable
{
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    private readonly HttpClient _http;

    /// <param name="runtimeApiAddress">host:port, as in <c>AWS_LAMBDA_RUNTIME_API</c>.</param>
    public RuntimeApiClient(string runtimeApiAddress)
    {
        _http = new HttpClient
        {
            BaseAddress = new Uri($"http://{runtimeApiAddress}/"),
            // /next blocks until an event arrives, which can be any time later (the environment is frozen meanwhile).
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public async Task<LambdaInvocation> GetNextInvocationAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(RuntimeApiProtocol.NextInvocationPath, cancellationToken);
        response.EnsureSuccessStatusCode();
        var requestId = SingleHeader(response, RuntimeApiProtocol.RequestIdHeader)
            ?? throw new InvalidOperationException($"The Runtime API sent an event without {RuntimeApiProtocol.RequestIdHeader}.");
        var deadline = long.TryParse(SingleHeader(response, RuntimeApiProtocol.DeadlineHeader), NumberStyles.None, CultureInfo.InvariantCulture, out var deadlineMs)
            ? DateTimeOffset.FromUnixTimeMilliseconds(deadlineMs)
            : DateTimeOffset.MaxValue;
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new LambdaInvocation(
            requestId,
            deadline,
            SingleHeader(response, RuntimeApiProtocol.FunctionArnHeader),
            SingleHeader(response, RuntimeApiProtocol.TraceIdHeader),
            body);
    }

    public async Task PostResponseAsync(string requestId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        using var content = new ReadOnlyMemoryContent(payload);
        content.Headers.ContentType = JsonContentType;
        using var response = await _http.PostAsync(RuntimeApiProtocol.ResponsePath(requestId), content, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>SnapStart: blocks while the snapshot is taken and until this copy is restored from it.</summary>
    public async Task WaitForRestoreAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(RuntimeApiProtocol.RestoreNextPath, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public Task PostRestoreErrorAsync(Exception error, CancellationToken cancellationToken) =>
        PostErrorAsync(RuntimeApiProtocol.RestoreErrorPath, error, cancellationToken);

    public Task PostInvocationErrorAsync(string requestId, Exception error, CancellationToken cancellationToken) =>
        PostErrorAsync(RuntimeApiProtocol.InvocationErrorPath(requestId), error, cancellationToken);

    public Task PostInitErrorAsync(Exception error, CancellationToken cancellationToken) =>
        PostErrorAsync(RuntimeApiProtocol.InitErrorPath, error, cancellationToken);

    /// <summary>For the unhandled-exception handler, which cannot await.</summary>
    public void PostInitError(Exception error)
    {
        using var request = ErrorRequest(RuntimeApiProtocol.InitErrorPath, error);
        using var response = _http.Send(request);
        response.EnsureSuccessStatusCode();
    }

    public void Dispose() => _http.Dispose();

    private async Task PostErrorAsync(string path, Exception error, CancellationToken cancellationToken)
    {
        using var request = ErrorRequest(path, error);
        using var response = await _http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    private static HttpRequestMessage ErrorRequest(string path, Exception error)
    {
        var lambdaError = LambdaError.From(error);
        var content = new ByteArrayContent(lambdaError.ToJson());
        content.Headers.ContentType = JsonContentType;
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.TryAddWithoutValidation(RuntimeApiProtocol.ErrorTypeHeader, lambdaError.ErrorType);
        return request;
    }

    private static string? SingleHeader(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
