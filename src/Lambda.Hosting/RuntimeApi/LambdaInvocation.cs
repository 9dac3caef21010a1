namespace Lambda.Hosting.RuntimeApi;

/// <summary>One event handed out by the Runtime API's <c>/invocation/next</c>.</summary>
/// <param name="RequestId">The Lambda request id (<c>Lambda-Runtime-Aws-Request-Id</c>).</param>
/// <param name="Deadline">When Lambda stops the invocation (<c>Lambda-Runtime-Deadline-Ms</c>).</param>
/// <param name="InvokedFunctionArn">The ARN the function was invoked by (<c>Lambda-Runtime-Invoked-Function-Arn</c>).</param>
/// <param name="TraceId">The X-Ray trace header (<c>Lambda-Runtime-Trace-Id</c>), if tracing is on.</param>
/// <param name="Event">The event payload (JSON), at most the 6 MB Lambda accepts.</param>
public sealed record LambdaInvocation(
    string RequestId,
    DateTimeOffset Deadline,
    string? InvokedFunctionArn,
    string? TraceId,
    ReadOnlyMemory<byte> Event);
