using System.Globalization;
using System.Text.RegularExpressions;
using ReportingApi.TestSupport.Lambda;

namespace ReportingApi.Benchmarks;

/// <summary>
/// wrk, the HTTP load generator (Debian package <c>wrk</c>, installed by <c>install-wrk.sh</c> when missing): a fixed
/// number of connections kept busy for a fixed time; requests per second and latency percentiles (<c>--latency</c>).
/// </summary>
internal static partial class Wrk
{
    public sealed record Result(double RequestsPerSecond, double P50Milliseconds, double P99Milliseconds, long Requests, long FailedResponses, string? SocketErrors);

    public static async Task EnsureInstalledAsync()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        if (path.Split(':').Any(folder => File.Exists(Path.Combine(folder, "wrk"))))
        {
            return;
        }

        var script = Path.Combine(AppProcess.RepositoryRoot(), "tests", "ReportingApi.Benchmarks", "install-wrk.sh");
        Console.Write(await Shell.RunProgramAsync("bash", [script], name: "install-wrk.sh"));
    }

    /// <param name="token">Sent as <c>Authorization: Bearer</c> when given.</param>
    /// <param name="duration">As wrk takes it: <c>15s</c>, <c>1m</c>.</param>
    public static async Task<Result> RunAsync(Uri url, string? token, int threads, int connections, string duration)
    {
        var arguments = new List<string> { $"-t{threads}", $"-c{connections}", $"-d{duration}", "--latency" };
        if (token is not null)
        {
            arguments.AddRange(["-H", $"Authorization: Bearer {token}"]);
        }

        arguments.Add(url.ToString());
        return Parse(await Shell.RunProgramAsync("wrk", arguments));
    }

    /// <summary>Reads wrk 4's summary: <c>Requests/sec:</c>, the <c>Latency Distribution</c> lines, the request count and the failures.</summary>
    internal static Result Parse(string output)
    {
        var requestsPerSecond = double.Parse(Match(RequestsPerSecondLine(), output), CultureInfo.InvariantCulture);
        var failed = NonSuccessLine().Match(output) is { Success: true } non2xx ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var socketErrors = SocketErrorsLine().Match(output) is { Success: true } errors ? errors.Groups[1].Value.Trim() : null;
        return new Result(requestsPerSecond, Percentile(output, "50"), Percentile(output, "99"),
            long.Parse(Match(RequestCountLine(), output), CultureInfo.InvariantCulture), failed, socketErrors);
    }

    private static double Percentile(string output, string percent)
    {
        var line = Regex.Match(output, $@"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline);
        if (!line.Success)
        {
            throw new FormatException($"No {percent}% latency in wrk's output:\n{output}");
        }

        var value = double.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture);
        return line.Groups[2].Value switch
        {
            "us" => value / 1000,
            "ms" => value,
            "s" => value * 1000,
            _ => value * 60_000,
        };
    }

    private static string Match(Regex pattern, string output) =>
        pattern.Match(output) is { Success: true } match ? match.Groups[1].Value : throw new FormatException($"wrk's output has no '{pattern}':\n{output}");

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecondLine();

    [GeneratedRegex(@"(\d+) requests in ")]
    private static partial Regex RequestCountLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex NonSuccessLine();

    [GeneratedRegex(@"Socket errors: (.*)")]
    private static partial Regex SocketErrorsLine();
}
