namespace ReportingApi.Runs;

/// <summary>
/// Makes the runs the clock has made due (a subscription's slots). The worker's sweep off Lambda and the scheduled
/// tick on Lambda call every registered one before they look for runs to execute, so a run made here is executed in
/// the same pass, like any other run. It must be safe to call from several instances at once.
/// </summary>
public interface IDueRunCreator
{
    /// <summary>Creates the due runs; returns how many it created.</summary>
    Task<int> CreateDueRunsAsync(CancellationToken cancellationToken);
}
