using System.Diagnostics;
using System.Runtime;

namespace ReportingApi.Benchmarks;

/// <summary>
/// Repeats a small version of the measured work until the JIT has gone quiet, so that a measurement sees the code as a
/// running service has it: at its last tier. A fixed second was not enough: with tiered PGO the row loop was still
/// being instrumented and recompiled during the measured report, and the JIT's background thread took a quarter of the
/// process's CPU in the measured window (bikes CSV for every employer, <c>perf record</c> with <c>--time</c> over that
/// window: 24 % ".NET Tiered Com"), CPU that the database server on the same two cores then lacked.
/// </summary>
internal static class WarmUp
{
    private static readonly TimeSpan MinimumTime = TimeSpan.FromSeconds(1);

    // Quiet means: longer than the runtime's call-counting delay (100 ms) and a background tier-1 batch, and more
    // iterations than the 30 calls that promote a method to its next tier (a time alone ended one warm-up while the
    // calls were still being counted, and the measured run then compiled 1,590 methods).
    private static readonly TimeSpan QuietTime = TimeSpan.FromMilliseconds(500);
    private const int QuietIterations = 50;

    private static readonly TimeSpan MaximumTime = TimeSpan.FromSeconds(20);

    /// <returns>How long the warm-up took.</returns>
    public static async Task<TimeSpan> UntilJitQuietAsync(Func<Task> iteration)
    {
        var watch = Stopwatch.StartNew();
        var lastCount = JitInfo.GetCompiledMethodCount();
        var lastChange = TimeSpan.Zero;
        var quietIterations = 0;
        while (watch.Elapsed < MaximumTime)
        {
            await iteration();
            var count = JitInfo.GetCompiledMethodCount();
            if (count != lastCount)
            {
                (lastCount, lastChange, quietIterations) = (count, watch.Elapsed, 0);
            }
            else if (++quietIterations >= QuietIterations && watch.Elapsed >= MinimumTime && watch.Elapsed - lastChange >= QuietTime)
            {
                break;
            }
        }

        return watch.Elapsed;
    }
}
