using System.Net;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Scheduling;
using AlertPipeline.Infrastructure.Api;
using AlertPipeline.Testing;

namespace AlertPipeline.IntegrationTests.Api.Scheduling;

/// <summary>Bootstrap-admin unions and campaigns; a union's campaigns and subscriptions.</summary>
public sealed class AdminAndSubscriptionApiTests(SchedulingApiTestApp app) : IClassFixture<SchedulingApiTestApp>
{
    private const string Admin = SchedulingApiTestApp.AdminSecret;

    [Fact]
    public async Task CreateUnion_BootstrapAdmin_Answers201ThenKeysCanBeMadeAndASecondCreateIs409()
    {
        var unionId = AzuriteFixture.UniqueName("nu");

        using var created = await app.SendAsync(HttpMethod.Post, "/api/unions", Admin, new { unionId, name = "Oil Workers" });
        using var again = await app.SendAsync(HttpMethod.Post, "/api/unions", Admin, new { unionId, name = "Someone else" });
        using var key = await app.SendAsync(HttpMethod.Post, $"/api/unions/{unionId}/keys", Admin, new { role = "union-admin" });

        created.StatusCode.Should().Be(HttpStatusCode.Created);
        created.Headers.Location!.ToString().Should().Be($"/api/unions/{unionId}");
        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
        key.StatusCode.Should().Be(HttpStatusCode.Created, "the bootstrap admin can now create the union's first key");
        (await app.Membership.GetUnionAsync(UnionId.Parse(unionId)))!.Name.Should().Be("Oil Workers");
        var audit = await app.Audit.ReadRecentAsync(UnionId.Parse(unionId));
        audit.Where(e => e.Route == "/api/unions").Select(e => (e.Status, e.Actor, e.Targets))
            .Should().BeEquivalentTo([(409, "admin", $"union={unionId}"), (201, "admin", $"union={unionId}")]);
    }

    [Fact]
    public async Task CreateUnion_InvalidFields_Answers400NamingEach()
    {
        using var response = await app.SendAsync(HttpMethod.Post, "/api/unions", Admin, new { unionId = "Bad Id", name = " " });
        using var reserved = await app.SendAsync(HttpMethod.Post, "/api/unions", Admin, new { unionId = "system", name = "System" });

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Fields(response)).Should().BeEquivalentTo(["unionId", "name"]);
        (await Fields(reserved)).Should().BeEquivalentTo(["unionId"]);
        (await app.Membership.GetUnionAsync(UnionId.Parse("system"))).Should().BeNull();
    }

    [Theory]
    [InlineData("POST", "/api/unions")]
    [InlineData("GET", "/api/campaigns")]
    [InlineData("POST", "/api/campaigns")]
    public async Task AdminEndpoint_UnionKeysAnswer403AndNoKeyOrUnknownKey401(string method, string path)
    {
        var union = await app.NewUnionAsync();
        object body = path == "/api/unions" ? new { unionId = AzuriteFixture.UniqueName("x"), name = "X" } : Campaign(AzuriteFixture.UniqueName("x"), union.UnionId);

        using var unionAdmin = await app.SendAsync(new HttpMethod(method), path, union.AdminKey, method == "POST" ? body : null);
        using var organiser = await app.SendAsync(new HttpMethod(method), path, union.OrganiserKey, method == "POST" ? body : null);
        using var none = await app.SendAsync(new HttpMethod(method), path, null, method == "POST" ? body : null);
        using var unknown = await app.SendAsync(new HttpMethod(method), path, "apk_unknown", method == "POST" ? body : null);

        unionAdmin.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        organiser.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        none.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        unknown.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var audit = await app.Audit.ReadRecentAsync(UnionId.Parse(union.UnionId));
        audit.Select(e => e.Status).Should().Equal(method == "POST" ? [403, 403] : []);
    }

    [Fact]
    public async Task CreateCampaign_BootstrapAdmin_Answers201ForItsOwnerListsItAuditsInTheSystemPartitionAndRefusesADuplicate()
    {
        var campaignId = AzuriteFixture.UniqueName("camp");
        var owner = await app.NewUnionAsync();

        using var created = await app.SendAsync(HttpMethod.Post, "/api/campaigns", Admin, Campaign(campaignId, owner.UnionId));
        using var again = await app.SendAsync(HttpMethod.Post, "/api/campaigns", Admin, Campaign(campaignId, owner.UnionId));
        using var list = await app.SendAsync(HttpMethod.Get, "/api/campaigns", Admin);

        created.StatusCode.Should().Be(HttpStatusCode.Created);
        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var items = (await ApiTestApp.ReadJsonAsync(list)).GetProperty("items").EnumerateArray().ToList();
        var item = items.Single(i => i.GetProperty("campaignId").GetString() == campaignId);
        item.GetProperty("name").GetString().Should().Be("Zhanaozen solidarity");
        item.GetProperty("helpContact").GetString().Should().Be("help@example.org");
        item.GetProperty("defaultLanguage").GetString().Should().Be("kk");
        item.GetProperty("ownerUnionId").GetString().Should().Be(owner.UnionId);
        item.GetProperty("open").GetBoolean().Should().BeFalse();
        (await app.Membership.GetCampaignAsync(CampaignId.Parse(campaignId)))!.OwnerUnionId.Should().Be(UnionId.Parse(owner.UnionId));
        var audit = await app.Audit.ReadRecentAsync(CampaignAdmin.SystemAuditPartition);
        audit.Where(e => e.Targets == $"campaign={campaignId}").Select(e => e.Status).Should().BeEquivalentTo([201, 409]);
    }

    [Fact]
    public async Task CreateCampaign_InvalidFields_Answers400NamingEach()
    {
        using var response = await app.SendAsync(HttpMethod.Post, "/api/campaigns", Admin, new { campaignId = "-x", name = "", helpContact = "", defaultLanguage = "not a tag" });

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Fields(response)).Should().BeEquivalentTo(["campaignId", "name", "helpContact", "defaultLanguage", "ownerUnionId"]);
    }

    [Fact]
    public async Task CreateCampaign_UnknownOwnerOrDoubleDashInTheId_Answers400AndStoresNothing()
    {
        var owner = await app.NewUnionAsync();
        var unknownOwner = AzuriteFixture.UniqueName("camp");
        var dashed = AzuriteFixture.UniqueName("camp") + "--x";

        using var noSuchOwner = await app.SendAsync(HttpMethod.Post, "/api/campaigns", Admin, Campaign(unknownOwner, "no-such-union"));
        using var doubleDash = await app.SendAsync(HttpMethod.Post, "/api/campaigns", Admin, Campaign(dashed, owner.UnionId));

        (await Fields(noSuchOwner)).Should().Equal("ownerUnionId");
        (await Fields(doubleDash)).Should().Equal("campaignId");
        (await app.Membership.GetCampaignAsync(CampaignId.Parse(unknownOwner))).Should().BeNull();
        (await app.Membership.GetCampaignAsync(CampaignId.Parse(dashed))).Should().BeNull();
    }

    [Fact]
    public async Task Subscriptions_WholeUnionAndBranch_AreListedShownOnCampaignsAndRemovedOneByOne()
    {
        var union = await app.NewUnionAsync();
        var owner = await app.NewUnionAsync();
        var campaign = await app.NewCampaignAsync(owner);
        (await app.SendAsync(HttpMethod.Put, $"{owner.Base}/campaigns/{campaign}/open", owner.AdminKey)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        using var whole = await app.SendAsync(HttpMethod.Put, $"{union.Base}/subscriptions/{campaign}", union.AdminKey);
        using var wholeAgain = await app.SendAsync(HttpMethod.Put, $"{union.Base}/subscriptions/{campaign}", union.AdminKey);
        using var branch = await app.SendAsync(HttpMethod.Put, $"{union.Base}/branches/{union.Branch}/subscriptions/{campaign}", union.AdminKey);
        using var list = await app.SendAsync(HttpMethod.Get, $"{union.Base}/subscriptions", union.AdminKey);
        using var campaigns = await app.SendAsync(HttpMethod.Get, $"{union.Base}/campaigns", union.OrganiserKey);

        whole.StatusCode.Should().Be(HttpStatusCode.NoContent);
        wholeAgain.StatusCode.Should().Be(HttpStatusCode.NoContent, "subscribing is idempotent");
        branch.StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await ApiTestApp.ReadJsonAsync(list)).GetProperty("items").EnumerateArray()
            .Select(i => (i.GetProperty("campaignId").GetString(), i.GetProperty("branchId").GetString()))
            .Should().Equal((campaign, null), (campaign, union.Branch));
        (await ApiTestApp.ReadJsonAsync(campaigns)).GetProperty("items").EnumerateArray()
            .Single(i => i.GetProperty("campaignId").GetString() == campaign).GetProperty("subscribed").GetBoolean().Should().BeTrue();
        (await app.Membership.GetSubscriptionsAsync(CampaignId.Parse(campaign))).Where(s => s.UnionId != UnionId.Parse(owner.UnionId)).Should().BeEquivalentTo(
            [new Subscription(CampaignId.Parse(campaign), UnionId.Parse(union.UnionId)),
             new Subscription(CampaignId.Parse(campaign), UnionId.Parse(union.UnionId), BranchId.Parse(union.Branch))]);

        using var removeWhole = await app.SendAsync(HttpMethod.Delete, $"{union.Base}/subscriptions/{campaign}", union.AdminKey);
        using var removeWholeAgain = await app.SendAsync(HttpMethod.Delete, $"{union.Base}/subscriptions/{campaign}", union.AdminKey);

        removeWhole.StatusCode.Should().Be(HttpStatusCode.NoContent);
        removeWholeAgain.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await app.Membership.GetSubscriptionsAsync(CampaignId.Parse(campaign))).Where(s => s.UnionId != UnionId.Parse(owner.UnionId)).Should().ContainSingle()
            .Which.BranchId!.Value.Should().Be(union.Branch, "the branch subscription is a row of its own");
        var audit = await app.Audit.ReadRecentAsync(UnionId.Parse(union.UnionId));
        audit.Select(e => (e.Method, e.Status)).Should().BeEquivalentTo([("PUT", 204), ("PUT", 204), ("PUT", 204), ("DELETE", 204), ("DELETE", 404)]);
    }

    [Fact]
    public async Task Subscribe_UnknownCampaignOrBranch_Answers404()
    {
        var union = await app.NewUnionAsync();
        var campaign = await app.NewCampaignAsync();

        using var unknownCampaign = await app.SendAsync(HttpMethod.Put, $"{union.Base}/subscriptions/no-such-campaign", union.AdminKey);
        using var unknownBranch = await app.SendAsync(HttpMethod.Put, $"{union.Base}/branches/no-such-branch/subscriptions/{campaign}", union.AdminKey);

        unknownCampaign.StatusCode.Should().Be(HttpStatusCode.NotFound);
        unknownBranch.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await app.Membership.GetSubscriptionsAsync(CampaignId.Parse(campaign))).Should().BeEmpty();
    }

    [Fact]
    public async Task Unsubscribe_KeepsTheCampaignsSchedulesForTheOtherSubscribers()
    {
        var leaving = await app.NewUnionAsync();
        var staying = await app.NewUnionAsync();
        var campaign = await app.NewCampaignAsync(staying, leaving);
        using var created = await app.SendAsync(HttpMethod.Post, $"{staying.Base}/campaigns/{campaign}/schedules", staying.OrganiserKey, SchedulingApiTestApp.Anniversary());
        created.StatusCode.Should().Be(HttpStatusCode.Created);

        using var unsubscribe = await app.SendAsync(HttpMethod.Delete, $"{leaving.Base}/subscriptions/{campaign}", leaving.AdminKey);
        using var leavingView = await app.SendAsync(HttpMethod.Get, $"{leaving.Base}/campaigns/{campaign}/schedules/zhanaozen", leaving.OrganiserKey);
        using var stayingView = await app.SendAsync(HttpMethod.Get, $"{staying.Base}/campaigns/{campaign}/schedules/zhanaozen", staying.OrganiserKey);

        unsubscribe.StatusCode.Should().Be(HttpStatusCode.NoContent);
        leavingView.StatusCode.Should().Be(HttpStatusCode.NotFound, "the campaign is no longer the leaving union's");
        stayingView.StatusCode.Should().Be(HttpStatusCode.OK);
        (await app.Schedules.GetAsync(new ScheduleId($"{campaign}--zhanaozen"))).Should().NotBeNull("schedules belong to the campaign");
    }

    private static object Campaign(string campaignId, string ownerUnionId) =>
        new { campaignId, name = "Zhanaozen solidarity", helpContact = "help@example.org", defaultLanguage = "kk", ownerUnionId };

    private static async Task<List<string?>> Fields(HttpResponseMessage response) =>
        [.. (await ApiTestApp.ReadJsonAsync(response)).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString())];
}
