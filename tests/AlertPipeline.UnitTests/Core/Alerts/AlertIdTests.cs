using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Events;
using NodaTime;

namespace AlertPipeline.UnitTests.Core.Alerts;

public class AlertIdTests
{
    private static readonly EventId Zhanaozen = EventId.Parse("zhanaozen-massacre");
    private static readonly Occurrence Commemoration = new(new LocalDateTime(2025, 12, 16, 11, 0), TimeZoneId.Parse("Asia/Aqtau"));

    [Fact]
    public void For_KnownInputs_GivesThePinnedValue()
    {
        // sha256("alert/v1\nzhanaozen-massacre\nanniversary\n2025-12-16T11:00:00 Asia/Aqtau\nP7D")[..16 bytes], computed
        // independently (Python hashlib). If this fails, ids changed and re-runs would send duplicates.
        var id = AlertId.For(Zhanaozen, EventKind.Anniversary, Commemoration, Reminder.Parse("P7D"));

        id.Value.Should().Be("75774197e5449172989a88db2b6df47f");
    }

    [Fact]
    public void For_SameInputsTwice_IsEqual()
    {
        AlertId.For(Zhanaozen, EventKind.Anniversary, Commemoration, Reminder.Parse("week-before"))
            .Should().Be(AlertId.For(Zhanaozen, EventKind.Anniversary, Commemoration, Reminder.Parse("P1W")));
    }

    [Fact]
    public void For_AnyInputDiffering_GivesADifferentId()
    {
        var baseline = AlertId.For(Zhanaozen, EventKind.Anniversary, Commemoration, Reminder.Parse("P7D"));

        var variants = new[]
        {
            AlertId.For(EventId.Parse("zhanaozen-massacre-2"), EventKind.Anniversary, Commemoration, Reminder.Parse("P7D")),
            AlertId.For(Zhanaozen, EventKind.TrialDate, Commemoration, Reminder.Parse("P7D")),
            AlertId.For(Zhanaozen, EventKind.Anniversary, Commemoration with { Local = Commemoration.Local.PlusYears(1) }, Reminder.Parse("P7D")),
            AlertId.For(Zhanaozen, EventKind.Anniversary, Commemoration with { TimeZone = TimeZoneId.Parse("Asia/Almaty") }, Reminder.Parse("P7D")),
            AlertId.For(Zhanaozen, EventKind.Anniversary, Commemoration, Reminder.Parse("P1D")),
            AlertId.For(Zhanaozen, EventKind.Anniversary, Commemoration, Reminder.Immediate),
        };

        variants.Select(v => v.Value).Append(baseline.Value).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void For_AlertEvent_UsesItsIdentityFields()
    {
        var alertEvent = new AlertEvent
        {
            EventId = Zhanaozen,
            Kind = EventKind.Anniversary,
            OccurredAt = Instant.FromUtc(2025, 12, 9, 6, 0),
            CampaignId = CampaignId.Parse("c"),
            Occurrence = Commemoration,
            Reminder = Reminder.Parse("P7D"),
            Channels = new([Channel.Sms]),
        };

        AlertId.For(alertEvent).Value.Should().Be("75774197e5449172989a88db2b6df47f");
        AlertId.For(alertEvent with { OccurredAt = Instant.FromUtc(2025, 12, 9, 7, 0) })
            .Should().Be(AlertId.For(alertEvent), "a re-raised message for the same reminder is the same alert");
    }

    [Fact]
    public void Parse_RoundTripsAndRejectsOtherText()
    {
        AlertId.Parse("75774197e5449172989a88db2b6df47f").Value.Should().Be("75774197e5449172989a88db2b6df47f");
        AlertId.TryParse("75774197E5449172989A88DB2B6DF47F", out _, out var error).Should().BeFalse();
        error.Should().Be("alert id must be 32 lowercase hexadecimal digits");
        AlertId.TryParse("abc", out _, out _).Should().BeFalse();
    }
}
