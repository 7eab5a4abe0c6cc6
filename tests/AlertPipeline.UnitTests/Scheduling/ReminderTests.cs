using AlertPipeline.Core.Scheduling;
using NodaTime;
using static AlertPipeline.UnitTests.Scheduling.TestTime;

namespace AlertPipeline.UnitTests.Scheduling;

public class ReminderTests
{
    [Theory]
    [InlineData("P7D", "P7D")]
    [InlineData("P1D", "P1D")]
    [InlineData("P0D", "P0D")]
    [InlineData("P1W", "P7D")]
    [InlineData("P0D@07:00", "P0D@07:00")]
    [InlineData(" P1D@18:30 ", "P1D@18:30")]
    [InlineData("PT2H", "PT2H")]
    [InlineData("PT90M", "PT1H30M")]
    [InlineData("PT48H", "PT48H")]
    [InlineData("PT1H0M30S", "PT1H30S")]
    public void Parse_ValidCode_GivesCanonicalCode(string code, string canonical)
    {
        Reminder.Parse(code).Code.Should().Be(canonical);
    }

    [Fact]
    public void Parse_DaysCode_IsLocalDayReminderAtEventTime()
    {
        var reminder = Reminder.Parse("P1D").Should().BeOfType<LocalDayReminder>().Subject;

        reminder.Days.Should().Be(1);
        reminder.At.Should().BeNull();
    }

    [Fact]
    public void Parse_DaysWithTime_IsLocalDayReminderAtThatTime()
    {
        var reminder = Reminder.Parse("P0D@07:00").Should().BeOfType<LocalDayReminder>().Subject;

        reminder.Days.Should().Be(0);
        reminder.At.Should().Be(new LocalTime(7, 0));
    }

    [Fact]
    public void Parse_HoursCode_IsElapsedReminder()
    {
        Reminder.Parse("PT2H").Should().BeOfType<ElapsedReminder>()
            .Which.Elapsed.Should().Be(Duration.FromHours(2));
    }

    [Theory]
    [InlineData("", "*empty*")]
    [InlineData("7 days", "*ISO-8601*")]
    [InlineData("P1M", "*months*")]
    [InlineData("P1Y", "*months*")]
    [InlineData("P1DT2H", "*mixes days and hours*")]
    [InlineData("PT2H@07:00", "*only goes with days*")]
    [InlineData("P1D@7am", "*'HH:mm'*")]
    [InlineData("P1D@25:00", "*'HH:mm'*")]
    [InlineData("P367D", "*out of range*")]
    [InlineData("PT0.5S", "*out of range*")]
    [InlineData("P-1D", "*negative*")]
    public void Parse_InvalidCode_ThrowsNamingTheProblem(string code, string message)
    {
        var act = () => Reminder.Parse(code);

        act.Should().Throw<FormatException>().WithMessage(message);
    }

    [Fact]
    public void Factories_GiveTheCodesTheyParseBackTo()
    {
        Reminder[] reminders =
        [
            Reminder.OnTheDay,
            Reminder.DaysBefore(7),
            Reminder.DaysBefore(1, T("18:00")),
            Reminder.MorningOf(T("07:00")),
            Reminder.HoursBefore(2),
            Reminder.Before(Duration.FromMinutes(90)),
        ];

        reminders.Select(r => r.Code).Should().Equal("P0D", "P7D", "P1D@18:00", "P0D@07:00", "PT2H", "PT1H30M");
        reminders.Select(r => Reminder.Parse(r.Code)).Should().Equal(reminders);
    }

    [Fact]
    public void ElapsedReminder_Zero_IsRejectedPointingToP0D()
    {
        var act = () => Reminder.Before(Duration.Zero);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*P0D*");
    }

    [Fact]
    public void LocalDayReminder_NegativeDays_IsRejected()
    {
        var act = () => Reminder.DaysBefore(-1);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*between 0 and 366*");
    }

    [Fact]
    public void LocalDayReminder_TimeWithSeconds_IsRejected()
    {
        var act = () => Reminder.MorningOf(new LocalTime(7, 0, 30));

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*whole minutes*");
    }

    [Fact]
    public void ReminderSet_DuplicateCode_IsRejected()
    {
        var act = () => ReminderSet.Parse("P1D", "P7D", "P1W");

        act.Should().Throw<ArgumentException>().WithMessage("*'P7D' appears twice*");
    }

    [Fact]
    public void ReminderSet_Empty_IsRejected()
    {
        var act = () => ReminderSet.Parse();

        act.Should().Throw<ArgumentException>().WithMessage("*at least one reminder*");
    }

    [Fact]
    public void ReminderSet_SameCodes_AreEqual()
    {
        R("P7D", "PT2H").Equals(R("P7D", "PT2H")).Should().BeTrue();
        R("P7D", "PT2H").GetHashCode().Should().Be(R("P7D", "PT2H").GetHashCode());
        R("P7D", "PT2H").Equals(R("PT2H", "P7D")).Should().BeFalse();
    }
}
