namespace ReportingApi.Observability;

/// <summary>The CloudWatch namespace and metric names; <c>serverless.template</c>'s alarms use them, without dimensions.</summary>
public static class RunMetricNames
{
    public const string Namespace = "ReportingApi";
    public const string RunsDelivered = "RunsDelivered";
    public const string RunsFailed = "RunsFailed";
    public const string RunRows = "RunRows";
    public const string RunBytes = "RunBytes";
    public const string RunDurationMs = "RunDurationMs";
}
