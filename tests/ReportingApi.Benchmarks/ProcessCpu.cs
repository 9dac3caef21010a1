using System.Globalization;

namespace ReportingApi.Benchmarks;

/// <summary>
/// CPU time of another process (the benchmark's own mariadbd, a published app), summed over its threads from
/// /proc/PID/task/*/schedstat in nanoseconds. Unlike wall time it does not grow with what else the shared machine runs,
/// so it is the process's cost of a query or a request however busy the machine is. A thread that has ended (the .NET
/// thread pool retires idle threads) keeps counting with its last reading, so the sum never goes backwards.
/// </summary>
internal sealed class ProcessCpu(int processId)
{
    private readonly Dictionary<string, long> _lastByThread = [];
    private long _endedThreads;

    public TimeSpan Used()
    {
        lock (_lastByThread)
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{processId}/task"))
            {
                try
                {
                    var nanoseconds = long.Parse(File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ')[0], CultureInfo.InvariantCulture);
                    var thread = Path.GetFileName(task);
                    if (_lastByThread.TryGetValue(thread, out var last) && nanoseconds < last)
                    {
                        // The id now belongs to a new thread: the old one ended at its last reading.
                        _endedThreads += last;
                    }

                    _lastByThread[thread] = nanoseconds;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The thread ended between listing and reading; it keeps its last reading.
                }
            }

            return TimeSpan.FromTicks((_endedThreads + _lastByThread.Values.Sum()) / 100);
        }
    }
}
