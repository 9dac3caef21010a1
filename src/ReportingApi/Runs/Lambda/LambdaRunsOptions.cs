using System.ComponentModel.DataAnnotations;

namespace ReportingApi.Runs.Lambda;

/// <summary>How runs are dispatched and retried when the app runs on AWS Lambda (ignored elsewhere).</summary>
public sealed class LambdaRunsOptions
{
    public const string Section = "Runs:Lambda";

    /// <summary>The function (name, ARN or <c>name:alias</c>) a run is sent to; by default <c>AWS_LAMBDA_FUNCTION_NAME</c>, i.e. this function.</summary>
    public string? FunctionName { get; set; }

    /// <summary>Lambda's region; by default <c>AWS_REGION</c>.</summary>
    public string? Region { get; set; }

    /// <summary>Another endpoint than the region's public one (a VPC endpoint, or a fake in tests).</summary>
    public string? ServiceUrl { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The scheduled tick starts no further run when less than this is left before the invocation's deadline, so a
    /// run is not cut off half-way (an interrupted run is finished by a later tick, but that costs a tick interval).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:15:00")]
    public TimeSpan TickDeadlineMargin { get; set; } = TimeSpan.FromSeconds(60);
}
