namespace Lambda.Hosting.RuntimeApi;

/// <summary>Names fixed by the Lambda Runtime API (version 2018-06-01).</summary>
internal static class RuntimeApiProtocol
{
    public const string RuntimeApiVariable = "AWS_LAMBDA_RUNTIME_API";
    public const string TraceIdVariable = "_X_AMZN_TRACE_ID";

    public const string NextInvocationPath = "2018-06-01/runtime/invocation/next";
    public const string InitErrorPath = "2018-06-01/runtime/init/error";
    public const string RestoreNextPath = "2018-06-01/runtime/restore/next";
    public const string RestoreErrorPath = "2018-06-01/runtime/restore/error";

    public const string RequestIdHeader = "Lambda-Runtime-Aws-Request-Id";
    public const string DeadlineHeader = "Lambda-Runtime-Deadline-Ms";
    public const string FunctionArnHeader = "Lambda-Runtime-Invoked-Function-Arn";
    public const string TraceIdHeader = "Lambda-Runtime-Trace-Id";
    public const string ErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";

    public static string ResponsePath(string requestId) => $"2018-06-01/runtime/invocation/{Uri.EscapeDataString(requestId)}/response";

    public static string InvocationErrorPath(string requestId) => $"2018-06-01/runtime/invocation/{Uri.EscapeDataString(requestId)}/error";
}
