using System.ComponentModel.DataAnnotations;

namespace ReportingApi.Runs;

public sealed class RunsOptions
{
    public const string Section = "Runs";

    /// <summary>Runs executed at the same time by the in-process worker.</summary>
    [Range(1, 32)]
    public int Concurrency { get; set; } = 2;

    /// <summary>Delivery attempts before a run fails (the first one included).</summary>
    [Range(1, 50)]
    public int MaxDeliveryAttempts { get; set; } = 5;

    /// <summary>Wait before the second attempt; doubled for each further one.</summary>
    [Range(0.0, 3600.0)]
    public double RetryBaseDelaySeconds { get; set; } = 30;

    /// <summary>Longest wait between attempts.</summary>
    [Range(0.0, 86400.0)]
    public double RetryMaxDelaySeconds { get; set; } = 3600;

    /// <summary>How often the worker looks for due retries and interrupted runs.</summary>
    [Range(0.05, 3600.0)]
    public double SweepIntervalSeconds { get; set; } = 15;

    /// <summary>
    /// How long an executing run is held against other executors (another instance, the Lambda tick) without being
    /// renewed; the executor renews it every third of this while it works. A crashed executor's run is picked up
    /// again once its lease has run out.
    /// </summary>
    [Range(3, 3600)]
    public int LeaseSeconds { get; set; } = 60;

    [Range(1, 500)]
    public int MaxPageSize { get; set; } = 100;
}
