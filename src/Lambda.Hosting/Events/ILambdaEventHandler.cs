using System.Diagnostics.CodeAnalysis;
using Lambda.Hosting.RuntimeApi;

namespace Lambda.Hosting.Events;

/// <summary>
/// Handles one kind of non-HTTP Lambda event (<see cref="S3Event"/>, <see cref="EventBridgeEvent"/>,
/// <see cref="AppInvocation"/>). Each invocation runs in its own DI scope.
/// </summary>
/// <typeparam name="TEvent">The event model.</typeparam>
[SuppressMessage("Naming", "CA1711", Justification = "It handles Lambda events (invocation payloads), not .NET events; the name says so.")]
public interface ILambdaEventHandler<in TEvent>
    where TEvent : class
{
    /// <summary>
    /// Handles the event. The result is serialized as the invocation's response (null answers <c>{}</c>);
    /// an exception is reported to the Runtime API as the invocation's error.
    /// </summary>
    /// <param name="lambdaEvent">The event.</param>
    /// <param name="invocation">The Lambda invocation (request id, deadline, function ARN, trace id).</param>
    /// <param name="cancellationToken">Cancelled at the invocation's deadline or when the process stops.</param>
    Task<object?> HandleAsync(TEvent lambdaEvent, LambdaInvocation invocation, CancellationToken cancellationToken);
}
