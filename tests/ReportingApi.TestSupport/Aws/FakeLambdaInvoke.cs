using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;


namespace ReportingApi.TestSupport.Aws;

/// <summary>
/// A loopback stand-in for Lambda's <c>Invoke</c> REST endpoint: records every request as it arrived (method, raw
/// target, headers, body) and answers 202, or <see cref="ErrorStatus"/> with AWS's error shape when that is set.
/// </summary>
public sealed class FakeLambdaInvoke : LoopbackFake
{
    public const string AccessKey = "AKIDFAKELAMBDA000001";
    public const string SecretKey = "fake/secret+key/for/the/lambda/fake00001";
    public const string Region = "eu-central-1";

    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();

    public sealed record ReceivedRequest(string Method, string RawTarget, string Path, string Query, IReadOnlyDictionary<string, string> Headers, byte[] Body);

    public IReadOnlyList<ReceivedRequest> Requests => [.. _requests];

    /// <summary>When set, every request is answered with this status and <see cref="ErrorType"/>.</summary>
    public int? ErrorStatus { get; set; }

    public string ErrorType { get; set; } = "ResourceNotFoundException";

    public static Task<FakeLambdaInvoke> StartAsync() => StartAsync(new FakeLambdaInvoke());

    protected override async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var rawTarget = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        _requests.Enqueue(new ReceivedRequest(
            context.Request.Method, rawTarget, context.Request.Path.ToString(), context.Request.QueryString.ToString(), headers, buffer.ToArray()));

        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        if (ErrorStatus is { } status)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.Headers["x-amzn-ErrorType"] = ErrorType;
            await context.Response.WriteAsync($$"""{"Type":"User","message":"Function not found: {{rawTarget}}"}""");
            return;
        }

        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }
}
