namespace ReportingApi.Webhooks;

/// <summary>
/// When a webhook event is tried again. The nominal delay doubles from <see cref="FirstDelay"/> up to
/// <see cref="MaxDelay"/>; attempts go on until the nominal delays add up to <see cref="MinimumRetryWindow"/>, which
/// fixes <see cref="MaxAttempts"/>. Jitter only lengthens a delay (by up to <see cref="JitterFraction"/>), so that
/// events that failed together spread out while the window stays at least as long as promised. Pure: the caller
/// passes the random sample.
/// </summary>
public sealed class WebhookRetrySchedule
{
    /// <summary>30 s, 1 min, 2 min ... 4 h, then every 4 h: 15 attempts over at least 24 h (24 h 15 min 30 s before jitter).</summary>
    public static WebhookRetrySchedule Default { get; } = new(TimeSpan.FromSeconds(30), TimeSpan.FromHours(4), TimeSpan.FromHours(24), 0.25);

    private const int MaxAttemptsAllowed = 100;

    public WebhookRetrySchedule(TimeSpan firstDelay, TimeSpan maxDelay, TimeSpan minimumRetryWindow, double jitterFraction)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(firstDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, firstDelay);
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumRetryWindow, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(jitterFraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(jitterFraction, 1.0);
        FirstDelay = firstDelay;
        MaxDelay = maxDelay;
        MinimumRetryWindow = minimumRetryWindow;
        JitterFraction = jitterFraction;

        var attempts = 1;
        var window = TimeSpan.Zero;
        while (window < minimumRetryWindow)
        {
            window += NominalDelay(attempts);
            attempts++;
            if (attempts > MaxAttemptsAllowed)
            {
                throw new ArgumentException($"The schedule would need more than {MaxAttemptsAllowed} attempts to cover {minimumRetryWindow}; raise the delays.");
            }
        }

        MaxAttempts = attempts;
    }

    public TimeSpan FirstDelay { get; }

    public TimeSpan MaxDelay { get; }

    public TimeSpan MinimumRetryWindow { get; }

    public double JitterFraction { get; }

    /// <summary>Attempts in all, the first included.</summary>
    public int MaxAttempts { get; }

    /// <summary>The delay before the next attempt, without jitter, after <paramref name="attemptsMade"/> (1 or more) attempts.</summary>
    public TimeSpan NominalDelay(int attemptsMade)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attemptsMade, 1);
        // 2^30 times any sensible first delay is past any cap; stop doubling there so it cannot overflow.
        var doublings = Math.Min(attemptsMade - 1, 30);
        var delay = FirstDelay.TotalSeconds * Math.Pow(2, doublings);
        return delay >= MaxDelay.TotalSeconds ? MaxDelay : TimeSpan.FromSeconds(delay);
    }

    /// <summary>
    /// The delay before the next attempt after <paramref name="attemptsMade"/> attempts, or null when they are used up.
    /// <paramref name="jitterSample"/> is uniform in [0, 1) (e.g. <c>Random.Shared.NextDouble()</c>).
    /// </summary>
    public TimeSpan? DelayAfter(int attemptsMade, double jitterSample)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(jitterSample);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(jitterSample, 1.0);
        return attemptsMade >= MaxAttempts ? null : NominalDelay(attemptsMade) * (1 + (JitterFraction * jitterSample));
    }

    /// <summary>
    /// When to try next after <paramref name="attemptsMade"/> attempts, the last at <paramref name="lastAttemptAt"/>; null
    /// when they are used up. A <c>Retry-After</c> the receiver asked for is honoured when it is later, up to <see cref="MaxDelay"/>.
    /// </summary>
    public DateTimeOffset? NextAttemptAt(DateTimeOffset lastAttemptAt, int attemptsMade, double jitterSample, TimeSpan? retryAfter = null)
    {
        if (DelayAfter(attemptsMade, jitterSample) is not { } delay)
        {
            return null;
        }

        if (retryAfter is { } asked && asked > delay)
        {
            delay = asked < MaxDelay ? asked : MaxDelay;
        }

        return lastAttemptAt + delay;
    }
}
