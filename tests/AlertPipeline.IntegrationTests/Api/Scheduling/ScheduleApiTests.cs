using System.Net;
using System.Text.Json;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Scheduling;
using AlertPipeline.Core.Scheduling.Ports;
using NodaTime;

namespace AlertPipeline.IntegrationTests.Api.Scheduling;

/// <summary>Schedules over HTTP: create (with the next occurrences), list, get, postpone and cancel, on Azurite.</summary>
public sealed class ScheduleApiTests(SchedulingApiTestApp app) : IClassFixture<SchedulingApiTestApp>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Create_ZhanaozenAnniversary_Answers201WithTheNextOccurrencesInUtcAndLocalTime()
    {
        var (union, campaign) = await SetUpAsync();

        using var response = await app.SendAsync(HttpMethod.Post, Schedules(union, campaign), union.OrganiserKey, SchedulingApiTestApp.Anniversary());

        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        response.Headers.Location!.ToString().Should().Be($"{Schedules(union, campaign)}/zhanaozen");
        var schedule = await ApiTestApp.ReadJsonAsync(response);
        schedule.GetProperty("scheduleId").GetString().Should().Be("zhanaozen");
        schedule.GetProperty("eventId").GetString().Should().Be($"{campaign}--zhanaozen");
        schedule.GetProperty("date").GetString().Should().Be("12-16");
        schedule.GetProperty("expiresAfterEvent").GetString().Should().Be("06:00:00");
        schedule.GetProperty("templates").GetProperty("en").GetProperty("sms").GetString().Should().StartWith("Remember {{place}}");
        var next = schedule.GetProperty("next").EnumerateArray().Take(3)
            .Select(o => (o.GetProperty("key").GetString(), o.GetProperty("fireAt").GetString(), o.GetProperty("fireAtLocal").GetString(), o.GetProperty("eventAtLocal").GetString()));
        next.Should().Equal(
            ($"{campaign}--zhanaozen|Y2026|P7D", "2026-12-09T10:00:00Z", "2026-12-09T10:00+00:00", "2026-12-16T10:00+00:00"),
            ($"{campaign}--zhanaozen|Y2026|P1D", "2026-12-15T10:00:00Z", "2026-12-15T10:00+00:00", "2026-12-16T10:00+00:00"),
            ($"{campaign}--zhanaozen|Y2027|P7D", "2027-12-09T10:00:00Z", "2027-12-09T10:00+00:00", "2027-12-16T10:00+00:00"));
        var stored = await app.Schedules.GetAsync(new ScheduleId($"{campaign}--zhanaozen"));
        stored!.Schedule.Schedule.Should().BeOfType<AnniversarySchedule>().Which.EffectiveFrom.Should().Be(Instant.FromDateTimeOffset(Now));
        (await app.Audit.ReadRecentAsync(UnionId.Parse(union.UnionId))).Should().ContainSingle(e =>
            e.Status == 201 && e.Route == "/api/unions/{union}/campaigns/{campaign}/schedules" && e.Targets == $"campaign={campaign}");
    }

    [Fact]
    public async Task Create_LeapDayAnniversary_FallsOn28FebruaryInOtherYears()
    {
        var (union, campaign) = await SetUpAsync();
        var body = Body(SchedulingApiTestApp.Anniversary("leap"));
        body["date"] = "02-29";
        body["reminders"] = new[] { "P1D" };

        using var response = await app.SendAsync(HttpMethod.Post, Schedules(union, campaign), union.OrganiserKey, body);

        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var first = (await ApiTestApp.ReadJsonAsync(response)).GetProperty("next")[0];
        first.GetProperty("fireAt").GetString().Should().Be("2027-02-27T10:00:00Z");
        first.GetProperty("eventAtLocal").GetString().Should().Be("2027-02-28T10:00+00:00");
    }

    [Fact]
    public async Task Create_InvalidFields_Answers400NamingEveryOneAndStoresNothing()
    {
        var (union, campaign) = await SetUpAsync();
        var body = Body(SchedulingApiTestApp.Trial("broken"));
        body["timeZone"] = "Europe/Londn";
        body["date"] = "2027-02-29";
        body["time"] = "10:00";
        body["reminders"] = new[] { "P7D", "P0D@11:00", "P1DT2H" };
        body["templates"] = new Dictionary<string, object> { ["en"] = new { sms = "See you at {{plcae}}." } };
        body["firstYear"] = 2012;

        using var response = await app.SendAsync(HttpMethod.Post, Schedules(union, campaign), union.OrganiserKey, body);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var errors = (await ApiTestApp.ReadJsonAsync(response)).GetProperty("errors").EnumerateArray()
            .ToDictionary(e => e.GetProperty("field").GetString()!, e => e.GetProperty("message").GetString()!);
        errors.Keys.Should().BeEquivalentTo(["timeZone", "date", "reminders[1]", "reminders[2]", "templates.en.sms", "firstYear"]);
        errors["timeZone"].Should().Contain("unknown time zone 'Europe/Londn'");
        errors["date"].Should().Contain("2027 has no 29 February");
        errors["reminders[1]"].Should().Contain("after the event at 10:00");
        (await app.Schedules.GetAsync(new ScheduleId($"{campaign}--broken"))).Should().BeNull();
    }

    [Fact]
    public async Task Create_UnknownPropertyOrMissingKind_Answers400()
    {
        var (union, campaign) = await SetUpAsync();
        var misspelt = Body(SchedulingApiTestApp.Anniversary());
        misspelt["remiders"] = new[] { "P1D" };
        var noKind = Body(SchedulingApiTestApp.Anniversary());
        noKind.Remove("kind");

        using var first = await app.SendAsync(HttpMethod.Post, Schedules(union, campaign), union.OrganiserKey, misspelt);
        using var second = await app.SendAsync(HttpMethod.Post, Schedules(union, campaign), union.OrganiserKey, noKind);

        first.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ApiTestApp.ReadJsonAsync(first)).GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("remiders");
        (await ApiTestApp.ReadJsonAsync(second)).GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("kind");
    }

    [Fact]
    public async Task Create_SameIdTwiceIs409ButAnotherCampaignMayUseTheName()
    {
        var (union, campaign) = await SetUpAsync();
        var other = await app.NewUnionAsync();
        var otherCampaign = await app.NewCampaignAsync(other);

        using var first = await app.SendAsync(HttpMethod.Post, Schedules(union, campaign), union.OrganiserKey, SchedulingApiTestApp.Anniversary());
        using var again = await app.SendAsync(HttpMethod.Post, Schedules(union, campaign), union.OrganiserKey, SchedulingApiTestApp.Trial("zhanaozen"));
        using var elsewhere = await app.SendAsync(HttpMethod.Post, Schedules(other, otherCampaign), other.OrganiserKey, SchedulingApiTestApp.Anniversary());

        first.StatusCode.Should().Be(HttpStatusCode.Created);
        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
        elsewhere.StatusCode.Should().Be(HttpStatusCode.Created, "schedule ids are per campaign: a 409 must not reveal another campaign's names");
        (await app.Schedules.GetAsync(new ScheduleId($"{campaign}--zhanaozen")))!.Schedule.Schedule.Should().BeOfType<AnniversarySchedule>();
    }

    [Fact]
    public async Task List_ShowsOnlyTheCampaignsOwnSchedulesEvenWhenAnotherCampaignIdExtendsItsId()
    {
        var (union, campaign) = await SetUpAsync();
        var lookalike = campaign + "--x";
        // Stored directly: the API no longer creates campaign ids with '--', but rows written before may have them.
        await app.Membership.UpsertCampaignAsync(new Campaign(CampaignId.Parse(lookalike), "Lookalike", "help@example.org", LanguageTag.English) { OwnerUnionId = UnionId.Parse(union.UnionId) });
        await app.Membership.UpsertSubscriptionAsync(new Subscription(CampaignId.Parse(lookalike), UnionId.Parse(union.UnionId)));
        (await app.SendAsync(HttpMethod.Post, Schedules(union, campaign), union.OrganiserKey, SchedulingApiTestApp.Anniversary())).EnsureSuccessStatusCode();
        (await app.SendAsync(HttpMethod.Post, Schedules(union, campaign), union.OrganiserKey, SchedulingApiTestApp.Trial())).EnsureSuccessStatusCode();
        (await app.SendAsync(HttpMethod.Post, Schedules(union, lookalike), union.OrganiserKey, SchedulingApiTestApp.Trial("hidden"))).EnsureSuccessStatusCode();

        using var list = await app.SendAsync(HttpMethod.Get, Schedules(union, campaign), union.OrganiserKey);

        (await ApiTestApp.ReadJsonAsync(list)).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("scheduleId").GetString())
            .Should().Equal("appeal", "zhanaozen");
    }

    [Fact]
    public async Task Postpone_AppealHearingInAqtau_WithdrawsUnfiredRemindersKeepsTheFiredOneAndPlansTheNewDateWithANotice()
    {
        var (union, campaign) = await SetUpAsync();
        (await app.SendAsync(HttpMethod.Post, Schedules(union, campaign), union.OrganiserKey, SchedulingApiTestApp.Trial())).EnsureSuccessStatusCode();
        var id = new ScheduleId($"{campaign}--appeal");
        var oldWeek = OccurrenceKey.Parse($"{id}|H20270314T093000|P7D");
        (await app.Occurrences.TryRecordAsync(new OccurrenceRecord(oldWeek, OccurrenceState.Fired, Instant.FromUtc(2027, 3, 7, 4, 30), Instant.FromUtc(2027, 3, 7, 4, 30)))).Should().BeTrue();
        app.Clock.Set(new DateTimeOffset(2027, 3, 10, 0, 0, 0, TimeSpan.Zero));

        try
        {
            using var response = await app.SendAsync(HttpMethod.Post, $"{Schedules(union, campaign)}/appeal:postpone", union.OrganiserKey, new { hearing = "2027-04-04T09:30", notify = true });

            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            var schedule = await ApiTestApp.ReadJsonAsync(response);
            schedule.GetProperty("date").GetString().Should().Be("2027-04-04");
            schedule.GetProperty("revision").GetInt32().Should().Be(1);
            schedule.GetProperty("notice").GetProperty("previousHearing").GetString().Should().Be("2027-03-14T09:30");
            var change = schedule.GetProperty("change");
            Keys(change.GetProperty("withdrawn")).Should().BeEquivalentTo([$"{id}|H20270314T093000|P1D@18:00", $"{id}|H20270314T093000|P0D@07:00"]);
            change.GetProperty("alreadyFired").EnumerateArray().Select(k => k.GetString()).Should().Equal(oldWeek.Value);
            schedule.GetProperty("next").EnumerateArray().Select(o => (o.GetProperty("key").GetString(), o.GetProperty("fireAt").GetString(), o.GetProperty("fireAtLocal").GetString()))
                .Should().Equal(
                    ($"{id}|R1|MOVED", "2027-03-10T00:00:00Z", "2027-03-10T05:00+05:00"),
                    ($"{id}|H20270404T093000|P7D", "2027-03-28T04:30:00Z", "2027-03-28T09:30+05:00"),
                    ($"{id}|H20270404T093000|P1D@18:00", "2027-04-03T13:00:00Z", "2027-04-03T18:00+05:00"),
                    ($"{id}|H20270404T093000|P0D@07:00", "2027-04-04T02:00:00Z", "2027-04-04T07:00+05:00"));

            var records = (await app.Occurrences.ListAsync(id)).ToDictionary(r => r.Key.Value, r => r.State);
            records.Should().BeEquivalentTo(new Dictionary<string, OccurrenceState>
            {
                [oldWeek.Value] = OccurrenceState.Fired,
                [$"{id}|H20270314T093000|P1D@18:00"] = OccurrenceState.Withdrawn,
                [$"{id}|H20270314T093000|P0D@07:00"] = OccurrenceState.Withdrawn,
            });
            var stored = (await app.Schedules.GetAsync(id))!.Schedule.Schedule.Should().BeOfType<TrialSchedule>().Subject;
            stored.Hearing.Should().Be(new LocalDateTime(2027, 4, 4, 9, 30));
            stored.Notice!.Kind.Should().Be(OccurrenceKind.HearingMoved);

            using var detail = await app.SendAsync(HttpMethod.Get, $"{Schedules(union, campaign)}/appeal", union.OrganiserKey);
            var records2 = (await ApiTestApp.ReadJsonAsync(detail)).GetProperty("records").EnumerateArray()
                .Select(r => (r.GetProperty("key").GetString(), r.GetProperty("state").GetString())).ToList();
            records2.Should().HaveCount(3).And.Contain((oldWeek.Value, "Fired"));
            (await app.Audit.ReadRecentAsync(UnionId.Parse(union.UnionId))).Should().Contain(e =>
                e.Status == 200 && e.Route == "/api/unions/{union}/campaigns/{campaign}/schedules/{schedule}:postpone" && e.Targets == $"campaign={campaign} schedule=appeal postpone");
        }
        finally
        {
            app.Clock.Set(Now);
        }
    }

    [Fact]
    public async Task Postpone_Refusals_AnswerTheRightStatusAndChangeNothing()
    {
        var (union, campaign) = await SetUpAsync();
        (await app.SendAsync(HttpMethod.Post, Schedules(union, campaign), union.OrganiserKey, SchedulingApiTestApp.Anniversary())).EnsureSuccessStatusCode();
        (await app.SendAsync(HttpMethod.Post, Schedules(union, campaign), union.OrganiserKey, SchedulingApiTestApp.Trial("silent", notices: false))).EnsureSuccessStatusCode();
        var path = Schedules(union, campaign);

        using var anniversary = await app.SendAsync(HttpMethod.Post, $"{path}/zhanaozen:postpone", union.OrganiserKey, new { hearing = "2027-04-04T09:30", notify = false });
        using var noTemplates = await app.SendAsync(HttpMethod.Post, $"{path}/silent:postpone", union.OrganiserKey, new { hearing = "2027-04-04T09:30", notify = true });
        using var past = await app.SendAsync(HttpMethod.Post, $"{path}/silent:postpone", union.OrganiserKey, new { hearing = "2026-01-01T09:30", notify = false });
        using var missing = await app.SendAsync(HttpMethod.Post, $"{path}/silent:postpone", union.OrganiserKey, new { });
        using var unknown = await app.SendAsync(HttpMethod.Post, $"{path}/nothing-here:postpone", union.OrganiserKey, new { hearing = "2027-04-04T09:30", notify = false });
        using var seconds = await app.SendAsync(HttpMethod.Post, $"{path}/silent:postpone", union.OrganiserKey, new { hearing = "2027-04-04T09:30:15", notify = false });

        anniversary.StatusCode.Should().Be(HttpStatusCode.Conflict);
        noTemplates.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Fields(noTemplates)).Should().Equal("notify");
        past.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Fields(past)).Should().Equal("hearing");
        (await Fields(missing)).Should().BeEquivalentTo(["hearing", "notify"]);
        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Fields(seconds)).Should().Equal("hearing");
        var silent = (TrialSchedule)(await app.Schedules.GetAsync(new ScheduleId($"{campaign}--silent")))!.Schedule.Schedule;
        silent.Revision.Should().Be(0);
        (await app.Occurrences.ListAsync(silent.Id)).Should().BeEmpty();
    }

    [Fact]
    public async Task Postpone_ScheduleChangedByAnotherWriterMeanwhile_Answers409AndWritesNothingOfItsOwn()
    {
        var (union, campaign) = await SetUpAsync();
        (await app.SendAsync(HttpMethod.Post, Schedules(union, campaign), union.OrganiserKey, SchedulingApiTestApp.Trial())).EnsureSuccessStatusCode();
        var id = new ScheduleId($"{campaign}--appeal");
        app.Racing.BeforeNextReplace = async () =>
        {
            // Another organiser moves the hearing to 1 May between our read and our replace.
            var current = (await app.Racing.Inner.GetAsync(id))!;
            var moved = ((TrialSchedule)current.Schedule.Schedule).Postpone(new LocalDateTime(2027, 5, 1, 9, 30), Instant.FromDateTimeOffset(Now), new HashSet<OccurrenceKey>(), notify: false);
            (await app.Racing.Inner.TryReplaceAsync(current.Schedule.WithSchedule(moved.Schedule), current.ETag)).Should().NotBeNull();
        };

        using var response = await app.SendAsync(HttpMethod.Post, $"{Schedules(union, campaign)}/appeal:postpone", union.OrganiserKey, new { hearing = "2027-04-04T09:30", notify = true });

        response.StatusCode.Should().Be(HttpStatusCode.Conflict, await response.Content.ReadAsStringAsync());
        var stored = (TrialSchedule)(await app.Schedules.GetAsync(id))!.Schedule.Schedule;
        stored.Hearing.Should().Be(new LocalDateTime(2027, 5, 1, 9, 30), "the other writer's change stands");
        stored.Notice.Should().BeNull();
        (await app.Occurrences.ListAsync(id)).Should().BeEmpty("a refused change records no withdrawals");
        (await app.Audit.ReadRecentAsync(UnionId.Parse(union.UnionId))).Should().Contain(e => e.Status == 409);
    }

    [Fact]
    public async Task Cancel_WithdrawsEveryUnfiredReminderThenACancelledHearingCannotChange()
    {
        var (union, campaign) = await SetUpAsync();
        (await app.SendAsync(HttpMethod.Post, Schedules(union, campaign), union.OrganiserKey, SchedulingApiTestApp.Trial())).EnsureSuccessStatusCode();
        var path = $"{Schedules(union, campaign)}/appeal";

        using var cancel = await app.SendAsync(HttpMethod.Post, path + ":cancel", union.OrganiserKey, new { notify = true });
        using var again = await app.SendAsync(HttpMethod.Post, path + ":cancel", union.OrganiserKey, new { notify = false });
        using var postpone = await app.SendAsync(HttpMethod.Post, path + ":postpone", union.OrganiserKey, new { hearing = "2027-04-04T09:30", notify = false });

        cancel.StatusCode.Should().Be(HttpStatusCode.OK, await cancel.Content.ReadAsStringAsync());
        var schedule = await ApiTestApp.ReadJsonAsync(cancel);
        schedule.GetProperty("status").GetString().Should().Be("cancelled");
        Keys(schedule.GetProperty("next")).Should().Equal($"{campaign}--appeal|R1|CANCELLED");
        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
        postpone.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var records = await app.Occurrences.ListAsync(new ScheduleId($"{campaign}--appeal"));
        records.Should().HaveCount(3).And.OnlyContain(r => r.State == OccurrenceState.Withdrawn);
    }

    private static string Schedules(TestUnion union, string campaign) => $"{union.Base}/campaigns/{campaign}/schedules";

    private static Dictionary<string, object?> Body(object template) =>
        JsonSerializer.Deserialize<Dictionary<string, object?>>(JsonSerializer.Serialize(template, JsonSerializerOptions.Web))!;

    private static List<string?> Keys(JsonElement occurrences) => [.. occurrences.EnumerateArray().Select(o => o.GetProperty("key").GetString())];

    private static async Task<List<string?>> Fields(HttpResponseMessage response) =>
        [.. (await ApiTestApp.ReadJsonAsync(response)).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString())];

    private async Task<(TestUnion Union, string Campaign)> SetUpAsync()
    {
        var union = await app.NewUnionAsync();
        return (union, await app.NewCampaignAsync(union));
    }
}
