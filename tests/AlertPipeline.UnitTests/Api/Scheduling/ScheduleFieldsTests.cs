using System.Text;
using System.Text.Json;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Scheduling;
using AlertPipeline.Functions.Api;
using AlertPipeline.Infrastructure.Api;
using NodaTime;

namespace AlertPipeline.UnitTests.Api.Scheduling;

public sealed class ScheduleFieldsTests
{
    private static readonly CampaignId Campaign = CampaignId.Parse("zhanaozen-solidarity");
    private static readonly Instant Now = Instant.FromUtc(2026, 11, 22, 8, 0);

    [Fact]
    public void Validate_ZhanaozenAnniversary_BuildsTheStoredScheduleUnderTheCampaignQualifiedId()
    {
        var errors = new List<FieldError>();

        var schedule = ScheduleFields.Validate(Campaign, Anniversary(), Now, errors);

        errors.Should().BeEmpty();
        schedule!.Id.Value.Should().Be("zhanaozen-solidarity--zhanaozen");
        schedule.EventId.Value.Should().Be("zhanaozen-solidarity--zhanaozen");
        var anniversary = schedule.Schedule.Should().BeOfType<AnniversarySchedule>().Subject;
        anniversary.Date.Should().Be(new AnnualDate(12, 16));
        anniversary.TimeOfDay.Should().Be(new LocalTime(10, 0));
        anniversary.Zone.Id.Should().Be("Europe/London");
        anniversary.Reminders.Select(r => r.Code).Should().Equal("P7D", "P1D");
        anniversary.EffectiveFrom.Should().Be(Now);
        schedule.Content.ExpiresAfterEvent.Should().Be(Duration.FromHours(6));
    }

    [Fact]
    public void Validate_EveryBadField_IsNamed()
    {
        var errors = new List<FieldError>();
        var body = Anniversary() with
        {
            TimeZone = "Mars/Olympus",
            Date = "02-30",
            Reminders = ["P7D", "P0D@11:00", "P1DT2H"],
            Channels = ["sms", "fax"],
            MovedTemplateRef = "moved",
            ExpiresAfterEvent = "8.00:00:00",
            FirstYear = null,
        };

        ScheduleFields.Validate(Campaign, body, Now, errors).Should().BeNull();

        errors.Select(e => e.Field).Should().BeEquivalentTo(
            ["timeZone", "date", "reminders[1]", "reminders[2]", "channels[1]", "movedTemplateRef", "expiresAfterEvent", "firstYear"]);
    }

    [Fact]
    public void Validate_TrialOnANonexistentLeapDayOrInThePast_NamesDate()
    {
        var leap = new List<FieldError>();
        var past = new List<FieldError>();

        ScheduleFields.Validate(Campaign, Trial() with { Date = "2027-02-29" }, Now, leap);
        ScheduleFields.Validate(Campaign, Trial() with { Date = "2026-11-22", Time = "07:00" }, Now, past);

        leap.Should().ContainSingle().Which.Message.Should().Contain("2027 has no 29 February");
        past.Should().ContainSingle().Which.Field.Should().Be("date");
    }

    [Fact]
    public void Validate_MovedTemplatesWithAnUnknownVariable_NamesTheMovedTemplatesPath()
    {
        var errors = new List<FieldError>();
        var body = Trial() with { MovedTemplates = Json("""{"en":{"sms":"Moved from {{previousDate}} to {{date}} ({{room}})"}}""") };

        ScheduleFields.Validate(Campaign, body, Now, errors).Should().BeNull();

        errors.Should().ContainSingle().Which.Field.Should().Be("movedTemplates.en.sms");
    }

    [Theory]
    [InlineData("appeal", null)]
    [InlineData("other--appeal", "must not contain '--'")]
    [InlineData("Appeal", "only lowercase")]
    public void CampaignScheduleId_Problem_RefusesDoubleHyphensAndNonSlugs(string id, string? problem)
    {
        var found = CampaignScheduleId.Problem(Campaign, id);

        if (problem is null)
        {
            found.Should().BeNull();
        }
        else
        {
            found.Should().Contain(problem);
        }
    }

    [Fact]
    public void CampaignScheduleId_LongCampaign_LeavesRoomWithinTheStoredLimitAndSplitsBack()
    {
        var campaign = CampaignId.Parse(new string('c', 60));

        CampaignScheduleId.Problem(campaign, "ab").Should().BeNull();
        CampaignScheduleId.Problem(campaign, "abc").Should().Contain("at most 2");
        CampaignScheduleId.Local(CampaignScheduleId.Stored(CampaignId.Parse("a--b"), "c")).Should().Be("c");
    }

    [Fact]
    public void Qualify_SetsTheRouteCampaignPrefixesTheEventIdAndDefaultsOccurredAt()
    {
        var errors = new List<FieldError>();

        var json = AlertEventBody.Qualify(Encoding.UTF8.GetBytes("""{"eventId":"vigil","kind":"anniversary"}"""), Campaign, Now, errors);

        errors.Should().BeEmpty();
        var root = JsonDocument.Parse(json!).RootElement;
        root.GetProperty("eventId").GetString().Should().Be("zhanaozen-solidarity--vigil");
        root.GetProperty("campaignId").GetString().Should().Be("zhanaozen-solidarity");
        root.GetProperty("occurredAt").GetString().Should().Be("2026-11-22T08:00:00Z");
    }

    [Theory]
    [InlineData("""{"campaignId":"other","eventId":"vigil"}""", "campaignId")]
    [InlineData("""{"eventId":"a--b"}""", "eventId")]
    [InlineData("""[1,2]""", "body")]
    [InlineData("""{"eventId":""", "body")]
    public void Qualify_RefusesWhatTheRouteContradicts(string body, string field)
    {
        var errors = new List<FieldError>();

        AlertEventBody.Qualify(Encoding.UTF8.GetBytes(body), Campaign, Now, errors).Should().BeNull();

        errors.Should().ContainSingle().Which.Field.Should().Be(field);
    }

    [Fact]
    public void Qualify_KeepsDuplicatePropertiesSoTheParserStillRefusesThem()
    {
        var json = AlertEventBody.Qualify(Encoding.UTF8.GetBytes("""{"reminder":"P1D","reminder":"P7D"}"""), Campaign, Now, []);

        json.Should().Contain("\"reminder\":\"P1D\"").And.Contain("\"reminder\":\"P7D\"");
    }

    private static ScheduleBody Anniversary() => new(
        "anniversary", "zhanaozen", "Europe/London", "12-16", "10:00", ["P7D", "P1D"], 2012, null, ["sms"],
        null, Json("""{"place":"Zhanaozen"}"""), Json("""{"en":{"sms":"Remember {{place}} on {{date}} at {{time}}."}}"""), null,
        null, null, null, null, "06:00:00");

    private static ScheduleBody Trial() => new(
        "trial", "appeal", "Asia/Aqtau", "2027-03-14", "09:30", ["P7D", "P1D@18:00"], null, null, ["sms"],
        null, null, Json("""{"en":{"sms":"Hearing {{date}} {{time}}."}}"""), null,
        Json("""{"en":{"sms":"Moved from {{previousDate}} to {{date}}."}}"""), null, null, null, null);

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
