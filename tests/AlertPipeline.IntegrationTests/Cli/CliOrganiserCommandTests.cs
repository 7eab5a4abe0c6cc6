using System.Text.Json;
using System.Text.RegularExpressions;
using AlertPipeline.Cli;
using AlertPipeline.Core.Alerts;
using AlertPipeline.IntegrationTests.Reports;

namespace AlertPipeline.IntegrationTests.Cli;

/// <summary>
/// The organiser commands (schedules, preview, send, report) and the new contacts erase / admin unions|campaigns run
/// in-process against the real function app on Azurite, rendering the API's real answers.
/// </summary>
public sealed partial class CliOrganiserCommandTests(CliOrganiserTestApp app) : IClassFixture<CliOrganiserTestApp>, IDisposable
{
    private const string Anniversary = """
        {"kind": "anniversary", "scheduleId": "zhanaozen", "timeZone": "Europe/London", "date": "12-16", "time": "10:00",
         "reminders": ["P7D", "P1D"], "firstYear": 2012, "channels": ["sms"], "variables": {"place": "Zhanaozen"},
         "templates": {"en": {"sms": "Remember {{place}}: vigil on {{date}} at {{time}}."}}, "expiresAfterEvent": "06:00:00"}
        """;

    private const string Trial = """
        {"kind": "trial", "scheduleId": "appeal", "timeZone": "Asia/Aqtau", "date": "2031-03-14", "time": "09:30",
         "reminders": ["P7D", "P1D@18:00", "P0D@07:00"], "channels": ["sms"],
         "templates": {"en": {"sms": "Appeal hearing {{date}} {{time}}: come to court."}},
         "movedTemplates": {"en": {"sms": "The hearing of {{previousDate}} moved to {{date}} {{time}}."}},
         "cancelledTemplates": {"en": {"sms": "The hearing is cancelled."}}}
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("cli-org-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task SchedulesCreateListShow_Anniversary_ShowsTheShortIdTheQualifiedEventIdAndTheNextOccurrences()
    {
        var union = await app.NewUnionAsync();
        var campaign = await app.NewCampaignAsync(union);
        var file = Write("schedule.json", Anniversary);

        var created = await app.RunAsync(union.UnionId, union.OrganiserKey, "schedules", "create", "--campaign", campaign, "--file", file);
        var listed = await app.RunAsync(union.UnionId, union.OrganiserKey, "schedules", "list", "--campaign", campaign);
        var shown = await app.RunAsync(union.UnionId, union.OrganiserKey, "schedules", "show", "zhanaozen", "--campaign", campaign);
        var json = await app.RunAsync(union.UnionId, union.OrganiserKey, "schedules", "show", "zhanaozen", "--campaign", campaign, "--json");

        created.ExitCode.Should().Be(ExitCodes.Success, created.ToString());
        created.Out.Should().Contain($"{campaign}--zhanaozen").And.Contain("scheduled").And.Contain("P7D, P1D");
        EventAtLocal().IsMatch(created.Out).Should().BeTrue(created.Out);
        listed.ExitCode.Should().Be(ExitCodes.Success, listed.ToString());
        ListRow().IsMatch(listed.Out).Should().BeTrue(listed.Out);
        shown.ExitCode.Should().Be(ExitCodes.Success, shown.ToString());
        shown.Out.Should().Contain("next").And.Contain("reminder").And.Contain("Europe/London");
        var schedule = JsonDocument.Parse(json.Out).RootElement;
        schedule.GetProperty("scheduleId").GetString().Should().Be("zhanaozen");
        var next = schedule.GetProperty("next").EnumerateArray().ToList();
        next.Should().NotBeEmpty();
        foreach (var occurrence in next)
        {
            shown.Out.Should().Contain(occurrence.GetProperty("fireAt").GetString()!).And.Contain(occurrence.GetProperty("fireAtLocal").GetString()!);
        }
    }

    [Fact]
    public async Task SchedulesPostponeThenCancel_Trial_ShowsTheMovedHearingTheNoticeAndTheCancellation()
    {
        var union = await app.NewUnionAsync();
        var campaign = await app.NewCampaignAsync(union);
        var created = await app.RunAsync(union.UnionId, union.OrganiserKey, "schedules", "create", "--campaign", campaign, "--file", Write("trial.json", Trial));
        created.ExitCode.Should().Be(ExitCodes.Success, created.ToString());

        var postponed = await app.RunAsync(
            union.UnionId, union.OrganiserKey, "schedules", "postpone", "appeal", "--campaign", campaign, "--hearing", "2031-04-04T09:30", "--notify");
        var cancelled = await app.RunAsync(union.UnionId, union.OrganiserKey, "schedules", "cancel", "appeal", "--campaign", campaign);
        var again = await app.RunAsync(union.UnionId, union.OrganiserKey, "schedules", "cancel", "appeal", "--campaign", campaign);

        postponed.ExitCode.Should().Be(ExitCodes.Success, postponed.ToString());
        postponed.Out.Should().Contain("2031-04-04").And.Contain("hearing-moved").And.Contain("previous hearing 2031-03-14T09:30");
        postponed.Out.Should().Contain("2031-04-04T09:30+05:00", "the reminders follow the new hearing, shown in the schedule's zone");
        postponed.Out.Should().MatchRegex(@"change: 3 withdrawn, 0 already fired");
        cancelled.ExitCode.Should().Be(ExitCodes.Success, cancelled.ToString());
        cancelled.Out.Should().Contain("cancelled");
        again.ExitCode.Should().Be(ExitCodes.Failed, again.ToString());
        again.Error.Should().Contain("409");
    }

    [Fact]
    public async Task Preview_EventFile_ShowsTextsEncodingSegmentsAudienceAndCostOfTheRealAnswer()
    {
        var union = await app.NewUnionAsync();
        var campaign = await app.NewCampaignAsync(union);
        await app.AddContactAsync(union, "p1", "+447700900031", "p1@example.org");
        await app.AddContactAsync(union, "p2", "+447700900032", null, language: "kk");
        var file = Write("event.json", ReportsTestApp.EventJson("appeal-preview"));

        var table = await app.RunAsync(union.UnionId, union.OrganiserKey, "preview", "--campaign", campaign, "--file", file);
        var json = await app.RunAsync(union.UnionId, union.OrganiserKey, "preview", "--campaign", campaign, "--file", file, "--json");

        table.ExitCode.Should().Be(ExitCodes.Success, table.ToString());
        var preview = JsonDocument.Parse(json.Out).RootElement;
        table.Out.Should().Contain(preview.GetProperty("alertId").GetString()!);
        foreach (var language in preview.GetProperty("languages").EnumerateArray())
        {
            var sms = language.GetProperty("sms");
            table.Out.Should().Contain(sms.GetProperty("encoding").GetString()!).And.Contain(language.GetProperty("email").GetProperty("subject").GetString()!);
            table.Out.Should().Contain(sms.GetProperty("text").GetString()![..30], "the rendered text is shown");
        }

        table.Out.Should().Contain("GSM-7").And.Contain("UCS-2").And.Contain("Sample Member").And.NotContain("Member p1");
        var audience = preview.GetProperty("audience");
        table.Out.Should().Contain($"audience: {audience.GetProperty("listings").GetInt32()} listing(s), {audience.GetProperty("distinctRows").GetInt32()} distinct row(s)");
        var cost = preview.GetProperty("cost");
        cost.GetProperty("segments").GetInt32().Should().BeGreaterThan(0);
        table.Out.Should().Contain(
            $"cost: {cost.GetProperty("segments").GetRawText()} segment(s) × {cost.GetProperty("pricePerSegment").GetRawText()} EUR = estimate {cost.GetProperty("estimate").GetRawText()} EUR");
        app.Published.Should().NotContain(e => e.EventId.Value.EndsWith("appeal-preview", StringComparison.Ordinal), "a preview sends nothing");
    }

    [Fact]
    public async Task SendThenReport_AfterAFanOut_PrintsTheAlertIdAndTheReportAndWritesTheCsv()
    {
        var union = await app.NewUnionAsync();
        var campaign = await app.NewCampaignAsync(union);
        await app.AddContactAsync(union, "r1", "+447700900041", "r1@example.org");
        await app.AddContactAsync(union, "r2", "+447700900042", null, language: "kk");
        var eventId = "appeal-" + Guid.NewGuid().ToString("N")[..8];
        var file = Write("event.json", ReportsTestApp.EventJson(eventId));

        var sent = await app.RunAsync(union.UnionId, union.OrganiserKey, "send", "--campaign", campaign, "--file", file);

        sent.ExitCode.Should().Be(ExitCodes.Success, sent.ToString());
        var published = app.Published.Should().ContainSingle(e => e.EventId.Value == $"{campaign}--{eventId}").Subject;
        var alertId = AlertId.For(published).Value;
        sent.Out.Should().Contain($"Accepted: alert {alertId} (event {campaign}--{eventId})").And.Contain($"alertpipeline report {alertId}");
        (await app.FanOutAndSendAsync(published)).Value.Should().Be(alertId);

        var report = await app.RunAsync(union.UnionId, union.OrganiserKey, "report", alertId);
        var json = await app.RunAsync(union.UnionId, union.OrganiserKey, "report", alertId, "--json");
        var csv = Path.Combine(_folder, "report.csv");
        var written = await app.RunAsync(union.UnionId, union.OrganiserKey, "report", alertId, "--csv", csv);

        report.ExitCode.Should().Be(ExitCodes.Success, report.ToString());
        var answer = JsonDocument.Parse(json.Out).RootElement;
        answer.GetProperty("rows").GetInt32().Should().Be(4, "2 contacts on 2 channels");
        report.Out.Should().Contain($"alert {alertId} (event {campaign}--{eventId}, campaign {campaign}), union {union.UnionId}").And.Contain("4 row(s)");
        foreach (var channel in answer.GetProperty("channels").EnumerateArray())
        {
            var byStatus = string.Join(", ", channel.GetProperty("byStatus").EnumerateObject().Select(p => $"{p.Name} {p.Value.GetInt32()}"));
            report.Out.Should().MatchRegex($@"│\s*{channel.GetProperty("channel").GetString()}\s*│\s*{channel.GetProperty("total").GetInt32()}\s*│\s*{Regex.Escape(byStatus)}\s*│");
        }

        report.Out.Should().Contain("noAddress 1", "r2 has no email");
        written.ExitCode.Should().Be(ExitCodes.Success, written.ToString());
        written.Out.Should().Contain("Wrote " + csv);
        var lines = (await File.ReadAllTextAsync(csv)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().Be("channel,unionId,branchId,contactId,status,reason,errorCode,segments,notBefore,sentAt,updatedAt");
        lines.Skip(1).Should().HaveCount(4).And.OnlyContain(l => l.Split(',')[1] == union.UnionId);
        lines.Should().Contain(l => l.StartsWith($"email,{union.UnionId},central,r2,Skipped,NoAddress,", StringComparison.Ordinal));
        string.Join('\n', lines).Should().NotContain("+44").And.NotContain("@");
        Directory.GetFiles(_folder).Should().HaveCount(2, "event.json and report.csv; no partial file left");
    }

    [Fact]
    public async Task ContactsErase_WithYes_ScrubsTheRowsAndWithoutYesOnAPipeRefuses()
    {
        var union = await app.NewUnionAsync();
        var campaign = await app.NewCampaignAsync(union);
        await app.AddContactAsync(union, "e1", "+447700900051", "e1@example.org");
        var sent = await app.RunAsync(union.UnionId, union.OrganiserKey, "send", "--campaign", campaign, "--file", Write("event.json", ReportsTestApp.EventJson("erase-" + Guid.NewGuid().ToString("N")[..8])));
        sent.ExitCode.Should().Be(ExitCodes.Success, sent.ToString());
        await app.FanOutAndSendAsync(app.Published.Last());

        var unconfirmed = await app.RunAsync(union.UnionId, union.AdminKey, "contacts", "erase", "e1", "--branch", union.Branch);
        var erased = await app.RunAsync(union.UnionId, union.AdminKey, "contacts", "erase", "e1", "--branch", union.Branch, "--yes");
        var again = await app.RunAsync(union.UnionId, union.AdminKey, "contacts", "erase", "e1", "--branch", union.Branch, "--yes", "--json");

        unconfirmed.ExitCode.Should().Be(ExitCodes.Usage);
        unconfirmed.Error.Should().Contain("--yes");
        erased.ExitCode.Should().Be(ExitCodes.Success, erased.ToString());
        erased.Out.Should().Contain("Erased contact 'e1'; scrubbed 2 delivery row(s).");
        var second = JsonDocument.Parse(again.Out).RootElement;
        second.GetProperty("deliveryRowsScrubbed").GetInt32().Should().Be(0);
        second.GetProperty("contactDeleted").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public async Task AdminUnionsAndCampaigns_WithTheBootstrapSecret_CreateAndListAndAUnionKeyIsRefused()
    {
        var unionId = Testing.AzuriteFixture.UniqueName("u");
        var campaignId = Testing.AzuriteFixture.UniqueName("c");

        var union = await app.RunAsync(null, CliOrganiserTestApp.AdminSecret, "admin", "unions", "add", unionId, "--name", "Oil workers");
        var campaign = await app.RunAsync(
            null, CliOrganiserTestApp.AdminSecret, "admin", "campaigns", "add", campaignId, "--name", "Free them", "--help-contact", "help@example.org", "--default-language", "kk",
            "--owner", unionId);
        var listed = await app.RunAsync(null, CliOrganiserTestApp.AdminSecret, "admin", "campaigns", "list");
        var member = await app.NewUnionAsync();
        var refused = await app.RunAsync(null, member.AdminKey, "admin", "campaigns", "list");

        union.ExitCode.Should().Be(ExitCodes.Success, union.ToString());
        union.Out.Should().Contain($"Created union '{unionId}' (Oil workers).");
        (await app.Membership.GetUnionAsync(Core.Contacts.UnionId.Parse(unionId))).Should().NotBeNull();
        campaign.ExitCode.Should().Be(ExitCodes.Success, campaign.ToString());
        campaign.Out.Should().Contain($"Created campaign '{campaignId}' (Free them, default language kk), owned by '{unionId}'.");
        listed.ExitCode.Should().Be(ExitCodes.Success, listed.ToString());
        listed.Out.Should().MatchRegex($@"│\s*{campaignId}\s*│\s*Free them\s*│\s*{unionId}\s*│\s*no\s*│\s*help@example.org\s*│\s*kk\s*│");
        refused.ExitCode.Should().Be(ExitCodes.AccessDenied, refused.ToString());
    }

    [Fact]
    public async Task CampaignMembership_OwnerInvitesTheOtherUnionJoinsAndSubscribes_WhileAnUninvitedUnionCannot()
    {
        var owner = await app.NewUnionAsync();
        var other = await app.NewUnionAsync();
        var uninvited = await app.NewUnionAsync();
        var campaign = await app.NewCampaignAsync(owner);

        var refusedFirst = await app.RunAsync(other.UnionId, other.AdminKey, "subscriptions", "add", campaign);
        var invite = await app.RunAsync(owner.UnionId, owner.AdminKey, "campaigns", "invite", campaign, other.UnionId);
        var join = await app.RunAsync(other.UnionId, other.AdminKey, "campaigns", "join", campaign);
        var subscribe = await app.RunAsync(other.UnionId, other.AdminKey, "subscriptions", "add", campaign);
        var members = await app.RunAsync(owner.UnionId, owner.AdminKey, "campaigns", "members", campaign);
        var uninvitedTries = await app.RunAsync(uninvited.UnionId, uninvited.AdminKey, "subscriptions", "add", campaign);
        var list = await app.RunAsync(other.UnionId, other.OrganiserKey, "campaigns", "list");

        refusedFirst.ExitCode.Should().Be(ExitCodes.NotFound, refusedFirst.ToString());
        invite.ExitCode.Should().Be(ExitCodes.Success, invite.ToString());
        invite.Out.Should().Contain($"Invited union '{other.UnionId}'");
        join.Out.Should().Contain($"Joined '{campaign}'");
        subscribe.ExitCode.Should().Be(ExitCodes.Success, subscribe.ToString());
        members.Out.Should().MatchRegex($@"│\s*{other.UnionId}\s*│\s*approved\s*│\s*yes\s*│");
        uninvitedTries.ExitCode.Should().Be(ExitCodes.NotFound, uninvitedTries.ToString());
        list.Out.Should().MatchRegex($@"│\s*{campaign}\s*│[^│]*│\s*subscriber\s*│\s*yes\s*│\s*no\s*│");
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    [GeneratedRegex(@"\d{4}-12-16T10:00\+00:00")]
    private static partial Regex EventAtLocal();

    [GeneratedRegex(@"│\s*zhanaozen\s*│\s*anniversary\s*│\s*12-16\s*│\s*10:00\s*│\s*Europe/London\s*│\s*P7D, P1D\s*│\s*sms\s*│\s*scheduled\s*│\s*0\s*│")]
    private static partial Regex ListRow();
}
