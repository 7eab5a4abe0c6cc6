using System.Globalization;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.IntegrationTests.Persistence;
using AlertPipeline.Testing;
using Moq;
using NodaTime;

namespace AlertPipeline.IntegrationTests.Pipeline.QuietHours;

/// <summary>
/// Quiet hours on Azurite with a manual clock: fan-out at night defers SMS (rows Pending with NotBefore) and sends them in
/// dispatch batches scheduled for each morning (nothing for the ScheduleTick); a batch delivered early comes back, on time
/// it sends. The ScheduleTick's releaser (for deferrals a transport cannot schedule) emits each entry at its morning,
/// re-emits while the row stays Pending (a lost batch), and forgets it once the row has moved on; SendSms refuses a row
/// before its NotBefore. Members: two in London (night 21:30 GMT → 08:00 UTC) and one in Aqtau (02:30 → 08:00 +05 = 03:00 UTC).
/// </summary>
public sealed class DeferredDispatchTests : PersistenceTestBase
{
    private static readonly DateTimeOffset Evening = new(2026, 1, 14, 21, 30, 0, TimeSpan.Zero);
    private static readonly Instant AqtauMorning = Instant.FromUtc(2026, 1, 15, 3, 0);
    private static readonly Instant LondonMorning = Instant.FromUtc(2026, 1, 15, 8, 0);

    private readonly ManualTimeProvider _time = new(Evening);
    private readonly PipelineOptions _options = new() { FanOutPageSize = 2, QuietHours = "21:00-08:00", DeferredRedeliverAfter = TimeSpan.FromMinutes(5), MaxBusyWait = TimeSpan.Zero };
    private readonly List<SmsSendRequest> _sent = [];
    private readonly RecordingDispatchQueue _dispatch = new();

    private DeferredDispatchRepository Deferred => new(Tables);

    private DeliveryRepository Deliveries => new(Tables, Options);

    private DeferredDispatchReleaser Releaser => new(Deferred, Deliveries, _dispatch, _options, _time);

    [Fact]
    public async Task FanOut_AtNight_WritesDeferredRowsAndSchedulesABatchForEachMorning()
    {
        var (alertId, batches) = await FanOutAsync();

        var rows = await RowsAsync(alertId);
        rows.Should().HaveCount(3).And.OnlyContain(r => r.Status == DeliveryStatus.Pending && r.Address != null);
        rows.Select(r => r.NotBefore).Should().BeEquivalentTo(new Instant?[] { LondonMorning, LondonMorning, AqtauMorning });
        batches.SelectMany(b => b.Keys.Select(k => (k, b.NotBefore))).Should().BeEquivalentTo(rows.Select(r => (r.Key, r.NotBefore)), "everyone is asleep: each batch waits for its morning");
        (await Deferred.GetDueAsync(LondonMorning + Duration.FromDays(30), 100)).Should().BeEmpty("a morning within 7 days is the transport's to schedule, not the tick's");
    }

    [Fact]
    public async Task ScheduledBatch_DeliveredEarlyComesBack_OnTimeSendsEachOnce()
    {
        var (alertId, batches) = await FanOutAsync();
        var handler = new DispatchBatchHandler(SendSms(), null!, _options, _time);
        var aqtau = batches.Single(b => b.NotBefore == AqtauMorning);

        _time.SetUtcNow(AqtauMorning.ToDateTimeOffset() - TimeSpan.FromSeconds(2)); // a transport's clock a little ahead of ours
        var early = await handler.HandleAsync(aqtau, 1, default);
        _time.SetUtcNow(AqtauMorning.ToDateTimeOffset());
        var onTime = await handler.HandleAsync(aqtau, 2, default);
        _time.SetUtcNow(LondonMorning.ToDateTimeOffset());
        foreach (var london in batches.Where(b => b.NotBefore == LondonMorning))
        {
            (await handler.HandleAsync(london, 1, default)).Settlement.Should().Be(DispatchSettlement.Complete.Instance);
        }

        early.Settlement.Should().BeOfType<DispatchSettlement.RetryLater>().Which.Delay.Should().Be(TimeSpan.FromSeconds(2));
        onTime.Settlement.Should().Be(DispatchSettlement.Complete.Instance);
        (await RowsAsync(alertId)).Should().OnlyContain(r => r.Status == DeliveryStatus.Sent);
        _sent.Should().HaveCount(3).And.OnlyHaveUniqueItems(r => r.To);
    }

    [Fact]
    public async Task Tick_BeforeMorningReleasesNothing_AfterReleasesEachExactlyOnce()
    {
        var alertId = await FanOutForTheTickAsync();
        var emitted = new List<DeliveryKey>();

        emitted.AddRange(await TickAtAsync(AqtauMorning - Duration.FromSeconds(1)));
        emitted.Should().BeEmpty("02:59:59 UTC is still night in Aqtau");
        var aqtau = await TickAtAsync(AqtauMorning);
        aqtau.Should().ContainSingle();
        await SendAllAsync(aqtau);
        emitted.AddRange(aqtau);
        emitted.AddRange(await TickAtAsync(AqtauMorning + Duration.FromMinutes(1)));
        emitted.AddRange(await TickAtAsync(AqtauMorning + Duration.FromMinutes(5))); // the re-check: the row was sent → forgotten
        emitted.AddRange(await TickAtAsync(LondonMorning - Duration.FromMinutes(1)));
        emitted.Should().ContainSingle("nothing else until London's morning");

        var london = await TickAtAsync(LondonMorning);
        london.Should().HaveCount(2);
        await SendAllAsync(london);
        emitted.AddRange(london);
        emitted.AddRange(await TickAtAsync(LondonMorning + Duration.FromMinutes(5)));
        emitted.AddRange(await TickAtAsync(LondonMorning + Duration.FromHours(3)));

        var rows = await RowsAsync(alertId);
        emitted.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(rows.Select(r => r.Key), "each deferred SMS is released exactly once");
        rows.Should().OnlyContain(r => r.Status == DeliveryStatus.Sent);
        _sent.Should().HaveCount(3);
        (await Deferred.GetDueAsync(LondonMorning + Duration.FromDays(30), 100)).Should().BeEmpty("entries go once their rows have moved on");
    }

    [Fact]
    public async Task LostRelease_IsEmittedAgainWhileTheRowIsPending()
    {
        var alertId = await FanOutForTheTickAsync();

        var first = await TickAtAsync(AqtauMorning);                                   // its output is "lost": nobody sends it
        var early = await TickAtAsync(AqtauMorning + Duration.FromMinutes(4));
        var again = await TickAtAsync(AqtauMorning + Duration.FromMinutes(5));        // re-check: still Pending → re-emitted
        var notYet = await TickAtAsync(AqtauMorning + Duration.FromMinutes(14));
        var third = await TickAtAsync(AqtauMorning + Duration.FromMinutes(15));       // the interval doubled: 03:05 + 10 min

        first.Should().ContainSingle();
        early.Should().BeEmpty();
        again.Should().Equal(first);
        notYet.Should().BeEmpty();
        third.Should().Equal(first);
        await SendAllAsync(third);
        (await TickAtAsync(AqtauMorning + Duration.FromMinutes(35))).Should().BeEmpty("the row was sent");
        (await RowsAsync(alertId)).Count(r => r.Status == DeliveryStatus.Sent).Should().Be(1);
        _sent.Should().ContainSingle();
    }

    [Fact]
    public async Task SendSms_BeforeNotBefore_RefusesAndLeavesThePendingRow()
    {
        var (alertId, _) = await FanOutAsync();
        var aqtau = (await RowsAsync(alertId)).Single(r => r.NotBefore == AqtauMorning);

        _time.SetUtcNow(AqtauMorning.ToDateTimeOffset() - TimeSpan.FromMinutes(1));
        var early = await SendSms().HandleAsync(aqtau.Key, default);
        _time.SetUtcNow(AqtauMorning.ToDateTimeOffset());
        var onTime = await SendSms().HandleAsync(aqtau.Key, default);

        early.Outcome.Should().Be(SendOutcome.Deferred);
        early.Status.Should().Be(DeliveryStatus.Pending);
        onTime.Outcome.Should().Be(SendOutcome.Sent);
        _sent.Should().ContainSingle("only the send at 08:00 Aqtau time reached the provider");
    }

    /// <summary>Fan-out, then the deferrals recorded for the ScheduleTick as if their mornings were beyond what a transport can schedule.</summary>
    private async Task<AlertId> FanOutForTheTickAsync()
    {
        var (alertId, _) = await FanOutAsync();
        var rows = await RowsAsync(alertId);
        await Deferred.AddAsync([.. rows.Select(r => new DeferredDispatch(r.Key, r.NotBefore!.Value, r.NotBefore!.Value))]);
        return alertId;
    }

    private async Task<(AlertId AlertId, List<DispatchBatch> Batches)> FanOutAsync()
    {
        var report = await new SeedLoader(new MembershipRepository(Tables), new OptOutRepository(Tables, Options), Hasher, TimeProvider.System).LoadAsync(Seed);
        report.Errors.Should().BeEmpty();
        var membership = new MembershipRepository(Tables);
        var alerts = new AlertRepository(Tables);
        var fanOut = new FanOutHandler(membership, membership, alerts, new RejectedEventRepository(Tables), new AudienceResolver(membership), _options, _time);
        var chunks = new FanOutChunkHandler(membership, membership, Lookups(), Deliveries, Deferred, new OptOutRepository(Tables, Options), _dispatch, Hasher, _options, _time);
        var accepted = await fanOut.HandleAsync(Event, null, default);
        accepted.Outcome.Should().Be(FanOutOutcome.Accepted, string.Join("; ", accepted.Errors));
        _dispatch.Take();
        var queue = new Queue<FanOutChunk>(accepted.Chunks);
        while (queue.TryDequeue(out var chunk))
        {
            var result = await chunks.HandleAsync(chunk, default);
            if (result.Next is { } next)
            {
                queue.Enqueue(next);
            }
        }

        return (accepted.AlertId!, _dispatch.Take());
    }

    private async Task<IReadOnlyList<DeliveryKey>> TickAtAsync(Instant now)
    {
        _time.SetUtcNow(now.ToDateTimeOffset());
        var result = await Releaser.ReleaseAsync(default);
        result.Problems.Should().BeEmpty();
        var keys = _dispatch.TakeKeys();
        keys.Should().HaveCount(result.Dispatched);
        return keys;
    }

    private async Task SendAllAsync(IEnumerable<DeliveryKey> keys)
    {
        foreach (var key in keys)
        {
            (await SendSms().HandleAsync(key, default)).Outcome.Should().Be(SendOutcome.Sent);
        }
    }

    private SendSmsHandler SendSms()
    {
        var gateway = new Mock<ISmsGateway>(MockBehavior.Strict);
        gateway.Setup(g => g.SendAsync(It.IsAny<SmsSendRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((SmsSendRequest request, CancellationToken _) =>
            {
                lock (_sent)
                {
                    _sent.Add(request);
                    return new SmsSendResult("SM" + _sent.Count.ToString("D32", CultureInfo.InvariantCulture), "queued", 1);
                }
            });
        var lookups = Lookups();
        return new SendSmsHandler(
            new DeliveryClaims(Deliveries, _options, _time, lookups), lookups, new MessageComposer(new MembershipRepository(Tables), lookups),
            new OptOutRepository(Tables, Options), new RecipientIndexRepository(Tables, Options), gateway.Object, new ProviderIdRepository(Tables), _options);
    }

    private PipelineLookups Lookups() => new(new AlertRepository(Tables), new MembershipRepository(Tables), _options, _time);

    private async Task<IReadOnlyList<DeliveryRecord>> RowsAsync(AlertId alertId) => (await Deliveries.GetPageAsync(alertId, 1000, null)).Rows;

    private const string Seed = """
        {
          "unions": [{ "unionId": "uk-energy", "name": "UK Energy Workers" }],
          "branches": [{ "unionId": "uk-energy", "branchId": "london", "name": "London" }],
          "campaigns": [{ "campaignId": "night-test", "name": "Night test", "helpContact": "help@example.org", "defaultLanguage": "en", "ownerUnionId": "uk-energy" }],
          "subscriptions": [{ "campaignId": "night-test", "unionId": "uk-energy" }],
          "contacts": [
            { "unionId": "uk-energy", "branchId": "london", "contactId": "ann", "name": "Ann", "phone": "+447700900201", "language": "en", "timeZone": "Europe/London", "consent": { "sms": true, "email": false } },
            { "unionId": "uk-energy", "branchId": "london", "contactId": "bob", "name": "Bob", "phone": "+447700900202", "language": "en", "timeZone": "Europe/London", "consent": { "sms": true, "email": false } },
            { "unionId": "uk-energy", "branchId": "london", "contactId": "aigul", "name": "Aigul", "phone": "+447700900203", "language": "en", "timeZone": "Asia/Aqtau", "consent": { "sms": true, "email": false } }
          ]
        }
        """;

    private const string Event = """
        {
          "schemaVersion": 1,
          "eventId": "night-hearing",
          "kind": "anniversary",
          "occurredAt": "2026-01-14T21:00:00Z",
          "campaignId": "night-test",
          "occurrence": { "localDateTime": "2026-01-15T18:00:00", "timeZone": "Europe/London" },
          "reminder": "day-before",
          "channels": ["sms"],
          "expiresAt": "2026-01-15T18:00:00Z",
          "templates": { "en": { "sms": "{{name}}: solidarity tomorrow at {{time}}." } }
        }
        """;
}
