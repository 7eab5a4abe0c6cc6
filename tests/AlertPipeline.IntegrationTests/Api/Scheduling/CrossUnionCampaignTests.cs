using System.Net;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Core.Scheduling;
using Microsoft.Extensions.DependencyInjection;

namespace AlertPipeline.IntegrationTests.Api.Scheduling;

/// <summary>
/// Campaigns with an owner, as a hostile or careless union would probe them over HTTP: a union joins another union's
/// campaign only with the owner's approval (invitation accepted, request approved, or an open campaign); a subscribing
/// union's organiser reads the owner's schedules but cannot change them, and its previews, sends and reports never reach
/// another union's members — the send's audience is bound in the event itself, so fan-out honours it too.
/// </summary>
public sealed class CrossUnionCampaignTests(SchedulingApiTestApp app) : IClassFixture<SchedulingApiTestApp>
{
    [Fact]
    public async Task Subscribe_WithoutTheOwnersApproval_Answers404LikeAMissingCampaignAndWritesNothing()
    {
        var owner = await app.NewUnionAsync();
        var outsider = await app.NewUnionAsync();
        var campaign = await app.NewCampaignAsync(owner);

        using var whole = await app.SendAsync(HttpMethod.Put, $"{outsider.Base}/subscriptions/{campaign}", outsider.AdminKey);
        using var branch = await app.SendAsync(HttpMethod.Put, $"{outsider.Base}/branches/{outsider.Branch}/subscriptions/{campaign}", outsider.AdminKey);
        using var missing = await app.SendAsync(HttpMethod.Put, $"{outsider.Base}/subscriptions/no-such-campaign", outsider.AdminKey);
        using var schedules = await app.SendAsync(HttpMethod.Get, $"{outsider.Base}/campaigns/{campaign}/schedules", outsider.OrganiserKey);

        whole.StatusCode.Should().Be(HttpStatusCode.NotFound);
        var expected = await missing.Content.ReadAsByteArrayAsync();
        (await whole.Content.ReadAsByteArrayAsync()).Should().Equal(expected, "an unapproved campaign looks exactly like a missing one");
        (await branch.Content.ReadAsByteArrayAsync()).Should().Equal(expected);
        schedules.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await app.Membership.GetSubscriptionsAsync(CampaignId.Parse(campaign))).Should().ContainSingle()
            .Which.UnionId.Value.Should().Be(owner.UnionId, "only the owner's own subscription is there");
    }

    [Fact]
    public async Task Request_IsNotEnoughUntilTheOwnerApproves_ThenTheUnionMaySubscribe_AndBothLogsShowEachStep()
    {
        var owner = await app.NewUnionAsync();
        var joiner = await app.NewUnionAsync();
        var campaign = await app.NewCampaignAsync(owner);

        using var request = await app.SendAsync(HttpMethod.Put, $"{joiner.Base}/campaigns/{campaign}/membership", joiner.AdminKey);
        var roleWhenRequested = await RoleAsync(joiner, campaign);
        using var tooEarly = await app.SendAsync(HttpMethod.Put, $"{joiner.Base}/subscriptions/{campaign}", joiner.AdminKey);
        using var listed = await app.SendAsync(HttpMethod.Get, $"{owner.Base}/campaigns/{campaign}/members", owner.AdminKey);
        using var approve = await app.SendAsync(HttpMethod.Put, $"{owner.Base}/campaigns/{campaign}/members/{joiner.UnionId}", owner.AdminKey);
        using var subscribe = await app.SendAsync(HttpMethod.Put, $"{joiner.Base}/subscriptions/{campaign}", joiner.AdminKey);

        request.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ApiTestApp.ReadJsonAsync(request)).GetProperty("state").GetString().Should().Be("requested");
        roleWhenRequested.Should().Be("requested");
        tooEarly.StatusCode.Should().Be(HttpStatusCode.NotFound, "a request alone admits nobody");
        var items = (await ApiTestApp.ReadJsonAsync(listed)).GetProperty("items").EnumerateArray().ToList();
        items.Should().ContainSingle(i => i.GetProperty("unionId").GetString() == joiner.UnionId)
            .Which.GetProperty("state").GetString().Should().Be("requested");
        (await ApiTestApp.ReadJsonAsync(approve)).GetProperty("state").GetString().Should().Be("approved");
        subscribe.StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await app.Membership.GetSubscriptionsAsync(CampaignId.Parse(campaign))).Select(s => s.UnionId.Value).Should().Contain(joiner.UnionId);

        var ownerLog = await app.Audit.ReadRecentAsync(UnionId.Parse(owner.UnionId));
        ownerLog.Should().Contain(e => e.ActorUnion == UnionId.Parse(joiner.UnionId) && e.Route.EndsWith("/membership", StringComparison.Ordinal) && e.Status == 200,
            "the owner sees the request in its own log");
        ownerLog.Should().Contain(e => e.ActorUnion == null && e.Route.EndsWith("/members/{member}", StringComparison.Ordinal) && e.Targets.Contains($"member={joiner.UnionId}"));
        var joinerLog = await app.Audit.ReadRecentAsync(UnionId.Parse(joiner.UnionId));
        joinerLog.Should().Contain(e => e.ActorUnion == UnionId.Parse(owner.UnionId) && e.Route.EndsWith("/members/{member}", StringComparison.Ordinal), "the union sees the approval");
    }

    [Fact]
    public async Task Invitation_OnlyTheInvitedUnionCanAcceptIt_AndAnotherUnionStillCannotSubscribe()
    {
        var owner = await app.NewUnionAsync();
        var invited = await app.NewUnionAsync();
        var other = await app.NewUnionAsync();
        var campaign = await app.NewCampaignAsync(owner);

        using var invite = await app.SendAsync(HttpMethod.Put, $"{owner.Base}/campaigns/{campaign}/members/{invited.UnionId}", owner.AdminKey);
        var roleWhenInvited = await RoleAsync(invited, campaign);
        using var notYet = await app.SendAsync(HttpMethod.Put, $"{invited.Base}/subscriptions/{campaign}", invited.AdminKey);
        using var otherTries = await app.SendAsync(HttpMethod.Put, $"{other.Base}/subscriptions/{campaign}", other.AdminKey);
        using var organiserAccepts = await app.SendAsync(HttpMethod.Put, $"{invited.Base}/campaigns/{campaign}/membership", invited.OrganiserKey);
        using var accept = await app.SendAsync(HttpMethod.Put, $"{invited.Base}/campaigns/{campaign}/membership", invited.AdminKey);
        using var subscribe = await app.SendAsync(HttpMethod.Put, $"{invited.Base}/branches/{invited.Branch}/subscriptions/{campaign}", invited.AdminKey);
        using var campaigns = await app.SendAsync(HttpMethod.Get, $"{invited.Base}/campaigns", invited.OrganiserKey);

        (await ApiTestApp.ReadJsonAsync(invite)).GetProperty("state").GetString().Should().Be("invited");
        roleWhenInvited.Should().Be("invited");
        (await RoleAsync(other, campaign)).Should().Be("none", "another union sees the campaign, with no role in it");
        notYet.StatusCode.Should().Be(HttpStatusCode.NotFound, "an invitation must be accepted first");
        otherTries.StatusCode.Should().Be(HttpStatusCode.NotFound, "the invitation was for another union");
        organiserAccepts.StatusCode.Should().Be(HttpStatusCode.Forbidden, "accepting is the union-admin's");
        (await ApiTestApp.ReadJsonAsync(accept)).GetProperty("state").GetString().Should().Be("approved");
        subscribe.StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await ApiTestApp.ReadJsonAsync(campaigns)).GetProperty("items").EnumerateArray()
            .Single(i => i.GetProperty("campaignId").GetString() == campaign).GetProperty("role").GetString().Should().Be("subscriber");
        (await app.Membership.GetSubscriptionsAsync(CampaignId.Parse(campaign))).Select(s => s.UnionId.Value).Should().NotContain(other.UnionId);
    }

    [Fact]
    public async Task OwnerOnlyRoutes_SubscriberGets403_OutsiderGetsTheStandard404_OpenCampaignAdmitsAnyUnion()
    {
        var owner = await app.NewUnionAsync();
        var subscriber = await app.NewUnionAsync();
        var outsider = await app.NewUnionAsync();
        var campaign = await app.NewCampaignAsync(owner, subscriber);

        using var subscriberInvites = await app.SendAsync(HttpMethod.Put, $"{subscriber.Base}/campaigns/{campaign}/members/{outsider.UnionId}", subscriber.AdminKey);
        using var subscriberOpens = await app.SendAsync(HttpMethod.Put, $"{subscriber.Base}/campaigns/{campaign}/open", subscriber.AdminKey);
        using var outsiderOpens = await app.SendAsync(HttpMethod.Put, $"{outsider.Base}/campaigns/{campaign}/open", outsider.AdminKey);
        using var outsiderLists = await app.SendAsync(HttpMethod.Get, $"{outsider.Base}/campaigns/{campaign}/members", outsider.AdminKey);
        using var missing = await app.SendAsync(HttpMethod.Get, $"{outsider.Base}/campaigns/no-such-campaign/members", outsider.AdminKey);
        using var stillClosed = await app.SendAsync(HttpMethod.Put, $"{outsider.Base}/subscriptions/{campaign}", outsider.AdminKey);
        using var open = await app.SendAsync(HttpMethod.Put, $"{owner.Base}/campaigns/{campaign}/open", owner.AdminKey);
        using var nowOpen = await app.SendAsync(HttpMethod.Put, $"{outsider.Base}/subscriptions/{campaign}", outsider.AdminKey);

        subscriberInvites.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        subscriberOpens.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        outsiderOpens.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await outsiderLists.Content.ReadAsByteArrayAsync()).Should().Equal(await missing.Content.ReadAsByteArrayAsync());
        stillClosed.StatusCode.Should().Be(HttpStatusCode.NotFound);
        open.StatusCode.Should().Be(HttpStatusCode.NoContent);
        nowOpen.StatusCode.Should().Be(HttpStatusCode.NoContent, "an open campaign admits any union");
        (await app.Membership.GetCampaignAsync(CampaignId.Parse(campaign)))!.IsOpen.Should().BeTrue();
    }

    [Fact]
    public async Task RemovingAMember_TakesAwayItsSubscriptionsAndWithThemItsAccess()
    {
        var owner = await app.NewUnionAsync();
        var member = await app.NewUnionAsync();
        var campaign = await app.NewCampaignAsync(owner, member);

        using var remove = await app.SendAsync(HttpMethod.Delete, $"{owner.Base}/campaigns/{campaign}/members/{member.UnionId}", owner.AdminKey);
        using var schedules = await app.SendAsync(HttpMethod.Get, $"{member.Base}/campaigns/{campaign}/schedules", member.OrganiserKey);
        using var resubscribe = await app.SendAsync(HttpMethod.Put, $"{member.Base}/subscriptions/{campaign}", member.AdminKey);

        remove.StatusCode.Should().Be(HttpStatusCode.NoContent);
        schedules.StatusCode.Should().Be(HttpStatusCode.NotFound);
        resubscribe.StatusCode.Should().Be(HttpStatusCode.NotFound, "coming back needs the owner's approval again");
    }

    [Fact]
    public async Task SubscribersOrganiser_ReadsTheOwnersSchedulesButCannotCreatePostponeOrCancelThem()
    {
        var owner = await app.NewUnionAsync();
        var subscriber = await app.NewUnionAsync();
        var campaign = await app.NewCampaignAsync(owner, subscriber);
        (await app.SendAsync(HttpMethod.Post, Schedules(owner, campaign), owner.OrganiserKey, SchedulingApiTestApp.Trial())).StatusCode.Should().Be(HttpStatusCode.Created);

        using var read = await app.SendAsync(HttpMethod.Get, $"{Schedules(subscriber, campaign)}/appeal", subscriber.OrganiserKey);
        using var create = await app.SendAsync(HttpMethod.Post, Schedules(subscriber, campaign), subscriber.OrganiserKey, SchedulingApiTestApp.Anniversary());
        using var postpone = await app.SendAsync(HttpMethod.Post, $"{Schedules(subscriber, campaign)}/appeal:postpone", subscriber.OrganiserKey, new { hearing = "2027-04-04T09:30", notify = true });
        using var cancel = await app.SendAsync(HttpMethod.Post, $"{Schedules(subscriber, campaign)}/appeal:cancel", subscriber.OrganiserKey, new { notify = false });

        read.StatusCode.Should().Be(HttpStatusCode.OK, "subscribers read the texts their members will receive");
        (await ApiTestApp.ReadJsonAsync(read)).GetProperty("templates").GetProperty("en").GetProperty("sms").GetString().Should().Contain("Appeal hearing");
        create.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        postpone.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        cancel.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var stored = (await app.Schedules.GetAsync(new ScheduleId($"{campaign}--appeal")))!.Schedule.Schedule.Should().BeOfType<TrialSchedule>().Subject;
        stored.Status.Should().Be(TrialStatus.Scheduled);
        stored.Revision.Should().Be(0, "nothing the subscriber sent changed the owner's hearing");
        (await app.Schedules.GetAsync(new ScheduleId($"{campaign}--zhanaozen"))).Should().BeNull();
        (await app.Audit.ReadRecentAsync(UnionId.Parse(subscriber.UnionId))).Where(e => e.ActorUnion is null).Select(e => e.Status)
            .Should().Equal(403, 403, 403);
    }

    [Fact]
    public async Task OwnersScheduleChanges_AreAuditedInTheOwnersLogAndInEachSubscribersButNotAnOutsiders()
    {
        var owner = await app.NewUnionAsync();
        var subscriber = await app.NewUnionAsync();
        var outsider = await app.NewUnionAsync();
        var campaign = await app.NewCampaignAsync(owner, subscriber);

        (await app.SendAsync(HttpMethod.Post, Schedules(owner, campaign), owner.OrganiserKey, SchedulingApiTestApp.Trial())).StatusCode.Should().Be(HttpStatusCode.Created);
        (await app.SendAsync(HttpMethod.Post, $"{Schedules(owner, campaign)}/appeal:postpone", owner.OrganiserKey, new { hearing = "2027-04-04T09:30", notify = true }))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        using var log = await app.SendAsync(HttpMethod.Get, $"{subscriber.Base}/audit", subscriber.AdminKey);

        var ownerRows = (await app.Audit.ReadRecentAsync(UnionId.Parse(owner.UnionId))).Select(e => (e.Route, e.Status, e.ActorUnion)).ToList();
        // The test clock stands still, so rows of one instant come in any order: compare them as sets.
        ownerRows.Should().BeEquivalentTo(new (string, int, UnionId?)[]
        {
            ("/api/unions/{union}/campaigns/{campaign}/schedules/{schedule}:postpone", 200, null),
            ("/api/unions/{union}/campaigns/{campaign}/schedules", 201, null),
        });
        var items = (await ApiTestApp.ReadJsonAsync(log)).GetProperty("items").EnumerateArray().ToList();
        items.Select(i => (i.GetProperty("route").GetString(), i.GetProperty("status").GetInt32(), i.GetProperty("actorUnion").GetString(), i.GetProperty("targets").GetString()))
            .Should().BeEquivalentTo(new (string?, int, string?, string?)[]
            {
                ("/api/unions/{union}/campaigns/{campaign}/schedules/{schedule}:postpone", 200, owner.UnionId, $"campaign={campaign} schedule=appeal postpone"),
                ("/api/unions/{union}/campaigns/{campaign}/schedules", 201, owner.UnionId, $"campaign={campaign}"),
            });
        (await app.Audit.ReadRecentAsync(UnionId.Parse(outsider.UnionId))).Should().BeEmpty();
    }

    [Theory]
    [InlineData("alerts")]
    [InlineData("preview")]
    public async Task SubscribersSend_AudienceNamingAnotherUnionOrItsBranch_Answers404AndEnqueuesNothing(string route)
    {
        var owner = await app.NewUnionAsync();
        var subscriber = await app.NewUnionAsync();
        var campaign = await app.NewCampaignAsync(owner, subscriber);
        var path = $"{subscriber.Base}/campaigns/{campaign}/{route}";
        var naming = SendNowApiTests.Event("vigil");
        naming["audience"] = new { unionIds = new[] { owner.UnionId } };
        var mixed = SendNowApiTests.Event("vigil");
        mixed["audience"] = new { unionIds = new[] { subscriber.UnionId }, branches = new[] { new { unionId = owner.UnionId, branchId = owner.Branch } } };

        using var otherUnion = await app.SendAsync(HttpMethod.Post, path, subscriber.OrganiserKey, naming);
        using var otherBranch = await app.SendAsync(HttpMethod.Post, path, subscriber.OrganiserKey, mixed);
        using var missing = await app.SendAsync(HttpMethod.Post, $"{subscriber.Base}/campaigns/no-such-campaign/{route}", subscriber.OrganiserKey, naming);

        otherUnion.StatusCode.Should().Be(HttpStatusCode.NotFound);
        var expected = await missing.Content.ReadAsByteArrayAsync();
        (await otherUnion.Content.ReadAsByteArrayAsync()).Should().Equal(expected, "another union's id is refused like any foreign id");
        (await otherBranch.Content.ReadAsByteArrayAsync()).Should().Equal(expected);
        (await AlertsOfAsync(campaign)).Should().BeEmpty();
    }

    [Fact]
    public async Task SubscribersSendNow_EventIsBoundToItsOwnUnion_FansOutOnlyToItsBranches_AndNeverSharesTheOwnersAlertId()
    {
        var owner = await app.NewUnionAsync();
        var subscriber = await app.NewUnionAsync();
        var third = await app.NewUnionAsync();
        var campaign = await app.NewCampaignAsync(owner, subscriber, third);

        using var bySubscriber = await app.SendAsync(HttpMethod.Post, $"{subscriber.Base}/campaigns/{campaign}/alerts", subscriber.OrganiserKey, SendNowApiTests.Event("vigil"));
        using var byOwner = await app.SendAsync(HttpMethod.Post, $"{owner.Base}/campaigns/{campaign}/alerts", owner.OrganiserKey, SendNowApiTests.Event("vigil"));

        bySubscriber.StatusCode.Should().Be(HttpStatusCode.Accepted, await bySubscriber.Content.ReadAsStringAsync());
        var answer = await ApiTestApp.ReadJsonAsync(bySubscriber);
        answer.GetProperty("eventId").GetString().Should().Be($"{campaign}--{subscriber.UnionId}--vigil");
        answer.GetProperty("alertId").GetString().Should().NotBe((await ApiTestApp.ReadJsonAsync(byOwner)).GetProperty("alertId").GetString(),
            "a subscriber's send can never be, or pre-empt, the owner's alert of the same event");

        var queued = await AlertsOfAsync(campaign);
        var subscribers = queued.Single(e => e.EventId.Value.Contains(subscriber.UnionId, StringComparison.Ordinal));
        subscribers.Audience.UnionIds.Should().Equal(UnionId.Parse(subscriber.UnionId));
        subscribers.Audience.Branches.Should().BeEmpty();
        var owners = queued.Single(e => e.EventId.Value == $"{campaign}--vigil");
        owners.Audience.IsEveryone.Should().BeTrue("the owner's send goes to every subscribed union");

        var fanOut = app.Factory.Services.GetRequiredService<FanOutHandler>();
        var subscriberChunks = await fanOut.HandleAsync(AlertEventSerializer.Serialize(subscribers), null, default);
        var ownerChunks = await fanOut.HandleAsync(AlertEventSerializer.Serialize(owners), null, default);
        subscriberChunks.Chunks.Select(c => c.UnionId.Value).Should().Equal([subscriber.UnionId], "fan-out honours the audience in the event");
        ownerChunks.Chunks.Select(c => c.UnionId.Value).Should().BeEquivalentTo([owner.UnionId, subscriber.UnionId, third.UnionId]);
    }

    [Fact]
    public async Task SubscribersPreviewAndReport_CountOnlyItsOwnUnionsMembers_WhileTheOwnersCoverTheCampaign()
    {
        var owner = await app.NewUnionAsync();
        var subscriber = await app.NewUnionAsync();
        var campaign = await app.NewCampaignAsync(owner, subscriber);
        await AddContactAsync(owner, "o1", "+447700900501");
        await AddContactAsync(owner, "o2", "+447700900502");
        await AddContactAsync(subscriber, "s1", "+447700900503");

        using var subscriberPreview = await app.SendAsync(HttpMethod.Post, $"{subscriber.Base}/campaigns/{campaign}/preview", subscriber.OrganiserKey, SendNowApiTests.Event("count"));
        using var ownerPreview = await app.SendAsync(HttpMethod.Post, $"{owner.Base}/campaigns/{campaign}/preview", owner.OrganiserKey, SendNowApiTests.Event("count"));

        subscriberPreview.StatusCode.Should().Be(HttpStatusCode.OK, await subscriberPreview.Content.ReadAsStringAsync());
        (await ApiTestApp.ReadJsonAsync(subscriberPreview)).GetProperty("audience").GetProperty("listings").GetInt32().Should().Be(1, "only the subscriber's own member");
        (await ApiTestApp.ReadJsonAsync(ownerPreview)).GetProperty("audience").GetProperty("listings").GetInt32().Should().Be(3);

        // The owner's alert reaches both unions; each union's report shows its own rows only.
        var ownerEvent = SendNowApiTests.Event("report");
        using var sent = await app.SendAsync(HttpMethod.Post, $"{owner.Base}/campaigns/{campaign}/alerts", owner.OrganiserKey, ownerEvent);
        var alertId = (await ApiTestApp.ReadJsonAsync(sent)).GetProperty("alertId").GetString();
        var queued = (await AlertsOfAsync(campaign)).Single(e => e.EventId.Value == $"{campaign}--report");
        await FanOutAsync(queued);
        var outsider = await app.NewUnionAsync();

        using var subscriberReport = await app.SendAsync(HttpMethod.Get, $"{subscriber.Base}/alerts/{alertId}/report", subscriber.OrganiserKey);
        using var ownerReport = await app.SendAsync(HttpMethod.Get, $"{owner.Base}/alerts/{alertId}/report", owner.OrganiserKey);
        using var subscriberCsv = await app.SendAsync(HttpMethod.Get, $"{subscriber.Base}/alerts/{alertId}/report?format=csv", subscriber.OrganiserKey);
        using var outsiderReport = await app.SendAsync(HttpMethod.Get, $"{outsider.Base}/alerts/{alertId}/report", outsider.OrganiserKey);

        (await ApiTestApp.ReadJsonAsync(subscriberReport)).GetProperty("rows").GetInt32().Should().Be(1);
        (await ApiTestApp.ReadJsonAsync(ownerReport)).GetProperty("rows").GetInt32().Should().Be(2);
        var csv = await subscriberCsv.Content.ReadAsStringAsync();
        csv.Should().Contain(",s1,").And.NotContain(owner.UnionId).And.NotContain(",o1,");
        outsiderReport.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private static string Schedules(TestUnion union, string campaign) => $"{union.Base}/campaigns/{campaign}/schedules";

    /// <summary>The union's role in the campaign as <c>GET /unions/{union}/campaigns</c> shows it.</summary>
    private async Task<string?> RoleAsync(TestUnion union, string campaign)
    {
        using var response = await app.SendAsync(HttpMethod.Get, $"{union.Base}/campaigns", union.OrganiserKey);
        return (await ApiTestApp.ReadJsonAsync(response)).GetProperty("items").EnumerateArray()
            .Single(i => i.GetProperty("campaignId").GetString() == campaign).GetProperty("role").GetString();
    }

    private Task AddContactAsync(TestUnion union, string contactId, string phone) =>
        app.Membership.UpsertContactAsync(new ContactEntry(new Contact
        {
            UnionId = UnionId.Parse(union.UnionId),
            BranchId = BranchId.Parse(union.Branch),
            ContactId = ContactId.Parse(contactId),
            Name = "Member " + contactId,
            Phone = PhoneNumber.Parse(phone),
            Language = LanguageTag.English,
            TimeZone = TimeZoneId.Parse("Asia/Aqtau"),
            Consent = new Consent(true, false),
        }));

    private async Task FanOutAsync(AlertEvent alertEvent)
    {
        var accepted = await app.Factory.Services.GetRequiredService<FanOutHandler>().HandleAsync(AlertEventSerializer.Serialize(alertEvent), null, default);
        accepted.Outcome.Should().Be(FanOutOutcome.Accepted, string.Join("; ", accepted.Errors));
        var chunks = app.Factory.Services.GetRequiredService<FanOutChunkHandler>();
        foreach (var first in accepted.Chunks)
        {
            for (FanOutChunk? chunk = first; chunk is not null;)
            {
                chunk = (await chunks.HandleAsync(chunk, default)).Next;
            }
        }
    }

    private async Task<List<AlertEvent>> AlertsOfAsync(string campaign) =>
        [.. (await app.PeekAlertsAsync())
            .Select(e => AlertEventParser.Parse(e.GetRawText()).Value)
            .Where(e => e.CampaignId.Value == campaign)];
}
