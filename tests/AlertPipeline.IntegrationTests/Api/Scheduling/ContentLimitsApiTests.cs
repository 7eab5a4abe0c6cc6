using System.Net;
using System.Text;
using System.Text.Json;
using AlertPipeline.Core.Events;

namespace AlertPipeline.IntegrationTests.Api.Scheduling;

/// <summary>
/// Content that fit the request but not what it is stored or sent in (issue 16): Table Storage's 32,768 characters per
/// property, the queue's 64 KiB message, Twilio's 1,600-character SMS body. Each is refused when it is accepted, with a
/// 4xx naming the field and the limit, and nothing is stored or enqueued.
/// </summary>
public sealed class ContentLimitsApiTests(SchedulingApiTestApp app) : IClassFixture<SchedulingApiTestApp>
{
    [Fact]
    public async Task CreateSchedule_EmailTemplateOverTableStoragesPropertyLimit_Answers400NamingTemplatesAndTheLimit()
    {
        var (union, campaign) = await SetUpAsync();
        var body = EmailAnniversary("long-email", new string('x', 40_000));

        using var response = await app.SendAsync(HttpMethod.Post, $"{union.Base}/campaigns/{campaign}/schedules", union.OrganiserKey, body);

        await HostileRequestApiTests.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "templates", "32,768 characters");
        using var get = await app.SendAsync(HttpMethod.Get, $"{union.Base}/campaigns/{campaign}/schedules/long-email", union.OrganiserKey);
        get.StatusCode.Should().Be(HttpStatusCode.NotFound, "nothing was stored");
    }

    [Fact]
    public async Task CreateSchedule_SmsTemplateOverTwiliosBodyLimit_Answers400NamingTheTemplateAndTheLimit()
    {
        var (union, campaign) = await SetUpAsync();
        var body = JsonSerializer.SerializeToNode(SchedulingApiTestApp.Anniversary("long-sms"), JsonSerializerOptions.Web)!.AsObject();
        body["templates"] = JsonSerializer.SerializeToNode(new Dictionary<string, object> { ["en"] = new { sms = new string('x', 30_000) } });

        using var response = await app.SendAsync(HttpMethod.Post, $"{union.Base}/campaigns/{campaign}/schedules", union.OrganiserKey, body);

        await HostileRequestApiTests.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "templates.en.sms", "at most 1600 characters");
    }

    [Fact]
    public async Task CreateSchedule_MovedNoticeSmsOverTwiliosBodyLimit_Answers400NamingIt()
    {
        var (union, campaign) = await SetUpAsync();
        var body = JsonSerializer.SerializeToNode(SchedulingApiTestApp.Trial("long-notice"), JsonSerializerOptions.Web)!.AsObject();
        body["movedTemplates"] = JsonSerializer.SerializeToNode(new Dictionary<string, object> { ["en"] = new { sms = "Moved: " + new string('x', 1600) } });

        using var response = await app.SendAsync(HttpMethod.Post, $"{union.Base}/campaigns/{campaign}/schedules", union.OrganiserKey, body);

        await HostileRequestApiTests.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "movedTemplates.en.sms", "at most 1600 characters");
    }

    [Fact]
    public async Task CreateSchedule_FirstYearAsAString_Answers400NamingTheField()
    {
        var (union, campaign) = await SetUpAsync();
        var body = JsonSerializer.SerializeToNode(SchedulingApiTestApp.Anniversary("string-year"), JsonSerializerOptions.Web)!.AsObject();
        body["firstYear"] = "2012";

        using var response = await app.SendAsync(HttpMethod.Post, $"{union.Base}/campaigns/{campaign}/schedules", union.OrganiserKey, body);

        await HostileRequestApiTests.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "firstYear", "must be a whole number, not a string");
    }

    [Fact]
    public async Task CreateSchedule_DuplicateTemplateLanguage_Answers400NamingIt()
    {
        var (union, campaign) = await SetUpAsync();
        var json = JsonSerializer.Serialize(SchedulingApiTestApp.Anniversary("twice"), JsonSerializerOptions.Web)
            .Replace("\"templates\":{\"en\":{", "\"templates\":{\"en\":{\"sms\":\"First {{date}}\"},\"en\":{", StringComparison.Ordinal);

        using var response = await PostRawAsync(union, $"/campaigns/{campaign}/schedules", json);

        await HostileRequestApiTests.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "templates.en", "duplicate property");
    }

    [Fact]
    public async Task SendNow_30000CharacterSms_Answers400NamingTwiliosLimitAndEnqueuesNothing()
    {
        var (union, campaign) = await SetUpAsync();
        var body = SendNowApiTests.Event("long-sms");
        body["templates"] = new Dictionary<string, object> { ["en"] = new { sms = new string('x', 30_000) } };

        using var response = await app.SendAsync(HttpMethod.Post, $"{union.Base}/campaigns/{campaign}/alerts", union.OrganiserKey, body);

        await HostileRequestApiTests.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "templates.en.sms", "at most 1600 characters (Twilio's limit");
        (await AlertsOfAsync(campaign)).Should().BeEmpty();
    }

    [Fact]
    public async Task SendNow_EventOverOneQueueMessage_Answers413AndEnqueuesNothing()
    {
        var (union, campaign) = await SetUpAsync();
        var body = SendNowApiTests.Event("long-email");
        body["channels"] = new[] { "email" };
        body["templates"] = new Dictionary<string, object> { ["en"] = new { email = new { subject = "Hearing", text = new string('x', 60_000) } } };

        using var response = await app.SendAsync(HttpMethod.Post, $"{union.Base}/campaigns/{campaign}/alerts", union.OrganiserKey, body);
        using var preview = await app.SendAsync(HttpMethod.Post, $"{union.Base}/campaigns/{campaign}/preview", union.OrganiserKey, body);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge, await response.Content.ReadAsStringAsync());
        (await ApiTestApp.ReadJsonAsync(response)).GetProperty("detail").GetString().Should().Contain("alert-events queue").And.Contain("65,536");
        preview.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge, "a preview answers what the send would");
        (await AlertsOfAsync(campaign)).Should().BeEmpty();
    }

    [Fact]
    public async Task SendNow_EmptyBody_Answers400BodyIsRequired()
    {
        var (union, campaign) = await SetUpAsync();

        using var response = await app.SendAsync(HttpMethod.Post, $"{union.Base}/campaigns/{campaign}/alerts", union.OrganiserKey);

        await HostileRequestApiTests.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "body", "is required");
    }

    private static object EmailAnniversary(string scheduleId, string text) => new
    {
        kind = "anniversary",
        scheduleId,
        timeZone = "Europe/London",
        date = "12-16",
        time = "10:00",
        reminders = new[] { "P1D" },
        firstYear = 2012,
        channels = new[] { "email" },
        templates = new Dictionary<string, object> { ["en"] = new { email = new { subject = "Vigil", text } } },
    };

    private async Task<HttpResponseMessage> PostRawAsync(TestUnion union, string path, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(union.Base + path, UriKind.Relative))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("ApiKey", union.OrganiserKey);
        return await app.Client.SendAsync(request);
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
