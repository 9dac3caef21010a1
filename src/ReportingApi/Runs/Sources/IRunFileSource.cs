using ReportingApi.Partners;

namespace ReportingApi.Runs.Sources;

/// <summary>
/// Makes the file a run delivers: a rendered report, a dropped file. A new kind of run file is a class implementing this,
/// registered with <see cref="RunsExtensions.AddRunFileSource{TSource}"/>; the executor needs no change.
/// </summary>
public interface IRunFileSource
{
    /// <summary>True for the runs whose file this source makes.</summary>
    bool Produces(ReportRun run);

    /// <summary>
    /// What the run's file will be and how to write it. Throws <see cref="RunStepException"/> when it cannot be made, for
    /// a reason worth recording (an unusable key, a report that no longer exists, an inactive partner).
    /// </summary>
    RunFile Plan(ReportRun run, PartnerProfile partner);

    /// <summary>Once the run's delivery is confirmed (e.g. remove the delivered source); never fails the run.</summary>
    Task AfterDeliveryAsync(ReportRun run, PartnerProfile partner, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>A run's file before it is made.</summary>
/// <param name="FileName">Its name on the partner's server (a <c>.sha256</c> file of the same name goes beside it).</param>
/// <param name="ObjectKey">Where it is stored in the object store.</param>
/// <param name="StepDetail">What the <c>rendering</c> step records.</param>
/// <param name="WriteAsync">Writes the (encrypted) file and returns its row count, or null for a file without rows.</param>
public sealed record RunFile(string FileName, string ObjectKey, string StepDetail, Func<Stream, CancellationToken, Task<long?>> WriteAsync);

/// <summary>The source for each run, in the order the sources were registered.</summary>
public sealed class RunFileSources(IEnumerable<IRunFileSource> sources)
{
    private readonly IReadOnlyList<IRunFileSource> _sources = [.. sources];

    public IRunFileSource For(ReportRun run) =>
        _sources.FirstOrDefault(source => source.Produces(run))
        ?? throw new RunStepException($"No file source makes the files of '{run.Report}' runs.", transient: false);
}
