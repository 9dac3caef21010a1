using System.ComponentModel.DataAnnotations;

namespace ReportingApi.Webhooks;

/// <summary>Webhooks to partners: where the key for their signing secrets is, and how events are sent and retried.</summary>
public sealed class WebhooksOptions
{
    public const string Section = "Webhooks";

    /// <summary>
    /// Reference (as <c>Secrets:Provider</c> reads it: a file path, or a Secrets Manager ARN/name) to the secret holding the
    /// AES-256 key(s) that encrypt partners' signing secrets in the database: base64 of 32 bytes per line
    /// (<c>openssl rand -base64 32</c>); the first line encrypts, every line decrypts. Unset: webhooks cannot be configured.
    /// </summary>
    public string? EncryptionKeySecret { get; set; }

    /// <summary>Development only, with the Files provider: create the key file at <see cref="EncryptionKeySecret"/> when it is missing.</summary>
    public bool CreateDevelopmentKeyIfMissing { get; set; }

    /// <summary>The longest one attempt may take, connection included.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the worker looks for due events (off Lambda; on Lambda the scheduled tick sends them). A new event is sent at once.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Endpoints sent to at the same time; each endpoint gets its events one after the other.</summary>
    [Range(1, 64)]
    public int MaxParallelEndpoints { get; set; } = 8;

    /// <summary>Events one endpoint is sent in one go before others get their turn.</summary>
    [Range(1, 100)]
    public int MaxEventsPerEndpoint { get; set; } = 10;

    /// <summary>How long the previous secret stays valid after a rotation, unless the rotation says otherwise.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan RotationOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How far back the catch-up (<see cref="WebhookCatchUp"/>) looks for ended runs without their event, and how often (off Lambda; every tick on it).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan CatchUpWindow { get; set; } = TimeSpan.FromHours(24);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CatchUpInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Runs that ended more recently than this are left to their listener.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan CatchUpDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The retry schedule (<see cref="WebhookRetrySchedule"/>): first delay, longest delay, and the window retries cover (at least 24 h outside tests).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan FirstRetryDelay { get; set; } = WebhookRetrySchedule.Default.FirstDelay;

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = WebhookRetrySchedule.Default.MaxDelay;

    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan RetryWindow { get; set; } = WebhookRetrySchedule.Default.MinimumRetryWindow;

    public WebhookRetrySchedule RetrySchedule() => new(FirstRetryDelay, MaxRetryDelay, RetryWindow, WebhookRetrySchedule.Default.JitterFraction);
}
