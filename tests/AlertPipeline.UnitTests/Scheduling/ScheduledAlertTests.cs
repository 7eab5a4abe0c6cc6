using AlertPipeline.Core.Common;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Messaging;
using AlertPipeline.Core.Scheduling;
using NodaTime;
using static AlertPipeline.UnitTests.Scheduling.ScheduleFixtures;
using static AlertPipeline.UnitTests.Scheduling.TestTime;

namespace AlertPipeline.UnitTests.Scheduling;

public class ScheduledAlertTests
{
    [Theory]
    [InlineData("P7D", "10:00", "P7D")]
    [InlineData("P1D", "10:00", "P1D")]
    [InlineData("P0D", "10:00", "P0D")]
    [InlineData("P1D@18:00", "10:00", "PT16H")]
    [InlineData("P0D@07:00", "10:00", "PT3H")]
    [InlineData("P2D@09:15", "08:00", "P1DT22H45M")]
    [InlineData("PT2H", "10:00", "PT2H")]
    [InlineData("PT24H", "10:00", "P1D")]
    public void EventReminderFor_IsHowLongBeforeTheEventInLocalTime(string code, string eventTime, string expected)
    {
        var reminder = ScheduledAlert.EventReminderFor(Reminder.Parse(code), new LocalDate(2025, 3, 30).At(T(eventTime)));

        reminder.Canonical.Should().Be(expected);
    }

    [Fact]
    public void Constructor_ScheduleIdThatIsNotAnEventId_IsRefused()
    {
        var schedule = new AnniversarySchedule(new ScheduleId("Zhanaozen_2011"), new AnnualDate(12, 16), T("10:00"), Aqtau, R("P0D"), 2012);

        var act = () => new ScheduledAlert(CampaignId.Parse("c"), schedule, Content());

        act.Should().Throw<ArgumentException>().WithMessage("*'Zhanaozen_2011'*lowercase slug*");
    }

    [Fact]
    public void Constructor_EventTimeWithSecondsOrReminderWithSeconds_IsRefused()
    {
        var withSeconds = new AnniversarySchedule(new ScheduleId("a"), new AnnualDate(12, 16), new LocalTime(10, 0, 30), Aqtau, R("P0D"), 2012);
        var secondsReminder = new AnniversarySchedule(new ScheduleId("a"), new AnnualDate(12, 16), T("10:00"), Aqtau, R("PT90S"), 2012);

        FluentActions.Invoking(() => new ScheduledAlert(CampaignId.Parse("c"), withSeconds, Content())).Should().Throw<ArgumentException>().WithMessage("*whole minutes*");
        FluentActions.Invoking(() => new ScheduledAlert(CampaignId.Parse("c"), secondsReminder, Content())).Should().Throw<ArgumentException>().WithMessage("*'PT1M30S'*whole minutes*");
    }

    [Fact]
    public void Content_TemplatesMissingAChannelOrUsingAnUnknownVariable_AreRefusedWithTheirPaths()
    {
        var act = () => new ScheduledAlertContent(
            [Channel.Sms, Channel.Email],
            AlertTemplates.Inline([new MessageTemplate(LanguageTag.Parse("en"), "{{name}} {{plcae}}", null)]));

        act.Should().Throw<ArgumentException>()
            .WithMessage("*reminders: $.templates.en.email: is required*")
            .WithMessage("*reminders: $.templates.en.sms: unknown variable 'plcae'*");
    }

    [Fact]
    public void Content_PreviousDateOnlyAllowedInHearingMovedTemplates()
    {
        var uses = AlertTemplates.Inline([new MessageTemplate(LanguageTag.Parse("en"), "was {{previousDate}} {{previousTime}}", null)]);

        FluentActions.Invoking(() => new ScheduledAlertContent([Channel.Sms], uses, hearingMoved: uses)).Should().Throw<ArgumentException>()
            .WithMessage("*reminders: $.templates.en.sms: unknown variable 'previousDate'*")
            .Which.Message.Should().NotContain("hearingMoved:");
        FluentActions.Invoking(() => new ScheduledAlertContent([Channel.Sms], Content().Reminders, variables: new ValueDictionary([new("previousDate", "x")])))
            .Should().Throw<ArgumentException>().WithMessage("*previousDate: is set by hearing-moved notices*");
    }

    [Fact]
    public void EventFor_ExpiresAfterEvent_ExtendsTheExpiryPastTheEvent()
    {
        var zhanaozen = Zhanaozen(reminders: ["P7D", "P0D"]);
        var alert = new ScheduledAlert(zhanaozen.CampaignId, zhanaozen.Schedule, new ScheduledAlertContent(
            zhanaozen.Content.Channels, zhanaozen.Content.Reminders, variables: zhanaozen.Content.Variables, expiresAfterEvent: Duration.FromHours(13)));
        var weekBefore = ((AnniversarySchedule)alert.Schedule).OccurrencesIn(2025)[0];

        var alertEvent = alert.EventFor(weekBefore, Grace);

        alertEvent.ExpiresAt.Should().Be(I("2025-12-16T18:00:00Z"));
        alertEvent.Reminder.Canonical.Should().Be("P7D");
    }

    [Fact]
    public void EventFor_LeapDayAnniversaryInACommonYear_KeepsTheKeyYearAndFallsOn28February()
    {
        var schedule = new AnniversarySchedule(new ScheduleId("leap"), new AnnualDate(2, 29), T("12:00"), London, R("P1D"), 2020);
        var alert = new ScheduledAlert(CampaignId.Parse("c"), schedule, Content(notices: false));
        var occurrence = schedule.OccurrencesIn(2025).Single();

        var alertEvent = alert.EventFor(occurrence, Grace);

        occurrence.Key.Value.Should().Be("leap|Y2025|P1D");
        alertEvent.Occurrence.Canonical.Should().Be("2025-02-28T12:00:00 Europe/London");
    }

    [Fact]
    public void EventFor_AnOccurrenceOfAnotherRevision_IsRefused()
    {
        var trial = Trial();
        var moved = ((TrialSchedule)trial.Schedule).Postpone(L("2025-04-04T09:30"), I("2025-03-01T00:00:00Z"), new HashSet<OccurrenceKey>(), notify: true);
        var oldReminder = ((TrialSchedule)trial.Schedule).Plan().Active[0];

        var act = () => trial.WithSchedule(moved.Schedule).EventFor(oldReminder, Grace);

        act.Should().Throw<ArgumentException>().WithMessage("*not one of schedule 'trial-42' as it now stands*");
    }

    [Fact]
    public void FiresUntil_IsTheLastInstantAScheduleCanFire()
    {
        Zhanaozen().FiresUntil.Should().BeNull();
        Trial().FiresUntil.Should().Be(I("2025-03-14T09:30:00Z"));
        var cancelled = ((TrialSchedule)Trial().Schedule).Cancel(I("2025-03-01T00:00:00Z"), new HashSet<OccurrenceKey>(), notify: true);
        Trial().WithSchedule(cancelled.Schedule).FiresUntil.Should().Be(I("2025-03-01T00:00:00Z"));
    }
}
