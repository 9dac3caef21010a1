using Lambda.Hosting.Events;
using Lambda.Hosting.RuntimeApi;
using ReportingApi.Delivery.Connector;

namespace ReportingApi.Runs.Lambda;

/// <summary>
/// The Transfer connector's EventBridge events (<c>aws.transfer</c>): a sent or failed file, a completed or failed
/// rename, each applied to the run that waits for it.
/// </summary>
public sealed class ConnectorStatusHandler(RunPipeline pipeline, ILogger<ConnectorStatusHandler> logger) : ILambdaEventHandler<EventBridgeEvent>
{
    public async Task<object?> HandleAsync(EventBridgeEvent lambdaEvent, LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        if (ConnectorEvent.TryRead(lambdaEvent.DetailType, lambdaEvent.Detail) is not { } connectorEvent)
        {
            logger.LogInformation("Ignoring the {DetailType} event: deliveries do not wait for it", lambdaEvent.DetailType);
            return new ConnectorStatusResult(lambdaEvent.DetailType, nameof(ConnectorEventOutcome.NoRunWaiting));
        }

        var outcome = await pipeline.ApplyConnectorEventAsync(connectorEvent, cancellationToken);
        logger.LogInformation(
            "{DetailType} of connector {ConnectorId} (transfer {TransferId}, move {MoveId}): {Outcome}",
            lambdaEvent.DetailType, connectorEvent.ConnectorId, connectorEvent.TransferId, connectorEvent.MoveId, outcome);
        return new ConnectorStatusResult(lambdaEvent.DetailType, outcome.ToString());
    }
}

/// <summary>The invocation's response: the event type and what became of it.</summary>
public sealed record ConnectorStatusResult(string DetailType, string Outcome);
