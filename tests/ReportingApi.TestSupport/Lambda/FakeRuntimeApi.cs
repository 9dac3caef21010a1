using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ReportingApi.TestSupport.Lambda;

/// <summary>What the function posted back for one invocation (or for init).</summary>
public sealed record RuntimePost(string Kind, string Path, string? ContentType, string? ErrorTypeHeader, byte[] Body);

/// <summary>
/// A Lambda Runtime API on loopback (Kestrel): hands out queued events from <c>/next</c> with the Runtime API's
/// headers and records what arrives on <c>/response</c>, <c>/error</c> and <c>/init/error</c>.
/// </summary>
public sealed class FakeRuntimeApi : IAsyncDisposable
{
    public const string FunctionArn = "arn:aws:lambda:eu-central-1:123456789012:function:reporting-api:live";
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(15);

    private readonly Channel<(string RequestId, string? TraceId, byte[] Event)> _events = Channel.CreateUnbounded<(string, string?, byte[])>();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<RuntimePost>> _answers = new();
    private readonly TaskCompletionSource<RuntimePost> _initError = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<RuntimePost> _restoreError = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _restore = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _restoreRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _nextRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _timeline = [];
    private readonly WebApplication _app;

    private FakeRuntimeApi(WebApplication app) => _app = app;

    /// <summary>host:port, as Lambda puts it in AWS_LAMBDA_RUNTIME_API.</summary>
    public string Address { get; private set; } = string.Empty;

    public DateTimeOffset Deadline { get; } = DateTimeOffset.UtcNow.AddMinutes(15);

    public Task<RuntimePost> InitError => _initError.Task;

    public Task<RuntimePost> RestoreError => _restoreError.Task;

    /// <summary>Completes when the function first asks for <c>/restore/next</c>.</summary>
    public Task RestoreRequested => _restoreRequested.Task;

    /// <summary>Completes when the function first asks for <c>/invocation/next</c>.</summary>
    public Task NextRequested => _nextRequested.Task;

    /// <summary>What happened, in order: Runtime API calls and whatever the test notes (e.g. hooks running).</summary>
    public IReadOnlyList<string> Timeline
    {
        get
        {
            lock (_timeline)
            {
                return _timeline.ToArray();
            }
        }
    }

    public void Note(string entry)
    {
        lock (_timeline)
        {
            _timeline.Add(entry);
        }
    }

    /// <summary>Lets the pending <c>/restore/next</c> return, as Lambda does once the snapshot is restored.</summary>
    public void Restore() => _restore.TrySetResult();

    public static async Task<FakeRuntimeApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeRuntimeApi(app);
        app.MapGet("/2018-06-01/runtime/invocation/next", fake.NextAsync);
        app.MapPost("/2018-06-01/runtime/invocation/{requestId}/response", (string requestId, HttpRequest request) => fake.RecordAsync("response", requestId, request));
        app.MapPost("/2018-06-01/runtime/invocation/{requestId}/error", (string requestId, HttpRequest request) => fake.RecordAsync("error", requestId, request));
        app.MapPost("/2018-06-01/runtime/init/error", (HttpRequest request) => fake.RecordAsync("init-error", null, request));
        app.MapGet("/2018-06-01/runtime/restore/next", fake.RestoreNextAsync);
        app.MapPost("/2018-06-01/runtime/restore/error", (HttpRequest request) => fake.RecordAsync("restore-error", null, request));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        fake.Address = new Uri(address).Authority;
        return fake;
    }

    /// <summary>Queues one event and waits for what the function posts back for it.</summary>
    public async Task<RuntimePost> InvokeAsync(byte[] eventJson, string? traceId = null)
    {
        var requestId = Guid.NewGuid().ToString();
        var answer = _answers.GetOrAdd(requestId, _ => NewAnswer());
        await _events.Writer.WriteAsync((requestId, traceId, eventJson));
        return await answer.Task.WaitAsync(AnswerTimeout);
    }

    public Task<RuntimePost> InvokeAsync(string eventJson, string? traceId = null) =>
        InvokeAsync(System.Text.Encoding.UTF8.GetBytes(eventJson), traceId);

    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        await _app.DisposeAsync();
    }

    private static TaskCompletionSource<RuntimePost> NewAnswer() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RestoreNextAsync(HttpContext context)
    {
        Note("runtime: restore/next requested");
        _restoreRequested.TrySetResult();
        await _restore.Task.WaitAsync(context.RequestAborted);
        Note("runtime: restored");
    }

    private async Task NextAsync(HttpContext context)
    {
        Note("runtime: next requested");
        _nextRequested.TrySetResult();
        var (requestId, traceId, body) = await _events.Reader.ReadAsync(context.RequestAborted);
        context.Response.Headers["Lambda-Runtime-Aws-Request-Id"] = requestId;
        context.Response.Headers["Lambda-Runtime-Deadline-Ms"] = Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["Lambda-Runtime-Invoked-Function-Arn"] = FunctionArn;
        if (traceId is not null)
        {
            context.Response.Headers["Lambda-Runtime-Trace-Id"] = traceId;
        }

        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    private async Task<IResult> RecordAsync(string kind, string? requestId, HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        var post = new RuntimePost(
            kind,
            request.Path,
            request.ContentType,
            request.Headers["Lambda-Runtime-Function-Error-Type"].ToString() is { Length: > 0 } errorType ? errorType : null,
            body.ToArray());
        if (requestId is null)
        {
            Note($"runtime: {kind} posted");
        }

        var answer = requestId is not null ? _answers.GetOrAdd(requestId, _ => NewAnswer())
            : kind == "restore-error" ? _restoreError
            : _initError;
        return answer.TrySetResult(post) ? Results.Accepted() : Results.Conflict();
    }
}
