namespace Lambda.Hosting.SnapStart;

/// <summary>
/// Work around a Lambda SnapStart snapshot (only when <c>AWS_LAMBDA_INITIALIZATION_TYPE</c> is <c>snap-start</c>).
/// Hooks run in registration order, each phase in a DI scope of its own.
/// </summary>
public interface ILambdaSnapStartHooks
{
    /// <summary>
    /// After the host has started and before the snapshot: warm up (JIT hot paths, load caches). A failure is
    /// reported to <c>/init/error</c> and stops the process.
    /// </summary>
    Task BeforeSnapshotAsync(CancellationToken cancellationToken);

    /// <summary>
    /// After a restore and before the first invocation: refresh what must not be shared between restored copies
    /// (credentials, connections, random seeds). A failure is reported to <c>/restore/error</c> and stops the process.
    /// </summary>
    Task AfterRestoreAsync(CancellationToken cancellationToken);
}
