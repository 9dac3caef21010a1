using System.Collections.Concurrent;
using System.Net;

namespace ReportingApi.TestSupport.Aws;

/// <summary>
/// One HTTP exchange as it went over the wire: what was sent (the body only when the handler keeps bodies), and the
/// status and headers of the response (null and empty when no response came).
/// </summary>
public sealed record RecordedRequest(
    HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, byte[]? Body, HttpStatusCode? Status, IReadOnlyDictionary<string, string> ResponseHeaders)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public string? ResponseHeader(string name) => ResponseHeaders.TryGetValue(name, out var value) ? value : null;

    public bool HasQueryParameter(string name) =>
        Uri.Query.TrimStart('?').Split('&').Any(part => part.Split('=')[0] == name);

    /// <summary>The (still escaped) value of a query parameter; null when there is none.</summary>
    public string? QueryParameter(string name) =>
        Uri.Query.TrimStart('?').Split('&').Select(part => part.Split('=', 2)).FirstOrDefault(pair => pair[0] == name) is { Length: 2 } pair ? pair[1] : null;
}

/// <summary>
/// Records every request a client sends and the response's headers, and passes it on unchanged. Request bodies are kept
/// only with <paramref name="keepBodies"/> (small API calls; not uploads, which it would buffer whole).
/// </summary>
public sealed class RecordingHandler(HttpMessageHandler inner, ConcurrentQueue<RecordedRequest> log, bool keepBodies = false) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .ToDictionary(header => header.Key, header => string.Join(",", header.Value), StringComparer.OrdinalIgnoreCase);
        var body = keepBodies && request.Content is not null ? await request.Content.ReadAsByteArrayAsync(cancellationToken) : null;
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            var responseHeaders = response.Headers.Concat(response.Content.Headers)
                .ToDictionary(header => header.Key, header => string.Join(",", header.Value), StringComparer.OrdinalIgnoreCase);
            log.Enqueue(new RecordedRequest(request.Method, request.RequestUri!, headers, body, response.StatusCode, responseHeaders));
            return response;
        }
        catch
        {
            log.Enqueue(new RecordedRequest(request.Method, request.RequestUri!, headers, body, null, new Dictionary<string, string>()));
            throw;
        }
    }
}
