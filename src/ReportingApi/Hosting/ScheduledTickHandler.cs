using Lambda.Hosting.Events;
using Lambda.Hosting.RuntimeApi;
using Microsoft.Extensions.Options;
using ReportingApi.Inbound;
using ReportingApi.Runs.Lambda;
using ReportingApi.Webhooks;

namespace ReportingApi.Hosting;

/// <summary>
/// The scheduled EventBridge tick on Lambda, where no background worker lives: first the due runs
/// (<see cref="RunTickHandler"/>), then the due webhook events (<see cref="WebhookDispatcher"/>, after <see cref="WebhookCatchUp"/>), endpoints side by side,
/// then the inbound files a processor left unfinished (<see cref="InboundRecovery"/>), nothing started within
/// <see cref="LambdaRunsOptions.TickDeadlineMargin"/> of the deadline. Answers with the runs' result.
/// </summary>
public sealed class ScheduledTickHandler(
    RunTickHandler runs,
    WebhookDispatcher webhooks,
    WebhookCatchUp catchUp,
    InboundRecovery inbound,
    IOptions<LambdaRunsOptions> options,
    ILogger<ScheduledTickHandler> logger) : ILambdaEventHandler<EventBridgeEvent>
{
    public async Task<object?> HandleAsync(EventBridgeEvent lambdaEvent, LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lambdaEvent);
        ArgumentNullException.ThrowIfNull(invocation);
        var result = await runs.HandleAsync(lambdaEvent, invocation, cancellationToken);
        if (lambdaEvent.DetailType == RunTickHandler.ScheduledEventDetailType)
        {
            var deadline = invocation.Deadline - options.Value.TickDeadlineMargin;
            try
            {
                await catchUp.StoreMissedAsync(cancellationToken);
                var attempts = await webhooks.SendDueAsync(deadline, cancellationToken);
                logger.LogInformation("The tick made {Attempts} webhook attempts", attempts);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Runs were handled; events stay stored and due, and the next tick sends them.
                logger.LogError(e, "Sending due webhook events failed; the next tick tries again");
            }

            try
            {
                await inbound.RetryStaleAsync(deadline, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The files stay unfinished and stale; the next tick lists them again.
                logger.LogError(e, "Looking for inbound files left unfinished failed; the next tick tries again");
            }
        }

        return result;
    }
}
