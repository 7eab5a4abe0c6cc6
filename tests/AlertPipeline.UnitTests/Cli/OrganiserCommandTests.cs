using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlertPipeline.Cli;

namespace AlertPipeline.UnitTests.Cli;

/// <summary>The requests the organiser and subscription commands build (method, route, body), against a recording handler.</summary>
public sealed class OrganiserCommandTests : IDisposable
{
    private const string Api = "https://alerts.example.org/api/unions/u1";
    private readonly string _folder = Directory.CreateTempSubdirectory("cli-tests-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task CampaignsList_GetsTheUnionsCampaignsWithTheKey()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json(HttpStatusCode.OK, """{"items":[{"campaignId":"free-them","name":"Free Them","subscribed":true,"role":"owner","open":false}]}"""));

        var result = await CliRunner.RunAsync(handler, "campaigns", "list");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        var request = handler.Requests.Should().ContainSingle().Subject;
        request.Method.Should().Be(HttpMethod.Get);
        request.Uri.ToString().Should().Be(Api + "/campaigns");
        request.Authorization.Should().Be("ApiKey " + CliRunner.Key);
        result.Out.Should().Contain("free-them").And.Contain("Free Them").And.Contain("yes").And.Contain("owner");
        (result.Out + result.Error).Should().NotContain(CliRunner.Key);
    }

    [Fact]
    public async Task SchedulesList_GetsTheCampaignsSchedulesAsATable()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json(HttpStatusCode.OK, """{"items":[{"scheduleId":"trial-1","eventId":"free-them--trial-1","kind":"trial","date":"2027-03-14","time":"09:30","timeZone":"Asia/Aqtau","reminders":["P7D","P1D@18:00"],"channels":["sms"],"status":"scheduled","revision":0}]}"""));

        var result = await CliRunner.RunAsync(handler, "schedules", "list", "--campaign", "free-them");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        handler.Requests.Should().ContainSingle(r => r.Method == HttpMethod.Get && r.Uri.ToString() == Api + "/campaigns/free-them/schedules");
        result.Out.Should().MatchRegex(@"│\s*trial-1\s*│\s*trial\s*│\s*2027-03-14\s*│\s*09:30\s*│\s*Asia/Aqtau\s*│\s*P7D, P1D@18:00\s*│\s*sms\s*│\s*scheduled\s*│\s*0\s*│");
    }

    [Fact]
    public async Task SchedulesShow_GetsOneSchedule()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json(HttpStatusCode.OK, """{"scheduleId":"trial-1","eventId":"free-them--trial-1","kind":"trial","status":"scheduled","reminders":["P1D"],"channels":["sms"],"next":[{"key":"free-them--trial-1|H20270314T093000|P1D","kind":"reminder","reminder":"P1D","fireAt":"2027-03-13T04:30:00Z","fireAtLocal":"2027-03-13T09:30+05:00","eventAtLocal":"2027-03-14T09:30+05:00"}],"records":[]}"""));

        var result = await CliRunner.RunAsync(handler, "schedules", "show", "trial-1", "--campaign", "free-them");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        handler.Requests.Should().ContainSingle(r => r.Method == HttpMethod.Get && r.Uri.ToString() == Api + "/campaigns/free-them/schedules/trial-1");
        result.Out.Should().Contain("free-them--trial-1").And.Contain("next").And.Contain("2027-03-13T04:30:00Z").And.Contain("2027-03-13T09:30+05:00");
    }

    [Fact]
    public async Task SchedulesCreate_PostsTheFilesJson()
    {
        const string Schedule = """{"scheduleId":"trial-1","kind":"trial","hearing":"2027-03-14T09:30","timeZone":"Asia/Aqtau"}""";
        var file = WriteFile("schedule.json", Schedule);
        var handler = new RecordingHandler(_ => RecordingHandler.Json(HttpStatusCode.Created, """{"scheduleId":"trial-1"}"""));

        var result = await CliRunner.RunAsync(handler, "schedules", "create", "--campaign", "free-them", "--file", file);

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        var request = handler.Requests.Should().ContainSingle().Subject;
        request.Method.Should().Be(HttpMethod.Post);
        request.Uri.ToString().Should().Be(Api + "/campaigns/free-them/schedules");
        request.ContentType.Should().Be("application/json");
        JsonNode.DeepEquals(JsonNode.Parse(request.Body), JsonNode.Parse(Schedule)).Should().BeTrue(request.Body);
    }

    [Fact]
    public async Task SchedulesCreate_MalformedFile_NamesTheOptionAndSendsNothing()
    {
        var file = WriteFile("schedule.json", """{"scheduleId": "trial-1",""");
        var handler = new RecordingHandler();

        var result = await CliRunner.RunAsync(handler, "schedules", "create", "--campaign", "free-them", "--file", file);

        result.ExitCode.Should().Be(ExitCodes.Usage);
        result.Error.Should().Contain("--file").And.Contain("schedule.json").And.Contain("not valid JSON");
        handler.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task SchedulesCreate_MissingFile_NamesTheOption()
    {
        var handler = new RecordingHandler();

        var result = await CliRunner.RunAsync(handler, "schedules", "create", "--campaign", "free-them", "--file", Path.Combine(_folder, "nope.json"));

        result.ExitCode.Should().Be(ExitCodes.Usage);
        result.Error.Should().Contain("--file").And.Contain("does not exist");
        handler.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task SchedulesPostpone_PostsTheHearingAndNotify()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json(HttpStatusCode.OK, """{"scheduleId":"trial-1"}"""));

        var result = await CliRunner.RunAsync(handler, "schedules", "postpone", "trial-1", "--campaign", "free-them", "--hearing", "2027-03-14T09:30", "--notify");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        var request = handler.Requests.Should().ContainSingle().Subject;
        request.Method.Should().Be(HttpMethod.Post);
        request.Uri.ToString().Should().Be(Api + "/campaigns/free-them/schedules/trial-1:postpone");
        JsonNode.DeepEquals(JsonNode.Parse(request.Body), JsonNode.Parse("""{"hearing":"2027-03-14T09:30","notify":true}""")).Should().BeTrue(request.Body);
    }

    [Fact]
    public async Task SchedulesPostpone_BadHearing_NamesTheOptionAndSendsNothing()
    {
        var handler = new RecordingHandler();

        var result = await CliRunner.RunAsync(handler, "schedules", "postpone", "trial-1", "--campaign", "free-them", "--hearing", "14/03/2027");

        result.ExitCode.Should().Be(ExitCodes.Usage);
        result.Error.Should().Contain("--hearing");
        handler.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task SchedulesCancel_WithoutNotify_PostsNotifyFalse()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json(HttpStatusCode.OK, """{"scheduleId":"trial-1","status":"cancelled","change":{"withdrawn":[{"key":"k"}],"alreadyFired":[],"pending":[],"skipped":[],"notice":null}}"""));

        var result = await CliRunner.RunAsync(handler, "schedules", "cancel", "trial-1", "--campaign", "free-them");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        var request = handler.Requests.Should().ContainSingle().Subject;
        request.Uri.ToString().Should().Be(Api + "/campaigns/free-them/schedules/trial-1:cancel");
        JsonNode.DeepEquals(JsonNode.Parse(request.Body), JsonNode.Parse("""{"notify":false}""")).Should().BeTrue(request.Body);
        result.Out.Should().Contain("cancelled").And.Contain("change: 1 withdrawn, 0 already fired");
    }

    [Fact]
    public async Task Preview_PostsTheEventAndShowsLanguagesAndCost()
    {
        const string Event = """{"eventId":"hearing-2027","kind":"trial","templates":{"en":"t1"}}""";
        var file = WriteFile("event.json", Event);
        var handler = new RecordingHandler(_ => RecordingHandler.Json(HttpStatusCode.OK, """
            {"languages":[{"language":"kk","recipients":12,"sms":{"text":"Сот отырысы","encoding":"UCS-2","segments":2,"characters":80},"email":{"subject":"Hearing","body":"..."}}],
             "audience":{"contacts":12},"cost":{"segments":24,"pricePerSegment":0.05,"currency":"USD","estimate":1.2}}
            """));

        var result = await CliRunner.RunAsync(handler, "preview", "--campaign", "free-them", "--file", file);

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        var request = handler.Requests.Should().ContainSingle().Subject;
        request.Method.Should().Be(HttpMethod.Post);
        request.Uri.ToString().Should().Be(Api + "/campaigns/free-them/preview");
        JsonNode.DeepEquals(JsonNode.Parse(request.Body), JsonNode.Parse(Event)).Should().BeTrue();
        result.Out.Should().Contain("UCS-2").And.Contain("Сот отырысы").And.Contain("estimate").And.Contain("1.2");
    }

    [Fact]
    public async Task Preview_Partial_SaysTheFiguresAreLowerBoundsAndHowManyBranchesWereRead()
    {
        var file = WriteFile("event.json", """{"eventId":"hearing-2027","kind":"trial","templates":{"en":"t1"}}""");
        var handler = new RecordingHandler(_ => RecordingHandler.Json(HttpStatusCode.OK, """
            {"partial":true,"languages":[{"language":"en","recipients":{"sms":40},"sms":{"text":"Hearing","encoding":"GSM-7","segments":1,"characters":7}}],
             "audience":{"listings":40,"distinctRows":40,"people":40,"branches":2,"branchesRead":2,"branchesInAudience":9,"channels":[]},
             "cost":{"segments":40,"pricePerSegment":0.05,"currency":"USD","estimate":2}}
            """));

        var result = await CliRunner.RunAsync(handler, "preview", "--campaign", "free-them", "--file", file);

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        result.Out.Should().Contain("PARTIAL").And.Contain("2 of 9 branch(es) read").And.Contain("lower bound");
    }

    [Fact]
    public async Task Send_PostsTheEventToAlertsAndPrintsTheAlertId()
    {
        const string Event = """{"eventId":"hearing-2027","kind":"trial"}""";
        var file = WriteFile("event.json", Event);
        var handler = new RecordingHandler(_ => RecordingHandler.Json(HttpStatusCode.Accepted, """{"alertId":"a1b2c3","eventId":"hearing-2027"}"""));

        var result = await CliRunner.RunAsync(handler, "send", "--campaign", "free-them", "--file", file);

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        var request = handler.Requests.Should().ContainSingle().Subject;
        request.Method.Should().Be(HttpMethod.Post);
        request.Uri.ToString().Should().Be(Api + "/campaigns/free-them/alerts");
        JsonNode.DeepEquals(JsonNode.Parse(request.Body), JsonNode.Parse(Event)).Should().BeTrue();
        result.Out.Should().Contain("a1b2c3");
    }

    [Fact]
    public async Task Send_Json_PrintsTheAnswerAsJson()
    {
        var file = WriteFile("event.json", """{"eventId":"e1"}""");
        var handler = new RecordingHandler(_ => RecordingHandler.Json(HttpStatusCode.Accepted, """{"alertId":"a1","eventId":"e1"}"""));

        var result = await CliRunner.RunAsync(handler, "send", "--campaign", "free-them", "--file", file, "--json");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        JsonDocument.Parse(result.Out).RootElement.GetProperty("alertId").GetString().Should().Be("a1");
    }

    [Fact]
    public async Task Report_GetsTheAlertsReport()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json(HttpStatusCode.OK, """{"alertId":"a1","delivered":10,"failed":1}"""));

        var result = await CliRunner.RunAsync(handler, "report", "a1");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        handler.Requests.Should().ContainSingle(r => r.Method == HttpMethod.Get && r.Uri.ToString() == Api + "/alerts/a1/report");
        result.Out.Should().Contain("delivered").And.Contain("10");
    }

    [Theory]
    [InlineData(false, "counts as of 2026-12-04T22:00:00Z")]
    [InlineData(true, "STILL COUNTING (started 2026-12-04T22:00:00Z)")]
    public async Task Report_SaysWhenTheCountsAreFromAndWhetherTheyArePartial(bool partial, string expected)
    {
        var body = $$"""{"alertId":"a1","eventId":"e1","campaignId":"c1","unionId":"u1","receivedAt":"2026-12-04T21:00:00Z","rows":3,"asOf":"2026-12-04T22:00:00Z","partial":{{(partial ? "true" : "false")}},"channels":[{"channel":"sms","total":3,"byStatus":{"sent":3},"failures":[],"skipped":{},"segments":3}]}""";
        var handler = new RecordingHandler(_ => RecordingHandler.Json(HttpStatusCode.OK, body));

        var result = await CliRunner.RunAsync(handler, "report", "a1");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        result.Out.Should().Contain(expected).And.Contain("sent 3");
    }

    [Theory]
    [InlineData(true, "DISPATCH INCOMPLETE: 2 dispatch batch(es) stayed poisoned")]
    [InlineData(false, null)]
    public async Task Report_SaysWhenDispatchBatchesStayedPoisoned(bool incomplete, string? expected)
    {
        var body = $$"""{"alertId":"a1","eventId":"e1","campaignId":"c1","unionId":"u1","receivedAt":"2026-12-04T21:00:00Z","rows":3,"asOf":"2026-12-04T22:00:00Z","partial":false,"fanOut":{"incomplete":false,"chunksRedriven":0,"chunksPoisoned":0},"dispatch":{"incomplete":{{(incomplete ? "true" : "false")}},"batchesRedriven":1,"batchesPoisoned":{{(incomplete ? 2 : 0)}}},"channels":[{"channel":"sms","total":3,"byStatus":{"pending":3},"failures":[],"skipped":{},"segments":0}]}""";
        var handler = new RecordingHandler(_ => RecordingHandler.Json(HttpStatusCode.OK, body));

        var result = await CliRunner.RunAsync(handler, "report", "a1");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        if (expected is null)
        {
            result.Out.Should().NotContain("INCOMPLETE");
        }
        else
        {
            result.Out.Should().Contain(expected).And.Contain("redrive-fanout a1").And.NotContain("FAN-OUT INCOMPLETE");
        }
    }

    [Theory]
    [InlineData(true, 0, "STATUS CALLBACKS INCOMPLETE: 2 status callback(s) stayed poisoned (TooManyDeliveries)")]
    [InlineData(false, 3, "3 malformed status callback(s) stay on sms-status-poison (MalformedMessage; never re-driven)")]
    [InlineData(false, 0, null)]
    public async Task Report_SaysWhenStatusCallbacksStayedPoisonedAndWhy(bool incomplete, int malformed, string? expected)
    {
        var body = $$"""{"alertId":"a1","eventId":"e1","campaignId":"c1","unionId":"u1","receivedAt":"2026-12-04T21:00:00Z","rows":3,"asOf":"2026-12-04T22:00:00Z","partial":false,"fanOut":{"incomplete":false,"chunksRedriven":0,"chunksPoisoned":0},"dispatch":{"incomplete":false,"batchesRedriven":0,"batchesPoisoned":0},"statusCallbacks":{"incomplete":{{(incomplete ? "true" : "false")}},"redriven":1,"poisoned":{{(incomplete ? 2 : 0)}},"malformed":{{malformed}}},"channels":[{"channel":"sms","total":3,"byStatus":{"sent":3},"failures":[],"skipped":{},"segments":3}]}""";
        var handler = new RecordingHandler(_ => RecordingHandler.Json(HttpStatusCode.OK, body));

        var result = await CliRunner.RunAsync(handler, "report", "a1");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        if (expected is null)
        {
            result.Out.Should().NotContain("INCOMPLETE").And.NotContain("malformed");
        }
        else
        {
            result.Out.Should().Contain(expected).And.NotContain("DISPATCH INCOMPLETE");
            if (incomplete)
            {
                result.Out.Should().Contain("redrive-fanout a1").And.NotContain("malformed status");
            }
        }
    }

    [Fact]
    public async Task RedriveFanOut_SaysHowManyChunksBatchesAndStatusesGoBack()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json(HttpStatusCode.Accepted, """{"alertId":"a1","unionId":"u1","chunksToRedrive":1,"batchesToRedrive":3,"statusesToRedrive":2}"""));

        var result = await CliRunner.RunAsync(handler, "redrive-fanout", "a1");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        handler.Requests.Should().ContainSingle(r => r.Method == HttpMethod.Post && r.Uri.ToString() == Api + "/alerts/a1/fanout/redrive");
        result.Out.Should().Contain("1 chunk(s), 3 dispatch batch(es) and 2 status callback(s) will be re-driven");
    }

    [Fact]
    public async Task ReportCsv_AsksForCsvAndWritesTheFile()
    {
        const string Csv = "channel,recipient,status\nsms,+44•••0123,Delivered\n";
        var handler = new RecordingHandler(_ => RecordingHandler.Json(HttpStatusCode.OK, Csv, "text/csv"));
        var target = Path.Combine(_folder, "out.csv");

        var result = await CliRunner.RunAsync(handler, "report", "a1", "--csv", target);

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        var request = handler.Requests.Should().ContainSingle().Subject;
        request.Uri.ToString().Should().Be(Api + "/alerts/a1/report?format=csv");
        request.Accept.Should().Contain("text/csv");
        (await File.ReadAllTextAsync(target)).Should().Be(Csv);
        Directory.GetFiles(_folder).Should().ContainSingle("no partial file is left behind");
    }

    [Fact]
    public async Task ReportCsv_Refused_LeavesNoFile()
    {
        var handler = new RecordingHandler(_ => Problem(HttpStatusCode.NotFound, "Not Found", "No such resource."));
        var target = Path.Combine(_folder, "out.csv");

        var result = await CliRunner.RunAsync(handler, "report", "a1", "--csv", target);

        result.ExitCode.Should().Be(ExitCodes.NotFound);
        Directory.GetFiles(_folder).Should().BeEmpty();
    }

    [Theory]
    [InlineData("add", null, "PUT", "/subscriptions/free-them")]
    [InlineData("add", "north", "PUT", "/branches/north/subscriptions/free-them")]
    [InlineData("remove", null, "DELETE", "/subscriptions/free-them")]
    [InlineData("remove", "north", "DELETE", "/branches/north/subscriptions/free-them")]
    public async Task Subscriptions_AddAndRemove_UseTheUnionOrBranchRoute(string verb, string? branch, string method, string route)
    {
        var handler = new RecordingHandler(_ => new HttpResponseMessage(HttpStatusCode.NoContent));
        string[] args = branch is null ? ["subscriptions", verb, "free-them"] : ["subscriptions", verb, "free-them", "--branch", branch];

        var result = await CliRunner.RunAsync(handler, args);

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        var request = handler.Requests.Should().ContainSingle().Subject;
        request.Method.Method.Should().Be(method);
        request.Uri.ToString().Should().Be(Api + route);
    }

    [Fact]
    public async Task SubscriptionsList_ShowsUnionAndBranchSubscriptions()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json(HttpStatusCode.OK, """{"items":[{"campaignId":"free-them","branchId":null},{"campaignId":"pay-now","branchId":"north"}]}"""));

        var result = await CliRunner.RunAsync(handler, "subscriptions", "list");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        handler.Requests.Should().ContainSingle(r => r.Method == HttpMethod.Get && r.Uri.ToString() == Api + "/subscriptions");
        result.Out.Should().Contain("(whole union)").And.Contain("pay-now").And.Contain("north");
    }

    [Fact]
    public async Task ContactsErase_WithYes_PostsToTheEraseRoute()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json(HttpStatusCode.OK, """{"deliveryRowsScrubbed":3,"contactDeleted":true}"""));

        var result = await CliRunner.RunAsync(handler, "contacts", "erase", "c1", "--branch", "north", "--yes");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        var request = handler.Requests.Should().ContainSingle().Subject;
        request.Method.Should().Be(HttpMethod.Post);
        request.Uri.ToString().Should().Be(Api + "/branches/north/contacts/c1:erase");
        result.Out.Should().Contain("Erased contact 'c1'; scrubbed 3 delivery row(s).");
    }

    [Fact]
    public async Task ContactsErase_WithoutYesOnAPipe_SendsNothing()
    {
        var handler = new RecordingHandler();

        var result = await CliRunner.RunAsync(handler, "contacts", "erase", "c1", "--branch", "north");

        result.ExitCode.Should().Be(ExitCodes.Usage);
        result.Error.Should().Contain("--yes");
        handler.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task AdminUnionsAdd_PostsToUnionsWithoutAUnionOption()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json(HttpStatusCode.Created, """{"unionId":"kz-oil","name":"Oil"}"""));

        var result = await CliRunner.RunAsync(handler, environment: null, "admin", "unions", "add", "kz-oil", "--name", "Oil", "--api-url", "https://alerts.example.org", "--key", CliRunner.Key);

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        var request = handler.Requests.Should().ContainSingle().Subject;
        request.Uri.ToString().Should().Be("https://alerts.example.org/api/unions");
        JsonNode.DeepEquals(JsonNode.Parse(request.Body), JsonNode.Parse("""{"unionId":"kz-oil","name":"Oil"}""")).Should().BeTrue(request.Body);
    }

    [Fact]
    public async Task AdminCampaignsAdd_PostsTheOwnerAndOpen()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json(
            HttpStatusCode.Created, """{"campaignId":"free-them","name":"Free Them","helpContact":"help@example.org","defaultLanguage":"en","ownerUnionId":"kz-oil","open":false}"""));

        var result = await CliRunner.RunAsync(
            handler, environment: null, "admin", "campaigns", "add", "free-them", "--name", "Free Them", "--help-contact", "help@example.org", "--owner", "kz-oil",
            "--api-url", "https://alerts.example.org", "--key", CliRunner.Key);

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        var request = handler.Requests.Should().ContainSingle().Subject;
        request.Uri.ToString().Should().Be("https://alerts.example.org/api/campaigns");
        JsonNode.DeepEquals(JsonNode.Parse(request.Body), JsonNode.Parse(
            """{"campaignId":"free-them","name":"Free Them","helpContact":"help@example.org","defaultLanguage":"en","ownerUnionId":"kz-oil","open":false}""")).Should().BeTrue(request.Body);
        result.Out.Should().Contain("owned by 'kz-oil'");
    }

    [Fact]
    public async Task AdminCampaignsAdd_WithoutOwner_IsAUsageErrorAndSendsNothing()
    {
        var handler = new RecordingHandler();

        var result = await CliRunner.RunAsync(
            handler, environment: null, "admin", "campaigns", "add", "free-them", "--name", "Free Them", "--help-contact", "help@example.org",
            "--api-url", "https://alerts.example.org", "--key", CliRunner.Key);

        result.ExitCode.Should().Be(ExitCodes.Usage);
        result.Error.Should().Contain("--owner");
        handler.Requests.Should().BeEmpty();
    }

    [Theory]
    [InlineData(new[] { "campaigns", "invite", "free-them", "uk-energy" }, "PUT", "/campaigns/free-them/members/uk-energy")]
    [InlineData(new[] { "campaigns", "approve", "free-them", "uk-energy" }, "PUT", "/campaigns/free-them/members/uk-energy")]
    [InlineData(new[] { "campaigns", "join", "free-them" }, "PUT", "/campaigns/free-them/membership")]
    public async Task CampaignMembership_AdmitAndJoin_PutTheMemberOrMembershipRoute(string[] args, string method, string route)
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json(HttpStatusCode.OK, """{"campaignId":"free-them","unionId":"uk-energy","state":"approved","subscribed":false}"""));

        var result = await CliRunner.RunAsync(handler, args);

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        var request = handler.Requests.Should().ContainSingle().Subject;
        request.Method.Method.Should().Be(method);
        request.Uri.ToString().Should().Be(Api + route);
        result.Out.Should().Contain("free-them");
    }

    [Theory]
    [InlineData(new[] { "campaigns", "remove", "free-them", "uk-energy" }, "DELETE", "/campaigns/free-them/members/uk-energy")]
    [InlineData(new[] { "campaigns", "leave", "free-them" }, "DELETE", "/campaigns/free-them/membership")]
    [InlineData(new[] { "campaigns", "open", "free-them" }, "PUT", "/campaigns/free-them/open")]
    [InlineData(new[] { "campaigns", "close", "free-them" }, "DELETE", "/campaigns/free-them/open")]
    public async Task CampaignMembership_RemoveLeaveOpenClose_UseTheirRoutes(string[] args, string method, string route)
    {
        var handler = new RecordingHandler(_ => new HttpResponseMessage(HttpStatusCode.NoContent));

        var result = await CliRunner.RunAsync(handler, args);

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        var request = handler.Requests.Should().ContainSingle().Subject;
        request.Method.Method.Should().Be(method);
        request.Uri.ToString().Should().Be(Api + route);
    }

    [Fact]
    public async Task CampaignMembers_ListsEachUnionsState()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json(HttpStatusCode.OK,
            """{"items":[{"campaignId":"free-them","unionId":"uk-energy","state":"requested","subscribed":false},{"campaignId":"free-them","unionId":"us-refinery","state":null,"subscribed":true}]}"""));

        var result = await CliRunner.RunAsync(handler, "campaigns", "members", "free-them");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        handler.Requests.Should().ContainSingle(r => r.Method == HttpMethod.Get && r.Uri.ToString() == Api + "/campaigns/free-them/members");
        result.Out.Should().Contain("uk-energy").And.Contain("requested").And.Contain("us-refinery").And.Contain("(subscribed)");
    }

    [Fact]
    public async Task Ids_AreEscapedIntoOneSegment()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json(HttpStatusCode.OK, "{}"));

        await CliRunner.RunAsync(handler, "report", "../keys");

        handler.Requests.Should().ContainSingle().Which.Uri.AbsolutePath.Should().Be("/api/unions/u1/alerts/..%2Fkeys/report");
    }

    private string WriteFile(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    internal static HttpResponseMessage Problem(HttpStatusCode status, string title, string detail, string? errors = null) =>
        RecordingHandler.Json(
            status,
            $$"""{"type":"https://httpstatuses.io/{{(int)status}}","title":"{{title}}","status":{{(int)status}},"detail":"{{detail}}"{{(errors is null ? "" : ",\"errors\":" + errors)}}}""",
            "application/problem+json");
}
