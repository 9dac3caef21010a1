using Lambda.Hosting.Events;
using Lambda.Hosting.RuntimeApi;

namespace ReportingApi.Delivery.Connector;

/// <summary>
/// The Transfer connector's EventBridge events (<c>aws.transfer</c>): a sent or failed file, a completed or failed
/// rename, each applied to the handover that waits for it. Only Lambda receives them.
/// </summary>
public sealed class ConnectorStatusHandler(ConnectorHandovers handovers, ILogger<ConnectorStatusHandler> logger) : ILambdaEventHandler<EventBridgeEvent>
{
    public async Task<object?> HandleAsync(EventBridgeEvent lambdaEvent, LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        if (ConnectorEvent.TryRead(lambdaEvent.DetailType, lambdaEvent.Detail) is not { } connectorEvent)
        {
            logger.LogInformation("Ignoring the {DetailType} event: deliveries do not wait for it", lambdaEvent.DetailType);
            return new ConnectorStatusResult(lambdaEvent.DetailType, nameof(ConnectorEventOutcome.NoRunWaiting));
        }

        var outcome = await handovers.ApplyAsync(connectorEvent, cancellationToken);
        logger.LogInformation(
            "{DetailType} of connector {ConnectorId} (transfer {TransferId}, move {MoveId}): {Outcome}",
            lambdaEvent.DetailType, connectorEvent.ConnectorId, connectorEvent.TransferId, connectorEvent.MoveId, outcome);
        return new ConnectorStatusResult(lambdaEvent.DetailType, outcome.ToString());
    }
}

/// <summary>The invocation's response: the event type and what became of it.</summary>
public sealed record ConnectorStatusResult(string DetailType, string Outcome);
