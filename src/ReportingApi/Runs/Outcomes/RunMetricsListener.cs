using ReportingApi.Observability;

namespace ReportingApi.Runs.Outcomes;

/// <summary>Run outcomes as metrics (<see cref="IRunMetrics"/>: CloudWatch's embedded metric format on AWS).</summary>
public sealed class RunMetricsListener(IRunMetrics metrics) : IRunOutcomeListener
{
    public Task RunEndedAsync(RunOutcome outcome, CancellationToken cancellationToken)
    {
        var run = outcome.Run;
        if (outcome.Delivered)
        {
            metrics.RunDelivered(run.Id, run.RowCount, run.ByteCount, outcome.Duration);
        }
        else
        {
            metrics.RunFailed(run.Id, outcome.Duration);
        }

        return Task.CompletedTask;
    }
}
