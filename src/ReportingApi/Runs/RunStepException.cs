namespace ReportingApi.Runs;

/// <summary>A step of a run failed for a reason worth recording as is.</summary>
public sealed class RunStepException(string reason, bool transient, Exception? inner = null) : Exception(reason, inner)
{
    public bool Transient { get; } = transient;
}
