using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Events;
using NodaTime;

namespace AlertPipeline.UnitTests.Core.Events;

public class ReminderAndOccurrenceTests
{
    private static readonly Occurrence Trial = new(new LocalDateTime(2025, 3, 10, 10, 0), TimeZoneId.Parse("Asia/Aqtau"));

    [Theory]
    [InlineData("immediate", "immediate")]
    [InlineData("on-the-day", "P0D")]
    [InlineData("day-before", "P1D")]
    [InlineData("week-before", "P7D")]
    [InlineData("P1W", "P7D")]
    [InlineData("PT24H", "P1D")]
    [InlineData("PT90M", "PT1H30M")]
    [InlineData("P3D", "P3D")]
    public void Parse_NamesAndPeriods_HaveACanonicalForm(string text, string canonical)
    {
        Reminder.Parse(text).Canonical.Should().Be(canonical);
    }

    [Fact]
    public void Value_KeepsNamesAndNormalisesPeriods()
    {
        Reminder.Parse("day-before").Value.Should().Be("day-before");
        Reminder.Parse("P1W").Value.Should().Be("P7D");
    }

    [Fact]
    public void Equality_NameAndEquivalentPeriod_AreEqual()
    {
        Reminder.Parse("day-before").Should().Be(Reminder.Parse("P1D"));
        Reminder.Parse("day-before").GetHashCode().Should().Be(Reminder.Parse("PT24H").GetHashCode());
        Reminder.Parse("day-before").Should().NotBe(Reminder.Parse("P2D"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("tomorrow")]
    [InlineData("Day-Before")]
    [InlineData("-P1D")]
    [InlineData("P-1D")]
    [InlineData("PT30S")]
    [InlineData("P")]
    public void TryParse_Invalid_Fails(string text)
    {
        Reminder.TryParse(text, out var reminder, out var error).Should().BeFalse();

        reminder.Should().BeNull();
        error.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public void DueAt_SubtractsThePeriodInLocalTime()
    {
        Reminder.Parse("day-before").DueAt(Trial).Should().Be(Instant.FromUtc(2025, 3, 9, 5, 0));
        Reminder.Parse("PT2H").DueAt(Trial).Should().Be(Instant.FromUtc(2025, 3, 10, 3, 0));
        Reminder.Immediate.DueAt(Trial).Should().BeNull();
    }

    [Fact]
    public void DueAt_AcrossDst_KeepsTheLocalTime()
    {
        var london = new Occurrence(new LocalDateTime(2025, 3, 31, 9, 0), TimeZoneId.Parse("Europe/London"));

        // 30 March 2025 01:00 UTC the clocks went forward: the day before at 09:00 is GMT, the day itself BST.
        london.Instant.Should().Be(Instant.FromUtc(2025, 3, 31, 8, 0));
        Reminder.Parse("day-before").DueAt(london).Should().Be(Instant.FromUtc(2025, 3, 30, 8, 0));
    }

    [Fact]
    public void Occurrence_InSpringForwardGap_MovesForward()
    {
        var gap = new Occurrence(new LocalDateTime(2025, 3, 30, 1, 30), TimeZoneId.Parse("Europe/London"));

        gap.Instant.Should().Be(Instant.FromUtc(2025, 3, 30, 1, 30));
    }

    [Fact]
    public void Occurrence_AmbiguousAutumnTime_TakesTheEarlierInstant()
    {
        var ambiguous = new Occurrence(new LocalDateTime(2025, 10, 26, 1, 30), TimeZoneId.Parse("Europe/London"));

        ambiguous.Instant.Should().Be(Instant.FromUtc(2025, 10, 26, 0, 30));
    }

    [Fact]
    public void Occurrence_Canonical_IsLocalTimeAndZoneId()
    {
        Trial.Canonical.Should().Be("2025-03-10T10:00:00 Asia/Aqtau");
    }

    [Fact]
    public void Audience_NarrowsByUnionOrBranch()
    {
        var kz = UnionId.Parse("kz-oil");
        var uk = UnionId.Parse("uk-unite");
        var audience = new Audience([kz], [new BranchRef(uk, BranchId.Parse("london"))]);

        audience.Includes(kz, BranchId.Parse("zhanaozen")).Should().BeTrue();
        audience.Includes(uk, BranchId.Parse("london")).Should().BeTrue();
        audience.Includes(uk, BranchId.Parse("leeds")).Should().BeFalse();
        Audience.Everyone.Includes(uk, BranchId.Parse("leeds")).Should().BeTrue();
    }

    [Fact]
    public void ExpiresAt_DefaultsToTheOccurrence()
    {
        var e = new AlertEvent
        {
            EventId = EventId.Parse("e"),
            Kind = EventKind.TrialDate,
            OccurredAt = Instant.FromUtc(2025, 3, 1, 0, 0),
            CampaignId = CampaignId.Parse("c"),
            Occurrence = Trial,
            Reminder = Reminder.Immediate,
            Channels = new([Channel.Sms]),
        };

        e.ExpiresAt.Should().Be(Trial.Instant);
        e.IsExpiredAt(Trial.Instant).Should().BeTrue();
        e.IsExpiredAt(Trial.Instant - Duration.FromSeconds(1)).Should().BeFalse();
        (e with { ExplicitExpiry = Trial.Instant + Duration.FromHours(1) }).IsExpiredAt(Trial.Instant).Should().BeFalse();
    }
}
