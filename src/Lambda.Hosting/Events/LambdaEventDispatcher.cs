using System.Text.Json;
using Lambda.Hosting.RuntimeApi;
using Microsoft.Extensions.DependencyInjection;

namespace Lambda.Hosting.Events;

/// <summary>
/// Runs a non-HTTP event through the handler registered for it, in a DI scope of its own, and returns the response
/// payload. Handler exceptions propagate (the server reports them to <c>/error</c>).
/// </summary>
internal sealed class LambdaEventDispatcher(IServiceScopeFactory scopeFactory)
{
    private static readonly byte[] EmptyResponse = "{}"u8.ToArray();

    public async Task<ReadOnlyMemory<byte>> DispatchAsync(
        LambdaEventKind kind, JsonElement root, LambdaInvocation invocation, CancellationToken stopping)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var remaining = invocation.Deadline - DateTimeOffset.UtcNow;
        if (remaining > TimeSpan.Zero && remaining < TimeSpan.FromDays(1))
        {
            deadline.CancelAfter(remaining);
        }

        await using var scope = scopeFactory.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var result = kind switch
        {
            LambdaEventKind.S3 => await HandleAsync(
                services, null, "S3 notification", LambdaEventParser.ReadS3Event(root), invocation, deadline.Token),
            LambdaEventKind.EventBridge => await HandleEventBridgeAsync(services, root, invocation, deadline.Token),
            LambdaEventKind.AppInvocation => await HandleAppInvocationAsync(services, root, invocation, deadline.Token),
            _ => throw new LambdaEventNotHandledException(
                "The event is not an HTTP API 2.0 request, an S3 notification, an EventBridge event " +
                $"or an app invocation (an object with a '{AppInvocation.KindProperty}' property)."),
        };
        return result is null ? EmptyResponse : JsonSerializer.SerializeToUtf8Bytes(result, JsonSerializerOptions.Web);
    }

    private static Task<object?> HandleEventBridgeAsync(
        IServiceProvider services, JsonElement root, LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        var lambdaEvent = LambdaEventParser.ReadEventBridgeEvent(root);
        return HandleAsync(
            services, lambdaEvent.Source, $"EventBridge event '{lambdaEvent.DetailType}' from '{lambdaEvent.Source}'", lambdaEvent, invocation, cancellationToken);
    }

    private static Task<object?> HandleAppInvocationAsync(
        IServiceProvider services, JsonElement root, LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        var lambdaEvent = LambdaEventParser.ReadAppInvocation(root);
        return HandleAsync(services, lambdaEvent.Kind, $"app invocation of kind '{lambdaEvent.Kind}'", lambdaEvent, invocation, cancellationToken);
    }

    /// <summary>The handler registered under <paramref name="key"/> if any, else the one for every event of the type.</summary>
    private static Task<object?> HandleAsync<TEvent>(
        IServiceProvider services, string? key, string description, TEvent lambdaEvent, LambdaInvocation invocation, CancellationToken cancellationToken)
        where TEvent : class
    {
        var handler = (key is null ? null : services.GetKeyedService<ILambdaEventHandler<TEvent>>(key))
            ?? services.GetService<ILambdaEventHandler<TEvent>>()
            ?? throw new LambdaEventNotHandledException($"No handler is registered for the {description}.");
        return handler.HandleAsync(lambdaEvent, invocation, cancellationToken);
    }
}
