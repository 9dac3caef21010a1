using System.Diagnostics;
using ReportingApi.TestSupport.Lambda;

namespace ReportingApi.TestSupport.Aws;

/// <summary>
/// AWS's Python tools that the tests run (tests/install/aws-tools.sh): cfn-lint with aws-sam-translator, and the python3
/// that has them and moto (for moto's server, the SAM transform and botocore's service models). Taken from
/// tests/.tools/python when the install script had to put them there, else from PATH.
/// </summary>
public static class AwsTools
{
    private static readonly Lazy<string> BotocoreFolder = new(() => RunChecked(Python, ["-c", "import botocore, os; print(os.path.dirname(botocore.__file__))"]).Trim());

    public static string Python => Find("python3");

    public static string CfnLint => Find("cfn-lint");

    /// <summary>AWS's model of a service's API as botocore ships it, e.g. <c>transfer</c>, <c>2018-11-05</c>.</summary>
    public static string ServiceModelPath(string service, string apiVersion) =>
        Path.Combine(BotocoreFolder.Value, "data", service, apiVersion, "service-2.json.gz");

    /// <summary>Runs a tool to its end; the caller judges the exit code.</summary>
    public static async Task<ToolResult> RunAsync(string tool, IEnumerable<string> arguments, TimeSpan timeout)
    {
        using var process = Process.Start(StartInfo(tool, arguments))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', arguments)} did not finish within {timeout}.");
        }

        return new ToolResult(process.ExitCode, await output, await errors);
    }

    public static ProcessStartInfo StartInfo(string tool, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private static string RunChecked(string tool, IEnumerable<string> arguments)
    {
        var result = RunAsync(tool, arguments, TimeSpan.FromMinutes(1)).GetAwaiter().GetResult();
        return result.ExitCode == 0 ? result.Output : throw new InvalidOperationException($"{tool} failed ({result.ExitCode}): {result.Errors}");
    }

    private static string Find(string command)
    {
        var installed = Path.Combine(AppProcess.RepositoryRoot(), "tests", ".tools", "python", "bin", command);
        if (File.Exists(installed))
        {
            return installed;
        }

        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, command);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"{command} is neither in tests/.tools/python/bin nor on PATH: run tests/install/aws-tools.sh.");
    }
}

/// <summary>How a tool run ended: its exit code, standard output and standard error.</summary>
public sealed record ToolResult(int ExitCode, string Output, string Errors);
