using System.Text.RegularExpressions;

namespace Lambda.Hosting.Tests.Startup;

public sealed class StartupTimelineTests
{
    [Fact]
    public void The_report_lists_each_phase_in_order_with_its_time_CPU_and_jit_and_is_given_once()
    {
        var timeline = new StartupTimeline();
        timeline.Complete("first phase");
        Thread.Sleep(20);
        timeline.Complete("second phase");

        var report = timeline.TakeReport();

        Assert.NotNull(report);
        var phases = Regex.Matches(report, @"(?<name>[^;:]+?) \+(?<wall>\d+) \(CPU -?\d+, jitted \d+ in \d+\)");
        Assert.Equal(["first phase", "second phase"], phases.Select(phase => phase.Groups["name"].Value.Trim()));
        Assert.InRange(int.Parse(phases[1].Groups["wall"].Value, System.Globalization.CultureInfo.InvariantCulture), 15, 10_000);
        Assert.Null(timeline.TakeReport());
    }

    [Fact]
    public void Marks_after_the_report_are_ignored_and_no_marks_give_no_report()
    {
        var timeline = new StartupTimeline();
        Assert.Null(timeline.TakeReport());

        timeline.Complete("phase");
        Assert.NotNull(timeline.TakeReport());
        timeline.Complete("late phase");
        Assert.Null(timeline.TakeReport());
    }
}
