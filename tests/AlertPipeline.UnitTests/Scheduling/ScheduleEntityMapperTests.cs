using AlertPipeline.Core.Common;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Messaging;
using AlertPipeline.Core.Scheduling;
using AlertPipeline.Infrastructure.Persistence.Schedules;
using NodaTime;
using static AlertPipeline.UnitTests.Scheduling.ScheduleFixtures;
using static AlertPipeline.UnitTests.Scheduling.TestTime;

namespace AlertPipeline.UnitTests.Scheduling;

public class ScheduleEntityMapperTests
{
    public static ScheduledAlert RichAnniversary() => new(
        CampaignId.Parse("zhanaozen-solidarity"),
        new AnniversarySchedule(new ScheduleId("zhanaozen"), new AnnualDate(12, 16), T("11:00"), Aqtau, R("P7D", "P1D@18:00", "PT2H", "P0D"), 2012, 2040, I("2025-01-01T00:00:00Z")),
        new ScheduledAlertContent(
            [Channel.Sms, Channel.Email],
            AlertTemplates.Inline(
            [
                new MessageTemplate(LanguageTag.Parse("kk"), "{{name}}, {{date}}: Жаңаөзен ({{years}} жыл). {{link}}", new EmailTemplate("Жаңаөзен: {{years}} жыл", "{{name}}: {{link}}")),
                new MessageTemplate(LanguageTag.Parse("en"), "{{name}}: Zhanaozen, {{years}} years. {{link}}", new EmailTemplate("Zhanaozen", "Dear {{name}},\n{{link}}", "<p>\"{{link}}\" &amp;</p>")),
            ]),
            new Audience([UnionId.Parse("kz-oil-workers")], [new BranchRef(UnionId.Parse("uk-unite"), BranchId.Parse("london-community"))]),
            new ValueDictionary([new("years", "14"), new("link", "https://example.org/zhanaozen")]),
            expiresAfterEvent: Duration.FromHours(7)));

    [Fact]
    public void Anniversary_WithAudienceVariablesAndNonLatinTemplates_RoundTrips()
    {
        var alert = RichAnniversary();

        var entity = ScheduleEntityMapper.ToEntity(alert);

        ScheduleEntityMapper.FromEntity(entity).Should().Be(alert);
        entity.PartitionKey.Should().Be("schedule");
        entity.RowKey.Should().Be("zhanaozen");
        entity.GetString("Kind").Should().Be("anniversary");
        entity.GetString("Date").Should().Be("12-16");
        entity.GetString("Reminders").Should().Be("P7D,P1D@18:00,PT2H,P0D");
        entity.GetString("Templates").Should().Contain("Жаңаөзен").And.StartWith("{\"kk\":");
        entity.GetDateTimeOffset("FiresUntil").Should().Be(new DateTimeOffset(2040, 12, 16, 6, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void PostponedTrialWithNoticeAndStoredTemplateSet_RoundTrips()
    {
        var trial = Trial();
        var moved = ((TrialSchedule)trial.Schedule).Postpone(L("2025-04-04T09:30"), I("2025-03-10T12:00:00.1234567Z"), new HashSet<OccurrenceKey>(), notify: true);
        var alert = trial.WithSchedule(moved.Schedule);

        var entity = ScheduleEntityMapper.ToEntity(alert);

        ScheduleEntityMapper.FromEntity(entity).Should().Be(alert);
        entity.GetString("Status").Should().Be("Scheduled");
        entity.GetInt32("Revision").Should().Be(1);
        entity.GetString("NoticeKind").Should().Be("HearingMoved");
        entity.GetString("NoticePreviousHearing").Should().Be("2025-03-14T09:30");
        entity.GetString("CancelledTemplateRef").Should().Be("hearing-cancelled");
        entity.GetString("MovedTemplates").Should().Contain("{{previousDate}}");
    }

    [Theory]
    [InlineData("Reminders", "P1DT2H", "Schedules row 'zhanaozen', Reminders: *mixes days and hours*")]
    [InlineData("TimeZone", "Asia/Aktau", "Schedules row 'zhanaozen', TimeZone: *not an IANA time zone*")]
    [InlineData("Templates", "{\"en\":{\"sms\":\"{{name}} {{nope}}\"}}", "Schedules row 'zhanaozen', Templates: *$.templates.en.sms: unknown variable 'nope'*")]
    [InlineData("Channels", "sms,fax", "Schedules row 'zhanaozen', Channels: unknown channel 'fax'*")]
    [InlineData("Kind", "birthday", "Schedules row 'zhanaozen', Kind: unknown kind 'birthday'*")]
    public void FromEntity_ACorruptColumn_IsReportedByRowAndColumn(string column, string value, string expected)
    {
        var entity = ScheduleEntityMapper.ToEntity(RichAnniversary());
        entity[column] = value;

        var act = () => ScheduleEntityMapper.FromEntity(entity);

        act.Should().Throw<FormatException>().WithMessage(expected);
    }
}
