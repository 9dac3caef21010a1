using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text;

namespace Lambda.Hosting;

/// <summary>
/// Where a cold start's time goes: the app and the Lambda server mark the end of each start-up phase, and the server
/// logs the phases once, after the first invocation has been answered (category <c>Lambda.Hosting.StartupTimeline</c>,
/// Information): each phase's wall time, the process's CPU time and the methods the JIT compiled in it (with the
/// JIT's time), measured from the process's start. A mark costs a timestamp and three counter reads, so it stays on in
/// production, where the line shows in CloudWatch beside Lambda's own <c>Init Duration</c>.
/// </summary>
public sealed class StartupTimeline
{
    private readonly List<Mark> _marks = [];
    private readonly Lock _gate = new();
    private bool _reported;

    internal StartupTimeline()
    {
    }

    /// <summary>This process's timeline.</summary>
    public static StartupTimeline Current { get; } = new();

    private readonly record struct Mark(string Phase, long Timestamp, TimeSpan Cpu, long JittedMethods, TimeSpan JitTime);

    /// <summary>Records that <paramref name="phase"/> ended now (after the first invocation has been answered: nothing).</summary>
    public void Complete(string phase)
    {
        lock (_gate)
        {
            if (!_reported)
            {
                _marks.Add(new Mark(phase, Stopwatch.GetTimestamp(), Environment.CpuUsage.TotalTime, JitInfo.GetCompiledMethodCount(), JitInfo.GetCompilationTime()));
            }
        }
    }

    /// <summary>
    /// The phases so far as one line, once (null on later calls), e.g. <c>runtime 48 ms; builder created +31 ms (CPU
    /// +40 ms, 120 methods jitted in 25 ms); ...</c>. The first phase, <c>runtime</c>, runs from the process's start to
    /// the first mark; CPU and JIT figures of the first phase count from the process's start too.
    /// </summary>
    internal string? TakeReport()
    {
        Mark[] marks;
        lock (_gate)
        {
            if (_reported || _marks.Count == 0)
            {
                return null;
            }

            _reported = true;
            marks = [.. _marks.OrderBy(mark => mark.Timestamp)];
        }

        using var process = Process.GetCurrentProcess();
        var sinceProcessStart = DateTime.Now - process.StartTime - Stopwatch.GetElapsedTime(marks[^1].Timestamp);
        var report = new StringBuilder();
        report.Append(CultureInfo.InvariantCulture, $"Start-up phases, {sinceProcessStart.TotalMilliseconds:F0} ms from process start to the last mark: ");
        var previous = new Mark("process start", marks[^1].Timestamp - (long)(sinceProcessStart.TotalSeconds * Stopwatch.Frequency), TimeSpan.Zero, 0, TimeSpan.Zero);
        foreach (var mark in marks)
        {
            report.Append(CultureInfo.InvariantCulture,
                $"{mark.Phase} +{Stopwatch.GetElapsedTime(previous.Timestamp, mark.Timestamp).TotalMilliseconds:F0} " +
                $"(CPU {(mark.Cpu - previous.Cpu).TotalMilliseconds:F0}, jitted {mark.JittedMethods - previous.JittedMethods} in {(mark.JitTime - previous.JitTime).TotalMilliseconds:F0}); ");
            previous = mark;
        }

        return report.ToString().TrimEnd(' ', ';');
    }
}
