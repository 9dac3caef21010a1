using System.Text;
using Lambda.Hosting.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lambda.Hosting.Tests.Infrastructure;

/// <summary>A JSON body bound by a minimal API.</summary>
public sealed record BoundBody(string Report, string Note);

/// <summary>Per-request service, to see that each request gets its own DI scope.</summary>
public sealed class ScopedMarker
{
    public Guid Id { get; } = Guid.NewGuid();
}

/// <summary>
/// A tiny app served through the Lambda bridge from a <see cref="FakeRuntimeApi"/>, with endpoints that echo what
/// they saw or produce the responses the tests check.
/// </summary>
public sealed class EchoApp : IAsyncLifetime
{
    public const string ResponseTooLargeDetail = "Too large for Lambda: use POST /v1/report-runs.";
    public const int BinaryByteCount = 256;

    private WebApplication? _app;

    public FakeRuntimeApi Runtime { get; private set; } = null!;

    /// <summary>Set by the OnCompleted callback of <c>/callbacks</c>, after the response was posted.</summary>
    public TaskCompletionSource<bool> CallbackCompleted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task InitializeAsync()
    {
        Runtime = await FakeRuntimeApi.StartAsync();
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration["LambdaHosting:ResponseTooLargeDetail"] = ResponseTooLargeDetail;
        builder.Services.AddLambdaServer(Runtime.Address);
        builder.Services.AddScoped<ScopedMarker>();
        _app = builder.Build();
        Map(_app);
        // Completes although no event is queued: the poll loop must run in the background.
        await _app.StartAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        await Runtime.DisposeAsync();
    }

    private void Map(WebApplication app)
    {
        app.Map("/echo/{**rest}", (Delegate)EchoAsync);
        // Minimal API body binding, which needs the server to say that the request can have a body.
        app.MapPut("/bound", (BoundBody body) => TypedResults.Ok(body));
        app.MapGet("/bytes", (int count) => TypedResults.Bytes(Pattern(count), "application/octet-stream"));
        app.MapGet("/text", (int count) => TypedResults.Text(new string('a', count), "text/csv; charset=utf-8"));
        app.MapGet("/pdf-sync", (HttpContext context) =>
        {
            // A synchronous writer, like OpenXmlWriter.
            context.Response.ContentType = "application/pdf";
            context.Response.Body.Write(Pattern(BinaryByteCount));
            return Task.CompletedTask;
        });
        app.MapGet("/cookies", (HttpContext context) =>
        {
            context.Response.Cookies.Append("session", "abc");
            context.Response.Cookies.Append("theme", "dark");
            context.Response.Headers.Append("X-Multi", "one");
            context.Response.Headers.Append("X-Multi", "two");
            return TypedResults.NoContent();
        });
        app.MapGet("/callbacks", async (HttpContext context) =>
        {
            context.Response.OnStarting(() =>
            {
                context.Response.Headers["X-Started"] = "yes";
                return Task.CompletedTask;
            });
            context.Response.OnCompleted(() =>
            {
                CallbackCompleted.TrySetResult(true);
                return Task.CompletedTask;
            });
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("ok");
        });
        app.MapGet("/throws", IResult () => throw new InvalidOperationException("app failure"));
        app.MapGet("/throws-after-start", async (HttpContext context) =>
        {
            await context.Response.WriteAsync("partial");
            await context.Response.Body.FlushAsync();
            throw new InvalidOperationException("app failure after start");
        });
        app.MapGet("/scoped", (ScopedMarker first, HttpContext context) =>
            TypedResults.Ok(new { first = first.Id, second = context.RequestServices.GetRequiredService<ScopedMarker>().Id }));
    }

    private static byte[] Pattern(int count) => Enumerable.Range(0, count).Select(i => (byte)i).ToArray();

    private static async Task<IResult> EchoAsync(HttpContext context)
    {
        var request = context.Request;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        var invocation = context.Features.Get<ILambdaInvocationFeature>()?.Invocation;
        return TypedResults.Json(new
        {
            method = request.Method,
            scheme = request.Scheme,
            pathBase = request.PathBase.Value,
            path = request.Path.Value,
            queryString = request.QueryString.Value,
            rawTarget = context.Features.Get<IHttpRequestFeature>()!.RawTarget,
            query = request.Query.ToDictionary(pair => pair.Key, pair => pair.Value.ToArray()),
            headers = request.Headers.ToDictionary(pair => pair.Key.ToLowerInvariant(), pair => pair.Value.ToArray()),
            cookies = request.Cookies.ToDictionary(pair => pair.Key, pair => pair.Value),
            contentLength = request.ContentLength,
            bodyBase64 = Convert.ToBase64String(body.ToArray()),
            bodyText = Encoding.UTF8.GetString(body.ToArray()),
            remoteIp = context.Connection.RemoteIpAddress?.ToString(),
            traceIdentifier = context.TraceIdentifier,
            authenticated = context.User.Identity?.IsAuthenticated ?? false,
            authenticationType = context.User.Identity?.AuthenticationType,
            claims = context.User.Claims.Select(claim => new[] { claim.Type, claim.Value }).ToArray(),
            lambdaRequestId = invocation?.RequestId,
            functionArn = invocation?.InvokedFunctionArn,
            deadline = invocation?.Deadline.ToUnixTimeMilliseconds(),
            traceEnvironment = Environment.GetEnvironmentVariable("_X_AMZN_TRACE_ID"),
        });
    }
}
