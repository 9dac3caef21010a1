using System.Collections.Concurrent;
using Lambda.Hosting.Events;
using Lambda.Hosting.RuntimeApi;
using Lambda.Hosting.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lambda.Hosting.Tests.EventRouting;

/// <summary>Per-invocation service: tells which DI scope a handler ran in and whether that scope was disposed.</summary>
public sealed class ScopeProbe(ReceivedEvents received) : IDisposable
{
    public Guid Id { get; } = Guid.NewGuid();

    public void Dispose() => received.DisposedScopes.Add(Id);
}

/// <summary>What the handlers saw: the event, the invocation's request id and the handler's scope.</summary>
public sealed record ReceivedEvent(object Event, string RequestId, Guid ScopeId);

public sealed class ReceivedEvents
{
    public ConcurrentDictionary<string, ReceivedEvent> ByRequestId { get; } = new();

    public ConcurrentBag<Guid> DisposedScopes { get; } = [];

    public ReceivedEvent Single<TEvent>(string requestId) where TEvent : class
    {
        var received = ByRequestId[requestId];
        Assert.IsType<TEvent>(received.Event);
        return received;
    }

    public void Record(object lambdaEvent, LambdaInvocation invocation, ScopeProbe scope) =>
        ByRequestId[invocation.RequestId] = new ReceivedEvent(lambdaEvent, invocation.RequestId, scope.Id);
}

public sealed class S3Handler(ReceivedEvents received, ScopeProbe scope) : ILambdaEventHandler<S3Event>
{
    public Task<object?> HandleAsync(S3Event lambdaEvent, LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        received.Record(lambdaEvent, invocation, scope);
        return Task.FromResult<object?>(null);
    }
}

public sealed class TransferStatusHandler(ReceivedEvents received, ScopeProbe scope) : ILambdaEventHandler<EventBridgeEvent>
{
    public Task<object?> HandleAsync(EventBridgeEvent lambdaEvent, LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        received.Record(lambdaEvent, invocation, scope);
        return Task.FromResult<object?>(new
        {
            handled = lambdaEvent.DetailType,
            transferId = lambdaEvent.Detail.GetProperty("transfer-id").GetString(),
        });
    }
}

public sealed class ReportRunHandler(ReceivedEvents received, ScopeProbe scope) : ILambdaEventHandler<AppInvocation>
{
    public Task<object?> HandleAsync(AppInvocation lambdaEvent, LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        received.Record(lambdaEvent, invocation, scope);
        return Task.FromResult<object?>(new { accepted = lambdaEvent.Payload.GetProperty("runId").GetString() });
    }
}

public sealed class FailingHandler : ILambdaEventHandler<AppInvocation>
{
    public const string Message = "Run r-13 cannot start: its partner is disabled.";

    public Task<object?> HandleAsync(AppInvocation lambdaEvent, LambdaInvocation invocation, CancellationToken cancellationToken) =>
        throw new InvalidOperationException(Message);
}

/// <summary>An app with handlers for S3, Transfer (EventBridge) and two app-invocation kinds, plus one HTTP endpoint.</summary>
public sealed class EventRoutingApp : IAsyncLifetime
{
    public const string ReportRunKind = "report-run";
    public const string FailingKind = "explode";
    public const string TransferSource = "aws.transfer";

    private WebApplication? _app;

    public FakeRuntimeApi Runtime { get; private set; } = null!;

    public ReceivedEvents Received { get; } = new();

    public async Task InitializeAsync()
    {
        Runtime = await FakeRuntimeApi.StartAsync();
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddLambdaServer(Runtime.Address);
        builder.Services.AddSingleton(Received);
        builder.Services.AddScoped<ScopeProbe>();
        builder.Services.AddLambdaEventHandler<S3Event, S3Handler>();
        builder.Services.AddLambdaEventBridgeHandler<TransferStatusHandler>(TransferSource);
        builder.Services.AddLambdaAppInvocationHandler<ReportRunHandler>(ReportRunKind);
        builder.Services.AddLambdaAppInvocationHandler<FailingHandler>(FailingKind);
        _app = builder.Build();
        _app.MapGet("/ping", () => TypedResults.Text("pong"));
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
}
