using System.Net;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Scheduling;

namespace AlertPipeline.IntegrationTests.Api.Scheduling;

/// <summary>
/// Authentication, roles and tenancy on every union-scoped endpoint of unions/campaigns/subscriptions/schedules/send-now:
/// no key → 401; the wrong role → 403; another union's key, a campaign the union does not subscribe to, or a schedule of
/// another campaign → the same 404 as a missing union, byte for byte, with nothing changed and nothing audited there.
/// </summary>
public sealed class SchedulingApiAccessTests(SchedulingApiTestApp app) : IClassFixture<SchedulingApiTestApp>
{
    private static readonly string[] Organiser = ["list-schedules", "create-schedule", "get-schedule", "postpone-schedule", "cancel-schedule", "send-now"];

    private static readonly string[] UnionAdmin = ["list-subscriptions", "subscribe", "unsubscribe", "subscribe-branch", "unsubscribe-branch"];

    public static TheoryData<string> OrganiserEndpoints => new(Organiser);

    public static TheoryData<string> UnionAdminEndpoints => new(UnionAdmin);

    public static TheoryData<string> AllEndpoints => new(["union-campaigns", .. Organiser, .. UnionAdmin]);

    [Theory]
    [MemberData(nameof(AllEndpoints))]
    public async Task Endpoint_NoKey_Answers401(string endpoint)
    {
        var (union, campaign) = await SetUpAsync();

        using var response = await SendAsync(endpoint, union, campaign, key: null);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().Should().Be("ApiKey");
    }

    [Theory]
    [MemberData(nameof(OrganiserEndpoints))]
    public async Task OrganiserEndpoint_UnionAdminKey_Answers403AndIsAuditedWhenAWrite(string endpoint)
    {
        var (union, campaign) = await SetUpAsync();

        using var response = await SendAsync(endpoint, union, campaign, union.AdminKey);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var audit = await app.Audit.ReadRecentAsync(UnionId.Parse(union.UnionId));
        if (endpoint is not ("list-schedules" or "get-schedule"))
        {
            audit.Should().ContainSingle(e => e.Status == 403 && e.Targets.StartsWith($"campaign={campaign}", StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(UnionAdminEndpoints))]
    public async Task UnionAdminEndpoint_OrganiserKey_Answers403(string endpoint)
    {
        var (union, campaign) = await SetUpAsync();

        using var response = await SendAsync(endpoint, union, campaign, union.OrganiserKey);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Theory]
    [MemberData(nameof(AllEndpoints))]
    public async Task Endpoint_OwnKeyOfTheRightRole_Succeeds(string endpoint)
    {
        var (union, campaign) = await SetUpAsync();

        using var response = await SendAsync(endpoint, union, campaign, KeyFor(endpoint, union));

        ((int)response.StatusCode).Should().BeInRange(200, 299, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(AllEndpoints))]
    public async Task Endpoint_AnotherUnionsKey_Answers404LikeAMissingUnionAndChangesNothing(string endpoint)
    {
        var (victim, campaign) = await SetUpAsync();
        var other = await app.NewUnionAsync();
        await app.Membership.UpsertSubscriptionAsync(new Subscription(CampaignId.Parse(campaign), UnionId.Parse(other.UnionId)));
        var auditBefore = (await app.Audit.ReadRecentAsync(UnionId.Parse(victim.UnionId))).Count;

        using var response = await SendAsync(endpoint, victim, campaign, KeyFor(endpoint, other));
        using var missing = await SendAsync(endpoint, victim with { UnionId = "no-such-union" }, campaign, KeyFor(endpoint, other));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        var body = await response.Content.ReadAsStringAsync();
        body.Should().Be(await missing.Content.ReadAsStringAsync(), "another union's data must look exactly like data that does not exist");
        body.Should().NotContain(victim.UnionId);
        (await app.Audit.ReadRecentAsync(UnionId.Parse(victim.UnionId))).Should().HaveCount(auditBefore, "nothing reached the victim's union");
        await ShouldBeUnchangedAsync(victim, campaign);
    }

    [Theory]
    [MemberData(nameof(OrganiserEndpoints))]
    public async Task OrganiserEndpoint_CampaignTheUnionDoesNotSubscribeTo_Answers404LikeAMissingUnion(string endpoint)
    {
        var (owner, campaign) = await SetUpAsync();
        var outsider = await app.NewUnionAsync();

        using var response = await SendAsync(endpoint, outsider, campaign, outsider.OrganiserKey);
        using var missing = await SendAsync(endpoint, outsider with { UnionId = "no-such-union" }, campaign, outsider.OrganiserKey);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).Should().Be(await missing.Content.ReadAsStringAsync());
        await ShouldBeUnchangedAsync(owner, campaign);
        (await app.PeekAlertsAsync()).Should().NotContain(a => a.GetProperty("campaignId").GetString() == campaign && a.GetProperty("eventId").GetString()!.EndsWith("--access", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("get-schedule")]
    [InlineData("postpone-schedule")]
    [InlineData("cancel-schedule")]
    public async Task ScheduleEndpoint_ScheduleOfAnotherCampaign_Answers404LikeAMissingSchedule(string endpoint)
    {
        var (union, campaign) = await SetUpAsync();
        var second = await app.NewCampaignAsync(union);

        using var response = await SendAsync(endpoint, union, second, union.OrganiserKey, schedule: "appeal");
        using var missing = await SendAsync(endpoint, union, campaign, union.OrganiserKey, schedule: "no-such-schedule");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).Should().Be(await missing.Content.ReadAsStringAsync());
        await ShouldBeUnchangedAsync(union, campaign);
    }

    private static string KeyFor(string endpoint, TestUnion union) =>
        endpoint == "union-campaigns" || Organiser.Contains(endpoint) ? union.OrganiserKey : union.AdminKey;

    /// <summary>A union subscribed to a new campaign holding the trial "appeal", and a branch subscription to remove.</summary>
    private async Task<(TestUnion Union, string Campaign)> SetUpAsync()
    {
        var union = await app.NewUnionAsync();
        var campaign = await app.NewCampaignAsync(union);
        await app.Membership.UpsertSubscriptionAsync(new Subscription(CampaignId.Parse(campaign), UnionId.Parse(union.UnionId), BranchId.Parse(union.Branch)));
        using var created = await app.SendAsync(HttpMethod.Post, $"{union.Base}/campaigns/{campaign}/schedules", union.OrganiserKey, SchedulingApiTestApp.Trial());
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return (union, campaign);
    }

    private async Task ShouldBeUnchangedAsync(TestUnion union, string campaign)
    {
        var stored = await app.Schedules.GetAsync(new ScheduleId($"{campaign}--appeal"));
        stored!.Schedule.Schedule.Should().BeOfType<TrialSchedule>().Which.Revision.Should().Be(0);
        (await app.Schedules.GetAsync(new ScheduleId($"{campaign}--created"))).Should().BeNull();
        var subscriptions = await app.Membership.GetSubscriptionsAsync(CampaignId.Parse(campaign));
        subscriptions.Where(s => s.UnionId.Value == union.UnionId).Should().HaveCount(2);
    }

    private async Task<HttpResponseMessage> SendAsync(string endpoint, TestUnion union, string campaign, string? key, string schedule = "appeal")
    {
        var schedules = $"{union.Base}/campaigns/{campaign}/schedules";
        return endpoint switch
        {
            "union-campaigns" => await app.SendAsync(HttpMethod.Get, union.Base + "/campaigns", key),
            "list-subscriptions" => await app.SendAsync(HttpMethod.Get, union.Base + "/subscriptions", key),
            "subscribe" => await app.SendAsync(HttpMethod.Put, $"{union.Base}/subscriptions/{campaign}", key),
            "unsubscribe" => await app.SendAsync(HttpMethod.Delete, $"{union.Base}/subscriptions/{campaign}", key),
            "subscribe-branch" => await app.SendAsync(HttpMethod.Put, $"{union.Base}/branches/{union.Branch}/subscriptions/{campaign}", key),
            "unsubscribe-branch" => await app.SendAsync(HttpMethod.Delete, $"{union.Base}/branches/{union.Branch}/subscriptions/{campaign}", key),
            "list-schedules" => await app.SendAsync(HttpMethod.Get, schedules, key),
            "create-schedule" => await app.SendAsync(HttpMethod.Post, schedules, key, SchedulingApiTestApp.Anniversary("created")),
            "get-schedule" => await app.SendAsync(HttpMethod.Get, $"{schedules}/{schedule}", key),
            "postpone-schedule" => await app.SendAsync(HttpMethod.Post, $"{schedules}/{schedule}:postpone", key, new { hearing = "2027-04-04T09:30", notify = true }),
            "cancel-schedule" => await app.SendAsync(HttpMethod.Post, $"{schedules}/{schedule}:cancel", key, new { notify = false }),
            "send-now" => await app.SendAsync(HttpMethod.Post, $"{union.Base}/campaigns/{campaign}/alerts", key, SendNowApiTests.Event("access")),
            _ => throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint, null),
        };
    }
}
