using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Testing;
using NodaTime;

namespace AlertPipeline.IntegrationTests.Persistence;

public sealed class SeedLoaderTests : PersistenceTestBase
{
    private SeedLoader Loader => new(new MembershipRepository(Tables), new OptOutRepository(Tables, Options), Hasher, TimeProvider.System);

    [Fact]
    public async Task DemoSeed_LoadsEverythingAndReportsOnlyTheInvalidNumber()
    {
        var report = await Loader.LoadFileAsync(RepositoryPaths.Combine("demo", "seed.json"));

        report.Errors.Should().BeEmpty();
        report.Warnings.Should().ContainSingle().Which.Path.Should().MatchRegex(@"^contacts\[\d+\]\.phone$");
        report.Should().Match<SeedReport>(r => r.Unions == 3 && r.Branches == 7 && r.Campaigns == 1 && r.Subscriptions == 3 && r.Contacts == 50 && r.OptOuts == 1);
        var membership = new MembershipRepository(Tables);
        var campaign = await membership.GetCampaignAsync(CampaignId.Parse("justice-kz-oil-workers"));
        campaign!.Name.Should().Be("Justice for Kazakhstan's Oil Workers");
        campaign.OwnerUnionId.Should().Be(UnionId.Parse("kz-oil-workers"), "the demo campaign has an owner");
        campaign.IsOpen.Should().BeFalse();
        var aqtau = await membership.GetContactsPageAsync(UnionId.Parse("kz-oil-workers"), BranchId.Parse("aqtau"), 100, null);
        aqtau.Contacts.Should().HaveCount(8).And.OnlyContain(c => c.Contact.Phone != null && c.Contact.TimeZone.Id == "Asia/Aqtau");
        var tom = await membership.GetContactAsync(UnionId.Parse("uk-energy-workers"), BranchId.Parse("london"), ContactId.Parse("tom-hughes"));
        tom!.Should().Match<ContactEntry>(c => c.Contact.Phone == null && c.InvalidPhone == PhoneNumberError.InvalidLengthForCountry && c.Contact.Email != null);
        (await new OptOutRepository(Tables, Options).IsOptedOutAsync(Hasher.Hash(PhoneNumber.Parse("+447700900102")), Channel.Sms)).Should().BeTrue();
    }

    [Fact]
    public async Task DemoSeed_LoadedTwice_ChangesNothing()
    {
        await Loader.LoadFileAsync(RepositoryPaths.Combine("demo", "seed.json"));
        var before = await SnapshotAsync();

        await Loader.LoadFileAsync(RepositoryPaths.Combine("demo", "seed.json"));

        (await SnapshotAsync()).Should().BeEquivalentTo(before);
    }

    [Fact]
    public async Task Seed_BadRecords_ReportedByIndexAndFieldAndTheRestStored()
    {
        const string json = """
            {
              "unions": [ { "unionId": "kz-oil", "name": "Mangystau Oil Workers" }, { "unionId": "KZ", "name": "bad id" } ],
              "branches": [ { "unionId": "kz-oil", "branchId": "aqtau", "name": "Aqtau" }, { "unionId": "nope", "branchId": "x", "name": "X" } ],
              "campaigns": [ { "campaignId": "c1", "name": "C", "helpContact": "help@example.org", "defaultLanguage": "e", "ownerUnionId": "kz-oil" },
                             { "campaignId": "c2", "name": "No owner", "helpContact": "help@example.org", "defaultLanguage": "en" },
                             { "campaignId": "c3", "name": "Unknown owner", "helpContact": "help@example.org", "defaultLanguage": "en", "ownerUnionId": "nope" } ],
              "subscriptions": [ { "campaignId": "c1", "unionId": "kz-oil" } ],
              "contacts": [
                { "unionId": "kz-oil", "branchId": "aqtau", "contactId": "ok", "name": "Ok", "phone": "+447700900101", "language": "ru", "timeZone": "Asia/Aqtau" },
                { "unionId": "kz-oil", "branchId": "aqtau", "contactId": "zone", "name": "Z", "phone": "+447700900102", "language": "ru", "timeZone": "Asia/Aktau" },
                { "unionId": "kz-oil", "branchId": "aqtau", "contactId": "mail", "name": "M", "email": "not an email", "language": "ru", "timeZone": "Asia/Aqtau" },
                { "unionId": "kz-oil", "branchId": "x", "contactId": "orphan", "name": "O", "phone": "+447700900103", "language": "ru", "timeZone": "Asia/Aqtau" },
                { "unionId": "kz-oil", "branchId": "aqtau", "contactId": "ok", "name": "Again", "phone": "+447700900104", "language": "ru", "timeZone": "Asia/Aqtau" },
                { "unionId": "kz-oil", "branchId": "aqtau", "contactId": "typo", "name": "T", "phone": "+447700900105", "langauge": "ru", "timeZone": "Asia/Aqtau" }
              ]
            }
            """;

        var report = await Loader.LoadAsync(json);

        report.Errors.Select(e => e.Path).Should().BeEquivalentTo(
        [
            "unions[1].unionId", "branches[1].unionId", "campaigns[0].defaultLanguage", "campaigns[1].ownerUnionId", "campaigns[2].ownerUnionId",
            "subscriptions[0].campaignId",
            "contacts[1].timeZone", "contacts[2].email", "contacts[3].branchId", "contacts[4].contactId", "contacts[5].langauge",
        ]);
        report.Errors.Single(e => e.Path == "contacts[1].timeZone").Message.Should().Be("unknown time zone 'Asia/Aktau' (expected an IANA id such as 'Asia/Aqtau')");
        report.Errors.Should().NotContain(e => e.Message.Contains("+4477", StringComparison.Ordinal), "issues never quote a number");
        report.Contacts.Should().Be(1);
        var stored = await new MembershipRepository(Tables).GetContactsPageAsync(UnionId.Parse("kz-oil"), BranchId.Parse("aqtau"), 100, null);
        stored.Contacts.Should().ContainSingle().Which.Contact.Name.Should().Be("Ok");
    }

    [Fact]
    public async Task DemoSeed_FanOutOfTheZhanaozenAlert_OneRowPerPersonWithTheExpectedSkips()
    {
        await Loader.LoadFileAsync(RepositoryPaths.Combine("demo", "seed.json"));
        var membership = new MembershipRepository(Tables);
        var deliveries = new DeliveryRepository(Tables, Options);
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 6, 0, 0, TimeSpan.Zero));
        var options = new PipelineOptions { FanOutPageSize = 3, QuietHours = "off" };
        var dispatch = new Pipeline.RecordingDispatchQueue();
        var lookups = new PipelineLookups(new AlertRepository(Tables), membership, options, time);
        var fanOut = new FanOutHandler(membership, membership, new AlertRepository(Tables), new RejectedEventRepository(Tables), new AudienceResolver(membership), options, time);
        var chunks = new FanOutChunkHandler(membership, membership, lookups, deliveries, new DeferredDispatchRepository(Tables), new OptOutRepository(Tables, Options), dispatch, Hasher, options, time);

        var accepted = await fanOut.HandleAsync(File.ReadAllText(RepositoryPaths.Combine("demo", "zhanaozen-event.json")), null, default);
        var queue = new Queue<FanOutChunk>(accepted.Chunks);
        var dispatched = 0;
        while (queue.TryDequeue(out var chunk))
        {
            var result = await chunks.HandleAsync(chunk, default);
            dispatched += result.Sms + result.Email;
            if (result.Next is { } next)
            {
                queue.Enqueue(next);
            }
        }

        accepted.Chunks.Should().HaveCount(6, "3 Kazakh branches, 2 British, and only Houston of the American union");
        dispatch.Batches.Sum(b => b.Recipients.Count).Should().Be(dispatched, "every dispatched row travels in exactly one batch");
        var rows = new List<DeliveryRecord>();
        string? token = null;
        do
        {
            var page = await deliveries.GetPageAsync(accepted.AlertId!, 1000, token);
            rows.AddRange(page.Rows);
            token = page.ContinuationToken;
        }
        while (token is not null);

        var sms = rows.Where(r => r.Channel == Channel.Sms).ToList();
        sms.Should().HaveCount(45, "46 listings in subscribed branches, Aigul listed twice");
        sms.Count(r => r.Status == DeliveryStatus.Pending).Should().Be(41);
        sms.Where(r => r.Status == DeliveryStatus.Skipped).Select(r => r.SkipReason).Should().BeEquivalentTo(
            [SkipReason.OptedOut, SkipReason.InvalidNumber, SkipReason.NoAddress, SkipReason.NoConsent]);
        rows.Where(r => r.Channel == Channel.Email).Should().HaveCount(45).And.OnlyContain(r => r.Status == DeliveryStatus.Pending);
        dispatched.Should().Be(41 + 45 + 1 + 1, "Aigul's rows are dispatched from both of her branches; the sender claims once");
        rows.Where(r => r.Address != null).Should().OnlyContain(r => r.Status == DeliveryStatus.Pending);
    }

    private async Task<List<string>> SnapshotAsync()
    {
        var lines = new List<string>();
        foreach (var name in PipelineTables.All)
        {
            var table = await Tables.GetAsync(name);
            await foreach (var e in table.QueryAsync<Azure.Data.Tables.TableEntity>())
            {
                lines.Add($"{name} {e.PartitionKey} {e.RowKey} " + string.Join(";", e.Where(p => p.Key is not ("Timestamp" or "odata.etag")).OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}")));
            }
        }

        return lines;
    }
}
