using System.Net;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Events;

namespace AlertPipeline.IntegrationTests.Api.Scheduling;

/// <summary>POST /unions/{union}/campaigns/{campaign}/alerts: an alert event, checked by the contract's parser, put on the queue.</summary>
public sealed class SendNowApiTests(SchedulingApiTestApp app) : IClassFixture<SchedulingApiTestApp>
{
    /// <summary>An alert event body without campaignId (the route gives it).</summary>
    public static Dictionary<string, object> Event(string eventId) => new()
    {
        ["schemaVersion"] = 1,
        ["eventId"] = eventId,
        ["kind"] = "trial-date",
        ["occurredAt"] = "2026-11-22T08:00:00Z",
        ["occurrence"] = new { localDateTime = "2027-03-14T09:30:00", timeZone = "Asia/Aqtau" },
        ["reminder"] = "immediate",
        ["channels"] = new[] { "sms" },
        ["expiresAt"] = "2027-03-14T06:00:00Z",
        ["templates"] = new Dictionary<string, object> { ["en"] = new { sms = "Hearing {{date}} {{time}}." } },
    };

    [Fact]
    public async Task SendNow_ValidEvent_Answers202AndEnqueuesExactlyOneMessagePerCallWithTheSameAlertId()
    {
        var (union, campaign) = await SetUpAsync();

        using var first = await app.SendAsync(HttpMethod.Post, $"{union.Base}/campaigns/{campaign}/alerts", union.OrganiserKey, Event("hearing-notice"));
        var afterFirst = await AlertsOfAsync(campaign);
        using var second = await app.SendAsync(HttpMethod.Post, $"{union.Base}/campaigns/{campaign}/alerts", union.OrganiserKey, Event("hearing-notice"));

        first.StatusCode.Should().Be(HttpStatusCode.Accepted, await first.Content.ReadAsStringAsync());
        var answer = await ApiTestApp.ReadJsonAsync(first);
        var alertId = answer.GetProperty("alertId").GetString();
        answer.GetProperty("eventId").GetString().Should().Be($"{campaign}--hearing-notice", "event ids are qualified with the campaign");
        (await ApiTestApp.ReadJsonAsync(second)).GetProperty("alertId").GetString().Should().Be(alertId, "the same body is the same alert");
        afterFirst.Should().ContainSingle();
        var queued = await AlertsOfAsync(campaign);
        queued.Should().HaveCount(2, "each call enqueues once; FanOut dedups by alert id");
        queued.Should().OnlyContain(e => AlertId.For(e).Value == alertId);
        queued[0].CampaignId.Value.Should().Be(campaign);
        AlertId.For(queued[0]).Should().Be(AlertId.For(EventId.Parse($"{campaign}--hearing-notice"), EventKind.TrialDate, queued[0].Occurrence, Reminder.Immediate));
        var audit = await app.Audit.ReadRecentAsync(UnionId.Parse(union.UnionId));
        audit.Should().HaveCount(2).And.OnlyContain(e => e.Status == 202 && e.Route == "/api/unions/{union}/campaigns/{campaign}/alerts");
    }

    [Fact]
    public async Task SendNow_SameEventIdInTwoCampaigns_GivesDifferentAlertIds()
    {
        var (union, campaign) = await SetUpAsync();
        var other = await app.NewCampaignAsync(union);

        using var a = await app.SendAsync(HttpMethod.Post, $"{union.Base}/campaigns/{campaign}/alerts", union.OrganiserKey, Event("vigil"));
        using var b = await app.SendAsync(HttpMethod.Post, $"{union.Base}/campaigns/{other}/alerts", union.OrganiserKey, Event("vigil"));

        (await ApiTestApp.ReadJsonAsync(a)).GetProperty("alertId").GetString()
            .Should().NotBe((await ApiTestApp.ReadJsonAsync(b)).GetProperty("alertId").GetString());
    }

    [Fact]
    public async Task SendNow_CampaignIdOfAnotherCampaignInTheBody_Answers400AndEnqueuesNothing()
    {
        var (union, campaign) = await SetUpAsync();
        var body = Event("wrong-campaign");
        body["campaignId"] = "some-other-campaign";

        using var response = await app.SendAsync(HttpMethod.Post, $"{union.Base}/campaigns/{campaign}/alerts", union.OrganiserKey, body);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ApiTestApp.ReadJsonAsync(response)).GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("campaignId");
        (await AlertsOfAsync(campaign)).Should().BeEmpty();
    }

    [Fact]
    public async Task SendNow_InvalidEvent_Answers400NamingEveryFieldAndEnqueuesNothing()
    {
        var (union, campaign) = await SetUpAsync();
        var body = Event("bad-event");
        body["occurrence"] = new { localDateTime = "2027-03-14T09:30:00", timeZone = "Asia/Aktau-ish" };
        body["channels"] = new[] { "sms", "fax" };
        body["surprise"] = true;

        using var response = await app.SendAsync(HttpMethod.Post, $"{union.Base}/campaigns/{campaign}/alerts", union.OrganiserKey, body);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var fields = (await ApiTestApp.ReadJsonAsync(response)).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ToList();
        fields.Should().Contain(["occurrence.timeZone", "channels[1]"]);
        fields.Should().Contain(f => f!.Contains("surprise"));
        (await AlertsOfAsync(campaign)).Should().BeEmpty();
        (await app.Audit.ReadRecentAsync(UnionId.Parse(union.UnionId))).Should().ContainSingle(e => e.Status == 400);
    }

    [Fact]
    public async Task SendNow_EventIdWithDoubleHyphen_Answers400()
    {
        var (union, campaign) = await SetUpAsync();

        using var response = await app.SendAsync(HttpMethod.Post, $"{union.Base}/campaigns/{campaign}/alerts", union.OrganiserKey, Event("other--vigil"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ApiTestApp.ReadJsonAsync(response)).GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("eventId");
    }

    private async Task<(TestUnion Union, string Campaign)> SetUpAsync()
    {
        var union = await app.NewUnionAsync();
        return (union, await app.NewCampaignAsync(union));
    }

    private async Task<List<AlertEvent>> AlertsOfAsync(string campaign) =>
        [.. (await app.PeekAlertsAsync())
            .Select(e => AlertEventParser.Parse(e.GetRawText()).Value)
            .Where(e => e.CampaignId.Value == campaign)];
}
