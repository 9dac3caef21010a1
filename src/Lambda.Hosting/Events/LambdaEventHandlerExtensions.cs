using Lambda.Hosting.Events;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of handlers for non-HTTP Lambda events (harmless when the app does not run on Lambda).</summary>
public static class LambdaEventHandlerExtensions
{
    /// <summary>
    /// Handles every <typeparamref name="TEvent"/> (<see cref="S3Event"/>, <see cref="EventBridgeEvent"/> or
    /// <see cref="AppInvocation"/>) that no keyed handler takes. Scoped: one instance per invocation.
    /// </summary>
    public static IServiceCollection AddLambdaEventHandler<TEvent, THandler>(this IServiceCollection services)
        where TEvent : class
        where THandler : class, ILambdaEventHandler<TEvent> =>
        services.AddScoped<ILambdaEventHandler<TEvent>, THandler>();

    /// <summary>Handles the EventBridge events whose <c>source</c> is <paramref name="source"/> (e.g. <c>aws.transfer</c>).</summary>
    public static IServiceCollection AddLambdaEventBridgeHandler<THandler>(this IServiceCollection services, string source)
        where THandler : class, ILambdaEventHandler<EventBridgeEvent>
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        return services.AddKeyedScoped<ILambdaEventHandler<EventBridgeEvent>, THandler>(source);
    }

    /// <summary>Handles the app invocations whose <c>kind</c> is <paramref name="kind"/>.</summary>
    public static IServiceCollection AddLambdaAppInvocationHandler<THandler>(this IServiceCollection services, string kind)
        where THandler : class, ILambdaEventHandler<AppInvocation>
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        return services.AddKeyedScoped<ILambdaEventHandler<AppInvocation>, THandler>(kind);
    }
}
