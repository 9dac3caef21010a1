using System.ComponentModel.DataAnnotations;

namespace ReportingApi.Inbound;

/// <summary>Inbound processing of partners' uploads (section <c>Inbound</c>).</summary>
public sealed class InboundOptions
{
    public const string Section = "Inbound";

    /// <summary>Largest upload accepted from any partner (a partner's policy may set less). Default 5 GiB.</summary>
    [Range(1, long.MaxValue)]
    public long MaxBytes { get; set; } = 5L * 1024 * 1024 * 1024;

    /// <summary>How long a processor holds a file before another may take it (a crashed processor's file waits this long).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Attempts a file gets. Each lease is one, so a processor that dies holding the file (the function's time limit, a
    /// crash) uses one; after the last the file is rejected as <see cref="InboundRejection.ProcessingFailed"/>, the original kept.
    /// </summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>
    /// After an attempt that failed (the database or the object store, say), how long the file rests before it may be
    /// taken again, doubled with each attempt made (1, 2, 4 ... minutes), so that an outage of minutes does not use up
    /// its attempts within seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a file rests after its <paramref name="attemptsMade"/>-th attempt failed.</summary>
    public TimeSpan RetryDelayAfter(int attemptsMade) => RetryDelay * Math.Pow(2, Math.Clamp(attemptsMade - 1, 0, 20));

    /// <summary>Off Lambda: how often the worker looks for new files in the folder object store's inbound folders (0: never).</summary>
    [Range(0, 3600)]
    public double SweepIntervalSeconds { get; set; } = 5;

    /// <summary>Off Lambda: a file is taken once it has not changed for this long (sshd writes uploads in place).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromSeconds(2);
}
