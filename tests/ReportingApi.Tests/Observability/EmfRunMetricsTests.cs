using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using ReportingApi.Observability;
using ReportingApi.Tests.Pgp;

namespace ReportingApi.Tests.Observability;

public sealed class EmfRunMetricsTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-05-01T12:00:00.123Z", CultureInfo.InvariantCulture);

    [Fact]
    public void A_delivered_run_is_one_EMF_line_with_count_rows_bytes_and_duration_and_no_dimensions()
    {
        var lines = Emit(metrics => metrics.RunDelivered("run-1", 1234, 56789, TimeSpan.FromMilliseconds(4321.4)));

        var line = Assert.Single(lines);
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var aws = root.GetProperty("_aws");
        Assert.Equal(Now.ToUnixTimeMilliseconds(), aws.GetProperty("Timestamp").GetInt64());
        var directive = Assert.Single(aws.GetProperty("CloudWatchMetrics").EnumerateArray());
        Assert.Equal("ReportingApi", directive.GetProperty("Namespace").GetString());
        var dimensionSet = Assert.Single(directive.GetProperty("Dimensions").EnumerateArray());
        Assert.Equal(0, dimensionSet.GetArrayLength());
        var declared = directive.GetProperty("Metrics").EnumerateArray()
            .ToDictionary(m => m.GetProperty("Name").GetString()!, m => m.GetProperty("Unit").GetString());
        Assert.Equal(
            new Dictionary<string, string?> { ["RunsDelivered"] = "Count", ["RunRows"] = "Count", ["RunBytes"] = "Bytes", ["RunDurationMs"] = "Milliseconds" },
            declared);
        Assert.Equal(1, root.GetProperty("RunsDelivered").GetDouble());
        Assert.Equal(1234, root.GetProperty("RunRows").GetDouble());
        Assert.Equal(56789, root.GetProperty("RunBytes").GetDouble());
        Assert.Equal(4321, root.GetProperty("RunDurationMs").GetDouble());
        Assert.Equal("run-1", root.GetProperty("RunId").GetString());
        Assert.False(root.TryGetProperty("RunsFailed", out _));
    }

    [Fact]
    public void A_failed_run_is_counted_as_RunsFailed_with_its_duration()
    {
        var line = Assert.Single(Emit(metrics => metrics.RunFailed("run-2", TimeSpan.FromSeconds(2))));

        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var names = root.GetProperty("_aws").GetProperty("CloudWatchMetrics")[0].GetProperty("Metrics").EnumerateArray()
            .Select(m => m.GetProperty("Name").GetString()!).ToArray();
        Assert.Equal(["RunsFailed", "RunDurationMs"], names);
        Assert.Equal(1, root.GetProperty("RunsFailed").GetDouble());
        Assert.Equal(2000, root.GetProperty("RunDurationMs").GetDouble());
    }

    [Fact]
    public void Unknown_rows_and_bytes_are_left_out_rather_than_reported_as_zero()
    {
        var line = Assert.Single(Emit(metrics => metrics.RunDelivered("run-3", null, null, TimeSpan.Zero)));

        using var document = JsonDocument.Parse(line);
        Assert.False(document.RootElement.TryGetProperty("RunRows", out _));
        Assert.False(document.RootElement.TryGetProperty("RunBytes", out _));
        Assert.Equal(2, document.RootElement.GetProperty("_aws").GetProperty("CloudWatchMetrics")[0].GetProperty("Metrics").GetArrayLength());
    }

    private static string[] Emit(Action<EmfRunMetrics> emit)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        emit(new EmfRunMetrics(output, new FixedTimeProvider(Now), NullLogger<EmfRunMetrics>.Instance));
        return output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
    }
}
