using System.ComponentModel.DataAnnotations;

namespace ReportingApi.Aws.Transfer;

/// <summary>How to reach the AWS Transfer Family API (section <c>Transfer</c>).</summary>
public sealed class TransferOptions
{
    public const string Section = "Transfer";

    /// <summary>AWS region of the connectors, e.g. <c>eu-central-1</c>. Empty: <c>AWS_REGION</c> / <c>AWS_DEFAULT_REGION</c> (set on Lambda).</summary>
    public string? Region { get; set; }

    /// <summary>Endpoint override (a local fake in tests). Empty: <c>https://transfer.{region}.amazonaws.com</c>.</summary>
    [Url]
    public string? ServiceUrl { get; set; }

    /// <summary>Attempts per API call when AWS throttles or is unavailable (1: no retry).</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>First retry waits up to this long; each further retry up to twice as long (full jitter).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>No retry waits longer than this.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Time one HTTP request to the API may take.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
