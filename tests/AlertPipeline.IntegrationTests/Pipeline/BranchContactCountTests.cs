using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.IntegrationTests.Persistence;
using AlertPipeline.Testing;
using Azure.Core;
using Azure.Data.Tables;
using NodaTime;

namespace AlertPipeline.IntegrationTests.Pipeline;

/// <summary>
/// Each branch's contact count on its Branches row (docs/storage.md), on Azurite: written by the chunk of the branch's
/// last page, used by the next fan-out to choose the alert's layout without one count query (every request of the tables
/// client is recorded), and harmless on branch rows written before the columns existed.
/// </summary>
public sealed class BranchContactCountTests : PersistenceTestBase
{
    private static readonly UnionId Union = UnionId.Parse("kz-oil");
    private static readonly BranchId North = BranchId.Parse("north");
    private static readonly BranchId South = BranchId.Parse("south");
    private static readonly CampaignId Campaign = CampaignId.Parse("appeal");

    private readonly RequestRecorder _requests = new();
    private readonly ManualTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private readonly PipelineOptions _options = new() { FanOutPageSize = 3, FanOutPagesPerChunk = 2, QuietHours = "off" };

    private Instant Now => Instant.FromDateTimeOffset(_time.GetUtcNow());

    [Fact]
    public async Task Branch_WithoutTheColumns_HasNoStoredCount_AndRecordingKeepsItsName()
    {
        var membership = new MembershipRepository(Tables);
        await membership.UpsertBranchAsync(new Branch(Union, North, "North"));

        (await membership.GetAsync(Union, North)).Should().BeNull("a row written before counts were kept has no count");

        var count = new BranchContactCount(7, Now);
        await membership.RecordAsync(Union, North, count);

        (await membership.GetAsync(Union, North)).Should().Be(count);
        (await membership.GetBranchAsync(Union, North))!.Name.Should().Be("North", "the count is merged into the row");
    }

    [Fact]
    public async Task Record_ForABranchWithoutARow_CreatesNoRow()
    {
        var membership = new MembershipRepository(Tables);

        await membership.RecordAsync(Union, South, new BranchContactCount(3, Now));

        (await membership.GetBranchAsync(Union, South)).Should().BeNull();
        (await membership.GetAsync(Union, South)).Should().BeNull();
    }

    [Fact]
    public async Task FanOut_LastChunkStoresTheCount_AndTheNextFanOutChoosesWithoutCounting()
    {
        await SeedAsync(north: 7, south: 4);
        var membership = new MembershipRepository(RecordedTables());

        // The first alert finds no stored count: it counts both branches (and stores what it counted).
        var first = await FanOutAsync(membership, "first");
        first.Accepted.BranchesCounted.Should().Be(2);
        first.ContactQueries.Should().BeGreaterThan(0);

        // Members join without any count being refreshed: the stored counts are now stale (the layout tolerates it).
        await membership.UpsertContactsAsync([Contact(Union.Value, North.Value, "late", "+447700900199")]);
        (await membership.GetAsync(Union, North))!.Contacts.Should().Be(7);

        // Its chunks page through every contact; the last page of each branch stores the exact number it paged through.
        _time.Advance(TimeSpan.FromMinutes(5));
        await RunChunksAsync(membership, first.Accepted);
        (await membership.GetAsync(Union, North)).Should().Be(new BranchContactCount(8, Now));
        (await membership.GetAsync(Union, South)).Should().Be(new BranchContactCount(4, Now));

        // The next alert reads the stored counts: no query of the Contacts table at all before its chunks run.
        var second = await FanOutAsync(membership, "second");
        second.Accepted.BranchesCounted.Should().Be(0);
        second.ContactQueries.Should().Be(0, "the layout came from the Branches rows");
        second.Accepted.Layout.Should().Be(DeliveryLayout.Sixteen);
    }

    [Fact]
    public async Task FanOut_StoredCountSaysLarge_ChoosesTheWiderLayoutFromIt()
    {
        await SeedAsync(north: 2, south: 1);
        var membership = new MembershipRepository(RecordedTables());
        await membership.RecordAsync(Union, North, new BranchContactCount(40_000, Now));
        await membership.RecordAsync(Union, South, new BranchContactCount(0, Now));

        var fanOut = await FanOutAsync(membership, "stored-large");

        fanOut.Accepted.Layout.Should().Be(DeliveryLayout.SixtyFour, "40,000 stored contacts on one channel are 40,000 rows, over 16 buckets' 32,000");
        fanOut.ContactQueries.Should().Be(0);
    }

    private async Task SeedAsync(int north, int south)
    {
        var membership = new MembershipRepository(Tables);
        await membership.UpsertUnionAsync(new Union(Union, "Mangystau Oil Workers"));
        await membership.UpsertBranchAsync(new Branch(Union, North, "North"));
        await membership.UpsertBranchAsync(new Branch(Union, South, "South"));
        await membership.UpsertCampaignAsync(new Campaign(Campaign, "Appeal", "help@example.org", LanguageTag.English) { OwnerUnionId = Union });
        await membership.UpsertSubscriptionAsync(new Subscription(Campaign, Union));
        await membership.UpsertContactsAsync(
            Enumerable.Range(0, north).Select(i => Contact(Union.Value, North.Value, $"n{i}", $"+4477009001{i:D2}"))
                .Concat(Enumerable.Range(0, south).Select(i => Contact(Union.Value, South.Value, $"s{i}", $"+4477009002{i:D2}"))));
    }

    /// <summary>The same tables through a client whose every request <see cref="_requests"/> records.</summary>
    private PipelineTables RecordedTables()
    {
        var options = new TableClientOptions();
        options.AddPolicy(_requests, HttpPipelinePosition.PerCall);
        return new PipelineTables(new TableServiceClient(Azurite.ConnectionString, options), Tables.Prefix);
    }

    private async Task<(FanOutResult Accepted, int ContactQueries)> FanOutAsync(MembershipRepository membership, string eventId)
    {
        var contactsTable = (await Tables.GetAsync(PipelineTables.Contacts)).Name;
        var before = _requests.All.Count;
        var fanOut = new FanOutHandler(membership, membership, new AlertRepository(Tables), new RejectedEventRepository(Tables), new AudienceResolver(membership), _options, _time);

        var accepted = await fanOut.HandleAsync(HearingEvent.Json(eventId, Campaign.Value, "\"sms\""), null, default);

        accepted.Outcome.Should().Be(FanOutOutcome.Accepted, string.Join("; ", accepted.Errors));
        var queries = _requests.All.Skip(before).Count(r => r.Method == "GET" && r.Uri.AbsolutePath.Contains(contactsTable, StringComparison.Ordinal));
        return (accepted, queries);
    }

    private async Task RunChunksAsync(MembershipRepository membership, FanOutResult accepted)
    {
        var lookups = new PipelineLookups(new AlertRepository(Tables), membership, _options, _time);
        using var chunks = new FanOutChunkHandler(
            membership, membership, lookups, new DeliveryRepository(Tables, Options), new DeferredDispatchRepository(Tables), new OptOutRepository(Tables, Options),
            new RecordingDispatchQueue(), Hasher, _options, _time);
        foreach (var first in accepted.Chunks)
        {
            for (FanOutChunk? chunk = first; chunk is not null;)
            {
                chunk = (await chunks.HandleAsync(chunk, default)).Next;
            }
        }
    }
}
