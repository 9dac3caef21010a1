using ReportingApi.Webhooks;

namespace ReportingApi.Tests.Webhooks;

public sealed class WebhookRetryScheduleTests
{
    private static readonly WebhookRetrySchedule Schedule = WebhookRetrySchedule.Default;

    [Fact]
    public void The_default_doubles_from_30_seconds_to_4_hours()
    {
        var delays = Enumerable.Range(1, Schedule.MaxAttempts - 1).Select(Schedule.NominalDelay).ToList();

        Assert.Equal(15, Schedule.MaxAttempts);
        Assert.Equal(
            [30, 60, 120, 240, 480, 960, 1920, 3840, 7680, 14400, 14400, 14400, 14400, 14400],
            delays.Select(d => d.TotalSeconds));
    }

    [Fact]
    public void Retries_go_on_for_at_least_24_hours_even_with_the_least_jitter_and_at_most_about_30()
    {
        var shortest = Total(jitterSample: 0);
        var longest = Total(jitterSample: 0.999999);

        Assert.InRange(shortest, TimeSpan.FromHours(24), TimeSpan.FromHours(24.5));
        Assert.InRange(longest, shortest, TimeSpan.FromHours(30.5));
    }

    [Fact]
    public void Jitter_only_lengthens_and_by_at_most_the_fraction()
    {
        for (var attempts = 1; attempts < Schedule.MaxAttempts; attempts++)
        {
            var nominal = Schedule.NominalDelay(attempts);
            Assert.Equal(nominal, Schedule.DelayAfter(attempts, 0));
            Assert.Equal(nominal * 1.125, Schedule.DelayAfter(attempts, 0.5));
            Assert.True(Schedule.DelayAfter(attempts, 0.999999) < nominal * 1.25);
        }
    }

    [Fact]
    public void After_the_last_attempt_there_is_no_next()
    {
        var last = DateTimeOffset.UnixEpoch;

        Assert.NotNull(Schedule.NextAttemptAt(last, Schedule.MaxAttempts - 1, 0.3));
        Assert.Null(Schedule.NextAttemptAt(last, Schedule.MaxAttempts, 0.3));
        Assert.Null(Schedule.DelayAfter(Schedule.MaxAttempts + 5, 0.3));
    }

    [Fact]
    public void A_later_Retry_After_is_honoured_up_to_the_longest_delay_and_an_earlier_one_is_not()
    {
        var last = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(last.AddSeconds(600), Schedule.NextAttemptAt(last, 1, 0, TimeSpan.FromSeconds(600)));
        Assert.Equal(last.AddSeconds(30), Schedule.NextAttemptAt(last, 1, 0, TimeSpan.FromSeconds(5)));
        Assert.Equal(last.AddHours(4), Schedule.NextAttemptAt(last, 1, 0, TimeSpan.FromDays(3)));
    }

    [Fact]
    public void Many_attempts_do_not_overflow()
    {
        var schedule = new WebhookRetrySchedule(TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), TimeSpan.FromHours(50), 0);

        Assert.Equal(TimeSpan.FromHours(1), schedule.NominalDelay(schedule.MaxAttempts - 1));
        Assert.Equal(TimeSpan.FromHours(1), schedule.NominalDelay(int.MaxValue));
    }

    [Fact]
    public void Nonsense_settings_and_samples_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new WebhookRetrySchedule(TimeSpan.Zero, TimeSpan.FromHours(1), TimeSpan.FromHours(1), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WebhookRetrySchedule(TimeSpan.FromHours(2), TimeSpan.FromHours(1), TimeSpan.FromHours(1), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WebhookRetrySchedule(TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), TimeSpan.FromHours(1), 1.5));
        Assert.Throws<ArgumentException>(() => new WebhookRetrySchedule(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromDays(30), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.DelayAfter(1, 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.NominalDelay(0));
    }

    private static TimeSpan Total(double jitterSample) =>
        Enumerable.Range(1, Schedule.MaxAttempts - 1).Aggregate(TimeSpan.Zero, (sum, attempts) => sum + Schedule.DelayAfter(attempts, jitterSample)!.Value);
}
