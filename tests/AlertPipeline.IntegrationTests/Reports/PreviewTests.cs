using System.Net;
using System.Text.Json;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Messaging;

namespace AlertPipeline.IntegrationTests.Reports;

/// <summary>POST /api/unions/{union}/campaigns/{campaign}/preview against a seeded audience, and against a real fan-out.</summary>
public sealed class PreviewTests(ReportsTestApp app) : IClassFixture<ReportsTestApp>
{
    [Fact]
    public async Task Preview_SeededAudience_CountsRecipientsDuplicatesSkipsLanguagesAndCost()
    {
        var world = await SeedAsync();

        using var response = await PreviewAsync(world, ReportsTestApp.EventJson("appeal-preview"));

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var json = await ReportsTestApp.ReadJsonAsync(response);
        json.GetProperty("expired").GetBoolean().Should().BeFalse();
        json.GetProperty("partial").GetBoolean().Should().BeFalse("a small audience is read within the budget: exact");
        var audience = json.GetProperty("audience");
        audience.GetProperty("listings").GetInt32().Should().Be(8, "B's unsubscribed branch is not read");
        audience.GetProperty("branchesInAudience").GetInt32().Should().Be(3, "A's central and north, B's main");
        audience.GetProperty("branchesRead").GetInt32().Should().Be(3);
        audience.GetProperty("distinctRows").GetInt32().Should().Be(13);

        var sms = Channel(audience, "sms");
        sms.GetProperty("recipients").GetInt32().Should().Be(3, "a1 (also listed as a2), a3 (also listed as b1 in union B) and b2");
        sms.GetProperty("duplicates").GetInt32().Should().Be(2);
        Counts(sms.GetProperty("skipped")).Should().BeEquivalentTo(new Dictionary<string, int> { ["optedOut"] = 1, ["noConsent"] = 1, ["invalidNumber"] = 1 });
        var smsLanguages = sms.GetProperty("languages").EnumerateArray().ToDictionary(l => l.GetProperty("language").GetString()!);
        smsLanguages["en"].GetProperty("recipients").GetInt32().Should().Be(2, "b2 reads Russian, which falls back to the campaign's English");
        smsLanguages["kk"].GetProperty("recipients").GetInt32().Should().Be(1);
        Counts(smsLanguages["en"].GetProperty("skipped")).Should().BeEquivalentTo(new Dictionary<string, int> { ["optedOut"] = 1, ["noConsent"] = 1, ["invalidNumber"] = 1 });
        smsLanguages["kk"].GetProperty("segments").GetInt64().Should().Be(2, "the Kazakh text is UCS-2 and longer than 70 units");
        sms.GetProperty("segments").GetInt64().Should().Be(4);

        var email = Channel(audience, "email");
        email.GetProperty("recipients").GetInt32().Should().Be(3);
        email.GetProperty("duplicates").GetInt32().Should().Be(1);
        Counts(email.GetProperty("skipped")).Should().BeEquivalentTo(new Dictionary<string, int> { ["noAddress"] = 4 });

        var languages = json.GetProperty("languages").EnumerateArray().ToDictionary(l => l.GetProperty("language").GetString()!);
        languages.Keys.Should().BeEquivalentTo("en", "kk");
        var en = languages["en"].GetProperty("sms");
        en.GetProperty("encoding").GetString().Should().Be("GSM-7");
        en.GetProperty("text").GetString().Should().Be("Sample Member: the appeal is heard on 10 March 2031 at 10:00. Support: https://example.org/appeal");
        en.GetProperty("segments").GetInt32().Should().Be(1);
        en.GetProperty("characters").GetInt32().Should().Be(en.GetProperty("text").GetString()!.Length);
        var kk = languages["kk"].GetProperty("sms");
        kk.GetProperty("encoding").GetString().Should().Be("UCS-2");
        kk.GetProperty("text").GetString().Should().StartWith("Sample Member, 10.03.2031 10:00: апелляциялық");
        kk.GetProperty("segments").GetInt32().Should().Be(SmsEncoder.Analyze(kk.GetProperty("text").GetString()!).Segments).And.Be(2);
        languages["kk"].GetProperty("email").GetProperty("subject").GetString().Should().Be("Апелляция 10.03.2031");
        languages["en"].GetProperty("email").GetProperty("body").GetString().Should().StartWith("Dear Sample Member, the appeal is heard on 10 March 2031");
        languages["en"].GetProperty("recipients").GetProperty("email").GetInt32().Should().Be(3);
        languages["kk"].GetProperty("recipients").GetProperty("sms").GetInt32().Should().Be(1);

        var cost = json.GetProperty("cost");
        cost.GetProperty("segments").GetInt64().Should().Be(4);
        cost.GetProperty("pricePerSegment").GetDecimal().Should().Be(ReportsTestApp.Price);
        cost.GetProperty("currency").GetString().Should().Be("EUR");
        cost.GetProperty("estimate").GetDecimal().Should().Be(0.21m);

        var body = json.GetRawText();
        body.Should().NotContain("+4477", "no number leaves the preview").And.NotContain("@example.org").And.NotContain("Member a");
        world.B.UnionId.Value.Should().NotBeNullOrEmpty();
        body.Should().NotContain(world.B.UnionId.Value, "other unions appear only in counts");
    }

    [Fact]
    public async Task Preview_CountsEqualWhatARealFanOutWritesAndSends()
    {
        var world = await SeedAsync();
        var eventId = "appeal-equal";

        using var response = await PreviewAsync(world, ReportsTestApp.EventJson(eventId));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var json = await ReportsTestApp.ReadJsonAsync(response);

        // What send-now would enqueue: the event id qualified with the campaign, as the preview names it.
        var alertId = await app.FanOutAsync(ReportsTestApp.EventJson($"{world.CampaignId}--{eventId}", world.CampaignId));
        json.GetProperty("alertId").GetString().Should().Be(alertId.Value);
        var rows = await app.RowsAsync(alertId);
        json.GetProperty("audience").GetProperty("distinctRows").GetInt32().Should().Be(rows.Count);
        var pending = rows.Where(r => r.Status == DeliveryStatus.Pending).ToList();
        json.GetProperty("audience").GetProperty("people").GetInt32()
            .Should().Be(pending.Select(r => (r.Contact!.UnionId, r.Contact.BranchId, r.Contact.ContactId)).Distinct().Count(), "the listings that get a message");
        json.GetProperty("audience").GetProperty("branches").GetInt32()
            .Should().Be(pending.Select(r => (r.Contact!.UnionId, r.Contact.BranchId)).Distinct().Count(), "the branches that get a message");
        foreach (var channel in new[] { Core.Contacts.Channel.Sms, Core.Contacts.Channel.Email })
        {
            var preview = Channel(json.GetProperty("audience"), channel.ToWireName());
            var written = rows.Where(r => r.Channel == channel).ToList();
            preview.GetProperty("recipients").GetInt32().Should().Be(written.Count(r => r.Status == DeliveryStatus.Pending));
            Counts(preview.GetProperty("skipped")).Should().BeEquivalentTo(
                written.Where(r => r.Status == DeliveryStatus.Skipped).GroupBy(r => r.SkipReason!.Value)
                    .ToDictionary(g => char.ToLowerInvariant(g.Key.ToString()[0]) + g.Key.ToString()[1..], g => g.Count()));
        }

        await app.SendAllAsync(alertId);
        var sent = await app.RowsAsync(alertId);
        sent.Where(r => r.Channel == Core.Contacts.Channel.Sms).Sum(r => r.Segments ?? 0)
            .Should().Be((int)json.GetProperty("cost").GetProperty("segments").GetInt64(), "the sender's segment count is the preview's");
        sent.Where(r => r.Language is not null).GroupBy(r => (r.Channel, r.Language!.Value)).ToDictionary(g => g.Key, g => g.Count())
            .Should().BeEquivalentTo(new Dictionary<(Channel, string), int>
            {
                [(Core.Contacts.Channel.Sms, "en")] = 2,
                [(Core.Contacts.Channel.Sms, "kk")] = 1,
                [(Core.Contacts.Channel.Email, "en")] = 3,
            });
    }

    [Fact]
    public async Task Preview_BudgetRunsOut_AnswersPartialWithLowerBoundsAndTheSamples()
    {
        var world = await SeedAsync();
        var (connectionString, prefix) = app.Storage;
        // A budget of 0: the audience is not read at all, the clearest "ran out" there is on a real store.
        await using var hurried = TestFunctionApps.Create(connectionString, prefix, new Dictionary<string, string> { ["Reports:PreviewBudget"] = "00:00:00" });
        using var client = hurried.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{world.A.Base}/campaigns/{world.CampaignId}/preview", UriKind.Relative))
        {
            Content = ReportsTestApp.Json(ReportsTestApp.EventJson("appeal-hurried")),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("ApiKey", world.A.OrganiserKey);

        using var response = await client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var json = await ReportsTestApp.ReadJsonAsync(response);
        json.GetProperty("partial").GetBoolean().Should().BeTrue();
        var audience = json.GetProperty("audience");
        audience.GetProperty("people").GetInt32().Should().Be(0, "nothing was read: a lower bound, never a guess");
        audience.GetProperty("branchesRead").GetInt32().Should().Be(0);
        json.GetProperty("languages").EnumerateArray().Select(l => l.GetProperty("language").GetString()).Should().BeEquivalentTo(["en", "kk"], "the samples need no reading");
        json.GetProperty("cost").GetProperty("segments").GetInt64().Should().Be(0);
    }

    [Fact]
    public async Task Preview_CampaignIdInBodyDiffersFromRoute_Answers400NamingIt()
    {
        var world = await SeedAsync();

        using var response = await PreviewAsync(world, ReportsTestApp.EventJson("appeal-x", Core.Contacts.CampaignId.Parse("another-campaign")));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("campaignId");
    }

    [Fact]
    public async Task Preview_InvalidEvent_Answers400WithJsonPaths()
    {
        var world = await SeedAsync();

        using var response = await PreviewAsync(world, ReportsTestApp.EventJson("appeal-y").Replace("\"day-before\"", "\"fortnight\"", StringComparison.Ordinal));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("\"field\":\"reminder\"");
    }

    [Fact]
    public async Task Preview_UnionNotSubscribedOrAnotherUnionsKeyOrUnionAdminKey_IsRefused()
    {
        var world = await SeedAsync();
        var outsider = await app.NewUnionAsync("main");
        var path = $"{world.A.Base}/campaigns/{world.CampaignId}/preview";

        using var missing = await app.SendAsync(HttpMethod.Post, $"/api/unions/no-such-union/campaigns/{world.CampaignId}/preview", outsider.OrganiserKey, ReportsTestApp.Json(ReportsTestApp.EventJson("p")));
        using var otherUnion = await app.SendAsync(HttpMethod.Post, path, outsider.OrganiserKey, ReportsTestApp.Json(ReportsTestApp.EventJson("p")));
        using var notSubscribed = await app.SendAsync(HttpMethod.Post, $"{outsider.Base}/campaigns/{world.CampaignId}/preview", outsider.OrganiserKey, ReportsTestApp.Json(ReportsTestApp.EventJson("p")));
        using var admin = await app.SendAsync(HttpMethod.Post, path, world.A.AdminKey, ReportsTestApp.Json(ReportsTestApp.EventJson("p")));

        missing.StatusCode.Should().Be(HttpStatusCode.NotFound);
        var expected = await missing.Content.ReadAsByteArrayAsync();
        (await otherUnion.Content.ReadAsByteArrayAsync()).Should().Equal(expected);
        (await notSubscribed.Content.ReadAsByteArrayAsync()).Should().Equal(expected);
        admin.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    private Task<HttpResponseMessage> PreviewAsync(PreviewWorld world, string eventJson) =>
        app.SendAsync(HttpMethod.Post, $"{world.A.Base}/campaigns/{world.CampaignId}/preview", world.A.OrganiserKey, ReportsTestApp.Json(eventJson));

    private static JsonElement Channel(JsonElement audience, string channel) =>
        audience.GetProperty("channels").EnumerateArray().Single(c => c.GetProperty("channel").GetString() == channel);

    private static Dictionary<string, int> Counts(JsonElement counts) =>
        counts.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());

    /// <summary>
    /// Union A (whole union: central, north; the owner) and union B (only its branch main) subscribe to a new campaign (default en).
    /// a2 is a1 again (same number and email) in another branch; b1 is a3 again in union B; b3 is in B's unsubscribed branch.
    /// </summary>
    private async Task<PreviewWorld> SeedAsync()
    {
        var a = await app.NewUnionAsync("central", "north");
        var b = await app.NewUnionAsync("main", "other");
        var campaignId = await app.NewCampaignAsync(owner: a.UnionId);
        await app.SubscribeAsync(campaignId, a.UnionId);
        await app.SubscribeAsync(campaignId, b.UnionId, "main");
        await app.AddContactAsync(a.UnionId, "central", "a1", "+447700900001", "a1@example.org");
        await app.AddContactAsync(a.UnionId, "central", "a3", "+447700900003", null, language: "kk");
        await app.AddContactAsync(a.UnionId, "central", "a4", "+447700900004", "a4@example.org", smsConsent: false);
        await app.AddContactAsync(a.UnionId, "central", "a5", null, null, invalidPhone: PhoneNumberError.TooShort);
        var a6 = await app.AddContactAsync(a.UnionId, "central", "a6", "+447700900006", "a6@example.org");
        await app.OptOutAsync(a6, Core.Contacts.Channel.Sms);
        await app.AddContactAsync(a.UnionId, "north", "a2", "+447700900001", "a1@example.org");
        await app.AddContactAsync(b.UnionId, "main", "b1", "+447700900003", null, language: "kk");
        await app.AddContactAsync(b.UnionId, "main", "b2", "+447700900007", null, language: "ru");
        await app.AddContactAsync(b.UnionId, "other", "b3", "+447700900008", "b3@example.org");
        return new PreviewWorld(campaignId, a, b);
    }

    private sealed record PreviewWorld(CampaignId CampaignId, ReportsUnion A, ReportsUnion B);
}
