using System.Collections.Concurrent;
using System.Net;

namespace ReportingApi.IntegrationTests.Infrastructure;

/// <summary>One HTTP exchange as it went over the wire: what was sent, and the status (null when no response came).</summary>
public sealed record RecordedRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, HttpStatusCode? Status)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public bool HasQueryParameter(string name) =>
        Uri.Query.TrimStart('?').Split('&').Any(part => part.Split('=')[0] == name);
}

/// <summary>Records every request a client sends (headers included, bodies not) and passes it on unchanged.</summary>
public sealed class RecordingHandler(HttpMessageHandler inner, ConcurrentQueue<RecordedRequest> log) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .ToDictionary(header => header.Key, header => string.Join(",", header.Value), StringComparer.OrdinalIgnoreCase);
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            log.Enqueue(new RecordedRequest(request.Method, request.RequestUri!, headers, response.StatusCode));
            return response;
        }
        catch
        {
            log.Enqueue(new RecordedRequest(request.Method, request.RequestUri!, headers, null));
            throw;
        }
    }
}
