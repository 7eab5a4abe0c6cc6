using AlertPipeline.LocalHost;
using AlertPipeline.LocalHost.Timers;

namespace AlertPipeline.UnitTests.LocalHost;

public sealed class TimerScheduleTests
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    [Fact]
    public void Parse_CronInUtc_OccurrencesInUtc()
    {
        var schedule = TimerSchedule.Parse("0 30 9 * * *", TimeZoneInfo.Utc);

        schedule.GetNextOccurrence(new DateTimeOffset(2024, 6, 1, 10, 0, 0, TimeSpan.Zero))
            .Should().Be(new DateTimeOffset(2024, 6, 2, 9, 30, 0, TimeSpan.Zero));
    }

    [Fact]
    public void Parse_CronInTimeZone_WallClockOfThatZone()
    {
        var schedule = TimerSchedule.Parse("0 30 9 * * *", London);

        var summer = schedule.GetNextOccurrence(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero))!.Value;
        var winter = schedule.GetNextOccurrence(new DateTimeOffset(2024, 12, 1, 0, 0, 0, TimeSpan.Zero))!.Value;

        summer.UtcDateTime.Should().Be(new DateTime(2024, 6, 1, 8, 30, 0, DateTimeKind.Utc), "09:30 BST is 08:30 UTC");
        winter.UtcDateTime.Should().Be(new DateTime(2024, 12, 1, 9, 30, 0, DateTimeKind.Utc));
        summer.Offset.Should().Be(TimeSpan.FromHours(1));
    }

    [Fact]
    public void Parse_CronInTimeZone_SpringForwardGapSkipped()
    {
        // 31 March 2024: London clocks go from 01:00 to 02:00; 01:30 does not exist that day.
        var schedule = TimerSchedule.Parse("0 30 1 * * *", London);

        schedule.GetNextOccurrence(new DateTimeOffset(2024, 3, 30, 12, 0, 0, TimeSpan.Zero))!.Value.UtcDateTime
            .Should().Be(new DateTime(2024, 4, 1, 0, 30, 0, DateTimeKind.Utc));
    }

    [Fact]
    public void Parse_CronInTimeZone_FallBackHourFiresOnce()
    {
        // 27 October 2024: London clocks go from 02:00 BST back to 01:00 GMT; 01:30 happens twice.
        var schedule = TimerSchedule.Parse("0 30 1 * * *", London);
        var first = schedule.GetNextOccurrence(new DateTimeOffset(2024, 10, 26, 12, 0, 0, TimeSpan.Zero))!.Value;
        var second = schedule.GetNextOccurrence(first)!.Value;

        first.UtcDateTime.Should().Be(new DateTime(2024, 10, 27, 0, 30, 0, DateTimeKind.Utc));
        second.UtcDateTime.Should().Be(new DateTime(2024, 10, 28, 1, 30, 0, DateTimeKind.Utc));
    }

    [Fact]
    public void Parse_TimeSpan_FixedInterval()
    {
        var schedule = TimerSchedule.Parse("00:05:00", TimeZoneInfo.Utc);
        var start = new DateTimeOffset(2024, 1, 1, 0, 1, 7, TimeSpan.Zero);

        schedule.GetNextOccurrence(start).Should().Be(start.AddMinutes(5));
    }

    [Fact]
    public void Parse_ZeroInterval_Throws() =>
        FluentActions.Invoking(() => TimerSchedule.Parse("00:00:00", TimeZoneInfo.Utc)).Should().Throw<FormatException>().WithMessage("*longer than zero*");

    [Fact]
    public void Parse_NeverFires_Throws() =>
        FluentActions.Invoking(() => TimerSchedule.Parse("0 0 0 31 2 *", TimeZoneInfo.Utc)).Should().Throw<FormatException>().WithMessage("*never fires*");

    [Fact]
    public void Parse_Malformed_ThrowsCronFormatException() =>
        FluentActions.Invoking(() => TimerSchedule.Parse("0 0 99 * * *", TimeZoneInfo.Utc)).Should().Throw<CronFormatException>().Which.Field.Should().Be("hour");

    [Fact]
    public void ResolveTimeZone_UnsetIsUtc_UnknownIsAClearError()
    {
        TimerSchedule.ResolveTimeZone(null).Should().Be(TimeZoneInfo.Utc);
        TimerSchedule.ResolveTimeZone("Europe/London").Id.Should().Be("Europe/London");
        FluentActions.Invoking(() => TimerSchedule.ResolveTimeZone("Mars/Olympus"))
            .Should().Throw<LocalHostConfigurationException>().WithMessage("*WEBSITE_TIME_ZONE*Mars/Olympus*");
    }
}
