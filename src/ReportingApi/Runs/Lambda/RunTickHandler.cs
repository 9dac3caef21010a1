using Lambda.Hosting.Events;
using Lambda.Hosting.RuntimeApi;
using Microsoft.Extensions.Options;

namespace ReportingApi.Runs.Lambda;

/// <summary>
/// The scheduled EventBridge tick on Lambda, where no background worker lives between invocations: executes, one
/// after the other, every unfinished run that is due (retries whose time has come, runs interrupted by a timeout or
/// whose asynchronous invocation was never accepted), and stops starting runs shortly before the deadline.
/// </summary>
public sealed class RunTickHandler(
    RunExecutor executor,
    RunStore store,
    TimeProvider clock,
    IOptions<LambdaRunsOptions> options,
    ILogger<RunTickHandler> logger) : ILambdaEventHandler<EventBridgeEvent>
{
    /// <summary>The EventBridge source of scheduled rules; the handler is registered under it.</summary>
    public const string ScheduledEventSource = "aws.events";

    public const string ScheduledEventDetailType = "Scheduled Event";

    public async Task<object?> HandleAsync(EventBridgeEvent lambdaEvent, LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        if (lambdaEvent.DetailType != ScheduledEventDetailType)
        {
            logger.LogWarning("Ignoring the {DetailType} event from {Source}: only scheduled ticks are handled", lambdaEvent.DetailType, lambdaEvent.Source);
            return new RunTickResult(0, 0);
        }

        var due = await store.UnfinishedAsync(cancellationToken);
        var executed = 0;
        foreach (var runId in due)
        {
            if (invocation.Deadline - clock.GetUtcNow() < options.Value.TickDeadlineMargin)
            {
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await executor.ExecuteAsync(runId, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The executor records failures on the run itself; this is a last resort so one run does not stop the others.
                logger.LogError(exception, "Run {RunId} could not be executed; the next tick retries it", runId);
            }

            executed++;
        }

        if (executed < due.Count)
        {
            logger.LogInformation("The tick stopped before the deadline; {Left} due runs wait for the next tick", due.Count - executed);
        }

        return new RunTickResult(executed, due.Count - executed);
    }
}

/// <summary>The tick's response: runs executed, and due runs left for the next tick.</summary>
public sealed record RunTickResult(int Executed, int Left);
