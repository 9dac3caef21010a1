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
/// A Lambda Runtime API (2018-06-01) on loopback (Kestrel), because nothing here runs the real one: hands out queued
/// events from <c>/invocation/next</c> with the Runtime API's headers and records what arrives on <c>/response</c>,
/// <c>/error</c>, <c>/init/error</c> and <c>/restore/error</c>.
/// It refuses what Lambda refuses (AWS's OpenAPI description of the Runtime API and its runtime interface emulator):
/// a <c>/response</c> or <c>/error</c> for a request id that is not the invocation in flight, or for one already
/// answered (400 <c>InvalidRequestID</c>); an answer while no invocation is in flight, <c>/init/error</c> once the
/// runtime has asked for an invocation, <c>/restore/error</c> outside the restore phase, or anything after an init
/// error (403 <c>InvalidStateTransition</c>); a response over the 6 MB payload limit (413). A refused call fails the
/// invocation in flight at once and every later one (<see cref="InvokeAsync(byte[], string?)"/> throws), and is listed
/// in <see cref="Refusals"/>. Lambda accepts error posts without <c>Lambda-Runtime-Function-Error-Type</c> (it is
/// optional in the OpenAPI description) and error bodies of any shape, so this does too; it records both for the
/// tests to check.
/// </summary>
public sealed class FakeRuntimeApi : IAsyncDisposable
{
    public const string FunctionArn = "arn:aws:lambda:eu-central-1:123456789012:function:reporting-api:live";

    /// <summary>The largest response payload Lambda takes from a function (synchronous invocations): 6 MB.</summary>
    public const int MaxResponseBytes = 6 * 1024 * 1024;

    private const string RuntimePath = "/2018-06-01/runtime";
    private const string InvalidStateTransition = "InvalidStateTransition";
    private static readonly IResult Accepted = Results.Json(new { status = "OK" }, statusCode: StatusCodes.Status202Accepted);
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(15);

    private readonly Channel<(string RequestId, string? TraceId, byte[] Event)> _events = Channel.CreateUnbounded<(string, string?, byte[])>();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<RuntimePost>> _answers = new();
    private readonly TaskCompletionSource<RuntimePost> _initError = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<RuntimePost> _restoreError = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _restore = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _restoreRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _nextRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _timeline = [];
    private readonly List<string> _refusals = [];
    private readonly Lock _state = new();
    private readonly WebApplication _app;

    private Phase _phase = Phase.Initializing;
    private bool _restored;
    private string? _inFlight;

    private FakeRuntimeApi(WebApplication app) => _app = app;

    /// <summary>Where the runtime is, as Lambda's runtime state machine sees it.</summary>
    private enum Phase
    {
        /// <summary>Started, no invocation asked for yet: <c>/init/error</c> and the SnapStart restore are allowed.</summary>
        Initializing,

        /// <summary>An init error was posted: Lambda takes nothing more from this runtime.</summary>
        InitFailed,

        /// <summary>Has asked for an invocation (waiting for one, or handling <see cref="_inFlight"/>).</summary>
        Invoking,
    }

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

    /// <summary>Every call refused, as <c>"POST /2018-06-01/... → 400 InvalidRequestID"</c>.</summary>
    public IReadOnlyList<string> Refusals
    {
        get
        {
            lock (_state)
            {
                return _refusals.ToArray();
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
        app.MapGet($"{RuntimePath}/invocation/next", fake.NextAsync);
        app.MapPost($"{RuntimePath}/invocation/{{requestId}}/response", (string requestId, HttpRequest request) => fake.AnswerAsync("response", requestId, request));
        app.MapPost($"{RuntimePath}/invocation/{{requestId}}/error", (string requestId, HttpRequest request) => fake.AnswerAsync("error", requestId, request));
        app.MapPost($"{RuntimePath}/init/error", fake.InitErrorAsync);
        app.MapGet($"{RuntimePath}/restore/next", fake.RestoreNextAsync);
        app.MapPost($"{RuntimePath}/restore/error", fake.RestoreErrorAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        fake.Address = new Uri(address).Authority;
        return fake;
    }

    /// <summary>Queues one event and waits for what the function posts back for it; throws if Lambda would have refused it.</summary>
    public async Task<RuntimePost> InvokeAsync(byte[] eventJson, string? traceId = null)
    {
        var requestId = Guid.NewGuid().ToString();
        var answer = new TaskCompletionSource<RuntimePost>(TaskCreationOptions.RunContinuationsAsynchronously);
        _answers[requestId] = answer;
        await _events.Writer.WriteAsync((requestId, traceId, eventJson));
        var post = await answer.Task.WaitAsync(AnswerTimeout);
        if (Refusals is { Count: > 0 } refusals)
        {
            // An earlier call went off the protocol (e.g. a second answer after its invocation had ended).
            throw new InvalidOperationException($"Lambda refused earlier calls of the function: {string.Join("; ", refusals)}");
        }

        return post;
    }

    public Task<RuntimePost> InvokeAsync(string eventJson, string? traceId = null) =>
        InvokeAsync(System.Text.Encoding.UTF8.GetBytes(eventJson), traceId);

    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        await _app.DisposeAsync();
    }

    private async Task<IResult> RestoreNextAsync(HttpRequest request)
    {
        var context = request.HttpContext;
        lock (_state)
        {
            if (_phase != Phase.Initializing)
            {
                return RefuseLocked(context, StatusCodes.Status403Forbidden, InvalidStateTransition, $"restore/next is not allowed in state {_phase}");
            }
        }

        Note("runtime: restore/next requested");
        _restoreRequested.TrySetResult();
        await _restore.Task.WaitAsync(context.RequestAborted);
        lock (_state)
        {
            _restored = true;
        }

        Note("runtime: restored");
        return Results.Ok();
    }

    private async Task<IResult> NextAsync(HttpRequest request)
    {
        var context = request.HttpContext;
        lock (_state)
        {
            if (_phase == Phase.InitFailed)
            {
                return RefuseLocked(context, StatusCodes.Status403Forbidden, InvalidStateTransition, "the runtime reported an init error");
            }

            _phase = Phase.Invoking;
            _inFlight = null;
        }

        Note("runtime: next requested");
        _nextRequested.TrySetResult();
        var (requestId, traceId, body) = await _events.Reader.ReadAsync(context.RequestAborted);
        lock (_state)
        {
            _inFlight = requestId;
        }

        context.Response.Headers["Lambda-Runtime-Aws-Request-Id"] = requestId;
        context.Response.Headers["Lambda-Runtime-Deadline-Ms"] = Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["Lambda-Runtime-Invoked-Function-Arn"] = FunctionArn;
        if (traceId is not null)
        {
            context.Response.Headers["Lambda-Runtime-Trace-Id"] = traceId;
        }

        return Results.Bytes(body, "application/json");
    }

    /// <summary><c>/response</c> or <c>/error</c> for <paramref name="requestId"/>: the one answer of the invocation in flight.</summary>
    private async Task<IResult> AnswerAsync(string kind, string requestId, HttpRequest request)
    {
        var post = await ReadPostAsync(kind, request);
        TaskCompletionSource<RuntimePost>? answer;
        lock (_state)
        {
            if (_phase != Phase.Invoking || _inFlight is null)
            {
                return RefuseLocked(request.HttpContext, StatusCodes.Status403Forbidden, InvalidStateTransition, $"no invocation is in flight for this {kind}");
            }

            if (requestId != _inFlight)
            {
                return RefuseLocked(request.HttpContext, StatusCodes.Status400BadRequest, "InvalidRequestID", "Invalid request ID");
            }

            _inFlight = null;
            if (kind == "response" && post.Body.Length > MaxResponseBytes)
            {
                // Lambda ends the invocation with an error and tells the runtime why.
                return RefuseLocked(request.HttpContext, StatusCodes.Status413RequestEntityTooLarge, "RequestEntityTooLarge", $"Exceeded maximum allowed payload size ({MaxResponseBytes} bytes).");
            }

            _answers.TryRemove(requestId, out answer);
        }

        answer?.TrySetResult(post);
        return Accepted;
    }

    private async Task<IResult> InitErrorAsync(HttpRequest request)
    {
        var post = await ReadPostAsync("init-error", request);
        lock (_state)
        {
            if (_phase != Phase.Initializing)
            {
                return RefuseLocked(request.HttpContext, StatusCodes.Status403Forbidden, InvalidStateTransition, $"init/error is not allowed in state {_phase}");
            }

            _phase = Phase.InitFailed;
        }

        Note("runtime: init-error posted");
        _initError.TrySetResult(post);
        return Accepted;
    }

    private async Task<IResult> RestoreErrorAsync(HttpRequest request)
    {
        var post = await ReadPostAsync("restore-error", request);
        lock (_state)
        {
            if (_phase != Phase.Initializing || !_restored)
            {
                return RefuseLocked(request.HttpContext, StatusCodes.Status403Forbidden, InvalidStateTransition, "restore/error is allowed only after the restore, before the first invocation");
            }

            _phase = Phase.InitFailed;
        }

        Note("runtime: restore-error posted");
        _restoreError.TrySetResult(post);
        return Accepted;
    }

    private static async Task<RuntimePost> ReadPostAsync(string kind, HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        return new RuntimePost(
            kind,
            request.Path,
            request.ContentType,
            request.Headers["Lambda-Runtime-Function-Error-Type"].ToString() is { Length: > 0 } errorType ? errorType : null,
            body.ToArray());
    }

    /// <summary>
    /// Lambda's refusal (<c>{"errorMessage", "errorType"}</c> with the status), noted; whatever invocation waits for an
    /// answer fails at once, since the function has gone off the protocol and its answer will not come.
    /// </summary>
    private IResult RefuseLocked(HttpContext context, int status, string errorType, string message)
    {
        var refusal = $"{context.Request.Method} {context.Request.Path} -> {status} {errorType}: {message}";
        _refusals.Add(refusal);
        Note($"runtime: refused {context.Request.Method} {context.Request.Path} ({status} {errorType})");
        foreach (var requestId in _answers.Keys)
        {
            if (_answers.TryRemove(requestId, out var waiting))
            {
                waiting.TrySetException(new InvalidOperationException($"Lambda would have refused this call of the function: {refusal}"));
            }
        }

        return Results.Json(new { errorMessage = message, errorType }, statusCode: status);
    }
}
