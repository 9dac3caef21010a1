using System.Diagnostics;

namespace ReportingApi.TestSupport;

/// <summary>Starts a server or app the tests run, reading its output line by line as it comes (so a full pipe never stalls it).</summary>
public static class OutputReadingProcess
{
    /// <param name="onLine">Each line of standard output and standard error, called from the process's reader threads.</param>
    public static Process Start(ProcessStartInfo start, Action<string> onLine)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => OnLine(line.Data);
        process.ErrorDataReceived += (_, line) => OnLine(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;

        // Null marks the end of a stream, not a line.
        void OnLine(string? line)
        {
            if (line is not null)
            {
                onLine(line);
            }
        }
    }
}
