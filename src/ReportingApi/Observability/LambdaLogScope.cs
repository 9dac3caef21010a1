using Lambda.Hosting.Http;

namespace ReportingApi.Observability;

/// <summary>
/// Wraps every request in a logging scope with the Lambda request id and X-Ray trace id (from the invocation, else
/// <c>_X_AMZN_TRACE_ID</c>), so each JSON log line of a request can be found from the Lambda report or the trace.
/// Added at the start of the pipeline by a startup filter; on Kestrel without a trace id it adds nothing.
/// </summary>
internal sealed class LambdaLogScopeStartupFilter : IStartupFilter
{
    public const string RequestIdKey = "AwsRequestId";
    public const string TraceIdKey = "TraceId";

    /// <summary>Set by Lambda (and by Lambda.Hosting for each invocation) to the current X-Ray trace header.</summary>
    public const string TraceIdVariable = "_X_AMZN_TRACE_ID";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("ReportingApi.Requests");
        app.Use(async (context, nextMiddleware) =>
        {
            var invocation = context.Features.Get<ILambdaInvocationFeature>()?.Invocation;
            var state = ScopeState(invocation?.RequestId, invocation?.TraceId ?? Environment.GetEnvironmentVariable(TraceIdVariable));
            using (state is null ? null : logger.BeginScope(state))
            {
                await nextMiddleware(context);
            }
        });
        next(app);
    };

    /// <summary>The scope's key/value pairs (the JSON console formatter writes them as properties); null when there is nothing to add.</summary>
    internal static Dictionary<string, object>? ScopeState(string? requestId, string? traceId)
    {
        var state = new Dictionary<string, object>(2, StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(requestId))
        {
            state[RequestIdKey] = requestId;
        }

        if (!string.IsNullOrEmpty(traceId))
        {
            state[TraceIdKey] = traceId;
        }

        return state.Count == 0 ? null : state;
    }
}
