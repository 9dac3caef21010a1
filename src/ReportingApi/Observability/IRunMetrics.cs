namespace ReportingApi.Observability;

/// <summary>What the runs report about finished runs (CloudWatch metrics on AWS, nothing by default).</summary>
public interface IRunMetrics
{
    /// <param name="duration">From the run's creation to its delivery.</param>
    void RunDelivered(string runId, long? rows, long? bytes, TimeSpan duration);

    /// <param name="duration">From the run's creation to its failure.</param>
    void RunFailed(string runId, TimeSpan duration);
}

/// <summary>The default: metrics go nowhere.</summary>
public sealed class NoRunMetrics : IRunMetrics
{
    public static readonly NoRunMetrics Instance = new();

    public void RunDelivered(string runId, long? rows, long? bytes, TimeSpan duration)
    {
    }

    public void RunFailed(string runId, TimeSpan duration)
    {
    }
}
