using System.Net;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Infrastructure.Api;

namespace AlertPipeline.IntegrationTests.Reports;

/// <summary>POST /api/unions/{union}/branches/{branch}/contacts/{contact}:erase across several alerts.</summary>
public sealed class ContactErasureTests(ReportsTestApp app) : IClassFixture<ReportsTestApp>
{
    [Fact]
    public async Task Erase_ScrubsTheContactsRowsInEveryAlertKeepsOthersAndDeletesTheContact()
    {
        var world = await TwoAlertsAsync();
        var otherBefore = await RowsOfAsync(world, world.E2);
        (await RowsOfAsync(world, world.E1)).Where(r => r.AlertId == world.Pending).Should().HaveCount(2)
            .And.OnlyContain(r => r.Snapshot != null && r.Snapshot.Name == world.E1.Name, "fan-out copied the name onto the Pending rows for rendering");

        using var response = await EraseAsync(world, "e1", world.Union.AdminKey);

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var json = await ReportsTestApp.ReadJsonAsync(response);
        json.GetProperty("deliveryRowsScrubbed").GetInt32().Should().Be(4, "2 channels in each of 2 alerts");
        json.GetProperty("contactDeleted").GetBoolean().Should().BeTrue();
        (await app.Membership.GetContactAsync(world.Union.UnionId, BranchId.Parse("central"), ContactId.Parse("e1"))).Should().BeNull();

        var erased = await RowsOfAsync(world, world.E1);
        erased.Should().HaveCount(4).And.OnlyContain(r =>
            r.Contact!.IsErased && r.Contact.UnionId == world.Union.UnionId
            && r.Address == null && r.Snapshot == null && r.Language == null && r.BodyHash == null && r.ProviderId == null);
        var table = await app.Service<Infrastructure.Persistence.PipelineTables>().GetAsync(Infrastructure.Persistence.PipelineTables.Deliveries);
        var stored = await table.QueryAsync<Azure.Data.Tables.TableEntity>(
            Azure.Data.Tables.TableClient.CreateQueryFilter($"UnionId eq {world.Union.UnionId.Value} and ContactId eq {ContactRef.ErasedId}")).ToListAsync();
        stored.Should().HaveCount(4).And.OnlyContain(
            e => !e.ContainsKey("ContactName") && !e.ContainsKey("ContactLanguage") && !e.ContainsKey("ContactTimeZone") && !e.ContainsKey("Address"),
            "no name, language or time zone of the person is left on the stored rows");
        erased.Where(r => r.AlertId == world.Sent).Should().OnlyContain(r => r.Status == DeliveryStatus.Sent && r.SentAt != null)
            .And.Contain(r => r.Channel == Channel.Sms && r.Segments == 1, "status and counts stay");
        erased.Where(r => r.AlertId == world.Pending).Should().OnlyContain(r => r.Status == DeliveryStatus.Skipped && r.SkipReason == SkipReason.NoAddress);
        (await RowsOfAsync(world, world.E2)).Should().Equal(otherBefore, "another contact's rows are untouched");

        using var report = await app.SendAsync(HttpMethod.Get, $"{world.Union.Base}/alerts/{world.Sent}/report?format=csv", world.Union.OrganiserKey);
        var lines = (await report.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        lines.Should().HaveCount(4, "the union's report still adds up");
        lines.Count(l => l.StartsWith($"sms,{world.Union.UnionId},,,Sent,,,1,", StringComparison.Ordinal)).Should().Be(1, "erased rows keep channel, union, status and segments");
        lines.Count(l => l.StartsWith($"email,{world.Union.UnionId},,,Sent,,,,", StringComparison.Ordinal)).Should().Be(1);
        lines.Count(l => l.Contains(",central,e2,Sent,", StringComparison.Ordinal)).Should().Be(2);

        var audit = await app.Service<AuditLog>().ReadRecentAsync(world.Union.UnionId);
        audit.Should().ContainSingle(e => e.Targets == "branch=central contact=e1 erase" && e.Status == 200 && e.Role == "union-admin" && e.Method == "POST");
    }

    [Fact]
    public async Task Erase_Again_IsIdempotent()
    {
        var world = await TwoAlertsAsync();
        using var first = await EraseAsync(world, "e1", world.Union.AdminKey);
        var after = await RowsOfAsync(world, world.E1);

        using var second = await EraseAsync(world, "e1", world.Union.AdminKey);

        second.StatusCode.Should().Be(HttpStatusCode.OK);
        var json = await ReportsTestApp.ReadJsonAsync(second);
        json.GetProperty("deliveryRowsScrubbed").GetInt32().Should().Be(0);
        json.GetProperty("contactDeleted").GetBoolean().Should().BeFalse();
        (await RowsOfAsync(world, world.E1)).Should().Equal(after);
    }

    [Fact]
    public async Task Erase_AfterTheContactWasAlreadyDeleted_StillScrubsItsRows()
    {
        var world = await TwoAlertsAsync();
        await app.Service<MembershipAdmin>().DeleteContactAsync(world.Union.UnionId, BranchId.Parse("central"), ContactId.Parse("e1"));

        using var response = await EraseAsync(world, "e1", world.Union.AdminKey);

        var json = await ReportsTestApp.ReadJsonAsync(response);
        json.GetProperty("deliveryRowsScrubbed").GetInt32().Should().Be(4, "a retry after an interruption finishes the job");
        json.GetProperty("contactDeleted").GetBoolean().Should().BeFalse();
        (await RowsOfAsync(world, world.E1)).Should().OnlyContain(r => r.Contact!.IsErased && r.Address == null);
    }

    [Fact]
    public async Task Erase_OrganiserKeyOrAnotherUnionsKey_IsRefusedAndChangesNothing()
    {
        var world = await TwoAlertsAsync();
        var outsider = await app.NewUnionAsync("central");
        var before = await RowsOfAsync(world, world.E1);

        using var organiser = await EraseAsync(world, "e1", world.Union.OrganiserKey);
        using var other = await EraseAsync(world, "e1", outsider.AdminKey);
        using var missing = await app.SendAsync(HttpMethod.Post, "/api/unions/no-such-union/branches/central/contacts/e1:erase", outsider.AdminKey);

        organiser.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        other.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await other.Content.ReadAsByteArrayAsync()).Should().Equal(await missing.Content.ReadAsByteArrayAsync());
        (await app.Membership.GetContactAsync(world.Union.UnionId, BranchId.Parse("central"), ContactId.Parse("e1"))).Should().NotBeNull();
        (await RowsOfAsync(world, world.E1)).Should().Equal(before);
    }

    [Fact]
    public async Task Erase_SameBranchAndContactIdsInAnotherUnion_LeavesThatUnionsRowsAlone()
    {
        var world = await TwoAlertsAsync();
        var campaignId = await app.NewCampaignAsync(owner: null);
        var other = await app.NewUnionAsync("central");
        await app.SubscribeAsync(campaignId, world.Union.UnionId);
        await app.SubscribeAsync(campaignId, other.UnionId);
        var twin = await app.AddContactAsync(other.UnionId, "central", "e1", "+447700900039", "twin@example.org");
        var alertId = await app.FanOutAsync(ReportsTestApp.EventJson("erase-twin-" + Guid.NewGuid().ToString("N")[..8], campaignId));
        var twinKeys = new[] { Channel.Sms, Channel.Email }.Select(c => app.Hasher.HashFor(twin, c)!.Value).ToHashSet();
        var twinRows = (await app.RowsAsync(alertId)).Where(r => twinKeys.Contains(r.Key.Recipient.Value)).ToList();

        using var response = await EraseAsync(world, "e1", world.Union.AdminKey);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        twinRows.Should().HaveCount(2).And.OnlyContain(r => r.Contact!.UnionId == other.UnionId && r.Address != null);
        (await app.RowsAsync(alertId)).Where(r => twinKeys.Contains(r.Key.Recipient.Value)).Should().Equal(twinRows);
        (await app.Membership.GetContactAsync(other.UnionId, BranchId.Parse("central"), ContactId.Parse("e1"))).Should().NotBeNull();
    }

    private Task<HttpResponseMessage> EraseAsync(ErasureWorld world, string contact, string key) =>
        app.SendAsync(HttpMethod.Post, $"{world.Union.Base}/branches/central/contacts/{contact}:erase", key);

    /// <summary>The contact's rows in both alerts, found by key (the recipient hash of its number and email).</summary>
    private async Task<List<DeliveryRecord>> RowsOfAsync(ErasureWorld world, Contact contact)
    {
        var keys = new[] { Channel.Sms, Channel.Email }.Select(c => app.Hasher.HashFor(contact, c)!.Value).ToHashSet();
        var rows = new List<DeliveryRecord>();
        foreach (var alertId in new[] { world.Sent, world.Pending })
        {
            rows.AddRange((await app.RowsAsync(alertId)).Where(r => keys.Contains(r.Key.Recipient.Value)));
        }

        return rows;
    }

    /// <summary>A union whose contacts e1 and e2 got two alerts: one sent, one only fanned out (rows Pending).</summary>
    private async Task<ErasureWorld> TwoAlertsAsync()
    {
        var campaignId = await app.NewCampaignAsync(owner: null);
        var union = await app.NewUnionAsync("central");
        await app.SubscribeAsync(campaignId, union.UnionId);
        var e1 = await app.AddContactAsync(union.UnionId, "central", "e1", "+447700900031", "e1@example.org");
        var e2 = await app.AddContactAsync(union.UnionId, "central", "e2", "+447700900032", "e2@example.org");
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var sent = await app.FanOutAsync(ReportsTestApp.EventJson("erase-sent-" + suffix, campaignId));
        await app.SendAllAsync(sent);
        var pending = await app.FanOutAsync(ReportsTestApp.EventJson("erase-pending-" + suffix, campaignId));
        return new ErasureWorld(union, e1, e2, sent, pending);
    }

    private sealed record ErasureWorld(ReportsUnion Union, Contact E1, Contact E2, AlertId Sent, AlertId Pending);
}

/// <summary>The ETag discipline of <see cref="Infrastructure.Persistence.DeliveryErasure"/> against a concurrent sender.</summary>
public sealed class DeliveryErasureConcurrencyTests(ReportsTestApp app) : IClassFixture<ReportsTestApp>
{
    [Fact]
    public async Task ScrubRow_RowChangedByASenderAfterItWasRead_KeepsTheSendersUpdateAndStillScrubs()
    {
        var campaignId = await app.NewCampaignAsync(owner: null);
        var union = await app.NewUnionAsync("central");
        await app.SubscribeAsync(campaignId, union.UnionId);
        var contact = await app.AddContactAsync(union.UnionId, "central", "c1", "+447700900041", null);
        var alertId = await app.FanOutAsync(ReportsTestApp.EventJson("erase-race-" + Guid.NewGuid().ToString("N")[..8], campaignId));
        var key = new DeliveryKey(alertId, Channel.Sms, app.Hasher.HashFor(contact, Channel.Sms)!);
        var table = await app.Service<Infrastructure.Persistence.PipelineTables>().GetAsync(Infrastructure.Persistence.PipelineTables.Deliveries);
        var filter = Azure.Data.Tables.TableClient.CreateQueryFilter($"UnionId eq {union.UnionId.Value} and ContactId eq {"c1"}");
        var stale = await table.QueryAsync<Azure.Data.Tables.TableEntity>(filter).SingleAsync(e => e.GetString("Channel") == "sms"); // whatever the partition layout

        // A sender moves the row on after the erasure read it.
        var current = await app.Deliveries.GetAsync(key);
        (await app.Deliveries.TryUpdateAsync(current!.Record with { Status = DeliveryStatus.Sent, ProviderId = "SM1", Segments = 1, Attempt = 1 }, current.ETag)).Should().NotBeNull();

        var scrubbed = await app.Service<Infrastructure.Persistence.DeliveryErasure>().ScrubRowAsync(table, stale, current.Record.Contact!, default);

        scrubbed.Should().BeTrue();
        var row = (await app.Deliveries.GetAsync(key))!.Record;
        row.Status.Should().Be(DeliveryStatus.Sent, "the sender's update is not overwritten by the stale read");
        row.Segments.Should().Be(1);
        row.Attempt.Should().Be(1);
        row.Contact!.IsErased.Should().BeTrue();
        row.Address.Should().BeNull();
        row.ProviderId.Should().BeNull();
    }
}
