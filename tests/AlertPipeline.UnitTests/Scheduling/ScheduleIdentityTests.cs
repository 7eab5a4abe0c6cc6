using AlertPipeline.Core.Scheduling;
using static AlertPipeline.UnitTests.Scheduling.TestTime;

namespace AlertPipeline.UnitTests.Scheduling;

public class ScheduleIdentityTests
{
    [Theory]
    [InlineData("zhanaozen-kz")]
    [InlineData("trial_42.v1")]
    [InlineData("A")]
    public void ScheduleId_SafeCharacters_IsAccepted(string value)
    {
        new ScheduleId(value).Value.Should().Be(value);
    }

    [Theory]
    [InlineData("", "*empty*")]
    [InlineData("  ", "*empty*")]
    [InlineData("a|b", "*contains '|'*")]
    [InlineData("a/b", "*contains '/'*")]
    [InlineData("a#b", "*contains '#'*")]
    [InlineData("café", "*contains 'é'*")]
    public void ScheduleId_UnsafeValue_IsRejected(string value, string message)
    {
        var act = () => new ScheduleId(value);

        act.Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void ScheduleId_TooLong_IsRejected()
    {
        var act = () => new ScheduleId(new string('x', 65));

        act.Should().Throw<ArgumentException>().WithMessage("*at most 64*");
    }

    [Fact]
    public void OccurrenceKey_Anniversary_IsIdYearAndCode()
    {
        var key = OccurrenceKey.ForAnniversary(new ScheduleId("zhanaozen-kz"), 2025, Reminder.Parse("P7D"));

        key.Value.Should().Be("zhanaozen-kz|Y2025|P7D");
        key.ScheduleId.Should().Be(new ScheduleId("zhanaozen-kz"));
    }

    [Fact]
    public void OccurrenceKey_Hearing_IsIdLocalDateTimeAndCode()
    {
        var key = OccurrenceKey.ForHearing(new ScheduleId("trial-42"), L("2025-03-14T09:30"), Reminder.Parse("P0D@07:00"));

        key.Value.Should().Be("trial-42|H20250314T093000|P0D@07:00");
    }

    [Fact]
    public void OccurrenceKey_Notice_IsIdRevisionAndKind()
    {
        var id = new ScheduleId("trial-42");

        OccurrenceKey.ForNotice(id, 2, OccurrenceKind.HearingMoved).Value.Should().Be("trial-42|R2|MOVED");
        OccurrenceKey.ForNotice(id, 3, OccurrenceKind.HearingCancelled).Value.Should().Be("trial-42|R3|CANCELLED");
    }

    [Fact]
    public void OccurrenceKey_HasNoCharactersForbiddenInTableKeys()
    {
        var key = OccurrenceKey.ForHearing(new ScheduleId("t.1_x-2"), L("2025-03-14T09:30"), Reminder.Parse("P1D@18:00"));

        key.Value.Should().NotContainAny("/", "\\", "#", "?");
    }

    [Fact]
    public void OccurrenceKey_ParseOfValue_RoundTrips()
    {
        var key = OccurrenceKey.ForAnniversary(new ScheduleId("zhanaozen-kz"), 2025, Reminder.Parse("PT2H"));

        OccurrenceKey.Parse(key.Value).Should().Be(key);
    }

    [Theory]
    [InlineData("", "*empty*")]
    [InlineData("a|b", "*not '{schedule}|{anchor}|{what}'*")]
    [InlineData("a|Y2025|P1D|x", "*not '{schedule}|{anchor}|{what}'*")]
    [InlineData("a b|Y2025|P1D", "*invalid schedule id*")]
    [InlineData("a|X2025|P1D", "*anchor 'X2025'*")]
    public void OccurrenceKey_ParseMalformed_Throws(string value, string message)
    {
        var act = () => OccurrenceKey.Parse(value);

        act.Should().Throw<FormatException>().WithMessage(message);
    }

    [Fact]
    public void Zone_UnknownId_IsRejectedByName()
    {
        var act = () => ScheduleTime.Zone("Europe/Atlantis");

        act.Should().Throw<ArgumentException>().WithMessage("*'Europe/Atlantis' is not an IANA time zone id*");
    }
}
