using System.Globalization;

namespace ReportingApi.Benchmarks;

/// <summary>
/// CPU time of another process (the benchmark's own mariadbd), summed over its threads from /proc/PID/task/*/schedstat
/// in nanoseconds. Unlike wall time it does not grow with what else the shared machine runs, so it is the database's
/// cost of a query however busy the machine is.
/// </summary>
internal sealed class ProcessCpu(int processId)
{
    public TimeSpan Used()
    {
        long nanoseconds = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{processId}/task"))
        {
            try
            {
                nanoseconds += long.Parse(File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ')[0], CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The thread ended between listing and reading; its time is lost to both readings alike.
            }
        }

        return TimeSpan.FromTicks(nanoseconds / 100);
    }
}
