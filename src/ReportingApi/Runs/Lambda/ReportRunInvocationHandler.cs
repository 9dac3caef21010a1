using System.Text.Json;
using Lambda.Hosting.Events;
using Lambda.Hosting.RuntimeApi;

namespace ReportingApi.Runs.Lambda;

/// <summary>
/// Executes the run named by a <c>report-run</c> app invocation (sent by <see cref="LambdaRunDispatcher"/>).
/// Failures are recorded on the run by the executor; a run cut off by the deadline stays unfinished for the tick.
/// </summary>
public sealed class ReportRunInvocationHandler(RunExecutor executor, RunStore store, ILogger<ReportRunInvocationHandler> logger)
    : ILambdaEventHandler<AppInvocation>
{
    /// <summary>The app invocation kind this handler is registered under.</summary>
    public const string Kind = "report-run";

    public async Task<object?> HandleAsync(AppInvocation lambdaEvent, LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        var payload = lambdaEvent.Payload.ValueKind == JsonValueKind.Object
            ? lambdaEvent.Payload.Deserialize<ReportRunInvocation>(JsonSerializerOptions.Web)
            : null;
        if (string.IsNullOrWhiteSpace(payload?.RunId))
        {
            throw new JsonException($"The '{Kind}' invocation has no payload.runId.");
        }

        logger.LogInformation("Executing run {RunId} from an asynchronous invocation", payload.RunId);
        await executor.ExecuteAsync(payload.RunId, cancellationToken);
        var run = await store.GetAsync(payload.RunId, cancellationToken);
        return new ReportRunInvocationResult(payload.RunId, run?.Status);
    }
}

/// <summary>The invocation's response: the run and the status it was left in (null: no such run).</summary>
public sealed record ReportRunInvocationResult(string RunId, string? Status);
