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
/// Quiet hours on Azurite with a manual clock: fan-out at night defers SMS (rows Pending with NotBefore, entries in
/// DeferredDispatches, no dispatch message); the ScheduleTick's releaser emits each at its morning, re-emits while the row
/// stays Pending (a lost output), and forgets it once the row has moved on; SendSms refuses a row before its NotBefore.
/// Members: two in London (night 21:30 GMT → 08:00 UTC) and one in Aqtau (02:30 → 08:00 +05 = 03:00 UTC).
/// </summary>
public sealed class DeferredDispatchTests : PersistenceTestBase
{
    private static readonly DateTimeOffset Evening = new(2026, 1, 14, 21, 30, 0, TimeSpan.Zero);
    private static readonly Instant AqtauMorning = Instant.FromUtc(2026, 1, 15, 3, 0);
    private static readonly Instant LondonMorning = Instant.FromUtc(2026, 1, 15, 8, 0);

    private readonly ManualTimeProvider _time = new(Evening);
    private readonly PipelineOptions _options = new() { FanOutPageSize = 2, QuietHours = "21:00-08:00", DeferredRedeliverAfter = TimeSpan.FromMinutes(5), MaxBusyWait = TimeSpan.Zero };
    private readonly List<SmsSendRequest> _sent = [];

    private DeferredDispatchRepository Deferred => new(Tables);

    private DeliveryRepository Deliveries => new(Tables, Options);

    private DeferredDispatchReleaser Releaser => new(Deferred, Deliveries, _options, _time);

    [Fact]
    public async Task FanOut_AtNight_WritesDeferredRowsAndNoDispatch()
    {
        var (alertId, sms) = await FanOutAsync();

        sms.Should().BeEmpty("everyone is asleep");
        var rows = await RowsAsync(alertId);
        rows.Should().HaveCount(3).And.OnlyContain(r => r.Status == DeliveryStatus.Pending && r.Address != null);
        rows.Select(r => r.NotBefore).Should().BeEquivalentTo(new Instant?[] { LondonMorning, LondonMorning, AqtauMorning });
        var entries = await Deferred.GetDueAsync(LondonMorning + Duration.FromDays(1), 100);
        entries.Select(e => (e.Key, e.DueAt)).Should().BeEquivalentTo(rows.Select(r => (r.Key, r.NotBefore!.Value)));
        entries.Should().OnlyContain(e => e.Releases == 0 && e.ReleasedAt == null);
    }

    [Fact]
    public async Task Tick_BeforeMorningReleasesNothing_AfterReleasesEachExactlyOnce()
    {
        var (alertId, _) = await FanOutAsync();
        var emitted = new List<DispatchMessage>();

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
        emitted.Select(m => m.DeliveryKey).Should().OnlyHaveUniqueItems().And.BeEquivalentTo(rows.Select(r => r.Key.Value), "each deferred SMS is released exactly once");
        rows.Should().OnlyContain(r => r.Status == DeliveryStatus.Sent);
        _sent.Should().HaveCount(3);
        (await Deferred.GetDueAsync(LondonMorning + Duration.FromDays(30), 100)).Should().BeEmpty("entries go once their rows have moved on");
    }

    [Fact]
    public async Task LostRelease_IsEmittedAgainWhileTheRowIsPending()
    {
        var (alertId, _) = await FanOutAsync();

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

    private async Task<(AlertId AlertId, List<DispatchMessage> Sms)> FanOutAsync()
    {
        var report = await new SeedLoader(new MembershipRepository(Tables), new OptOutRepository(Tables, Options), Hasher, TimeProvider.System).LoadAsync(Seed);
        report.Errors.Should().BeEmpty();
        var membership = new MembershipRepository(Tables);
        var alerts = new AlertRepository(Tables);
        var fanOut = new FanOutHandler(membership, alerts, new RejectedEventRepository(Tables), new AudienceResolver(membership), _time);
        var chunks = new FanOutChunkHandler(membership, Lookups(), Deliveries, Deferred, new OptOutRepository(Tables, Options), Hasher, _options, _time);
        var accepted = await fanOut.HandleAsync(Event, null, default);
        accepted.Outcome.Should().Be(FanOutOutcome.Accepted, string.Join("; ", accepted.Errors));
        var sms = new List<DispatchMessage>();
        var queue = new Queue<FanOutChunk>(accepted.Chunks);
        while (queue.TryDequeue(out var chunk))
        {
            var result = await chunks.HandleAsync(chunk, default);
            sms.AddRange(result.Sms);
            if (result.Next is { } next)
            {
                queue.Enqueue(next);
            }
        }

        return (accepted.AlertId!, sms);
    }

    private async Task<IReadOnlyList<DispatchMessage>> TickAtAsync(Instant now)
    {
        _time.SetUtcNow(now.ToDateTimeOffset());
        var result = await Releaser.ReleaseAsync(default);
        result.Problems.Should().BeEmpty();
        return result.Sms;
    }

    private async Task SendAllAsync(IEnumerable<DispatchMessage> messages)
    {
        foreach (var message in messages)
        {
            message.TryParse(out var key, out var error).Should().BeTrue(error);
            (await SendSms().HandleAsync(key!, default)).Outcome.Should().Be(SendOutcome.Sent);
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
            new DeliveryClaims(Deliveries, _options, _time), lookups, new MessageComposer(new MembershipRepository(Tables), lookups),
            new OptOutRepository(Tables, Options), new RecipientIndexRepository(Tables), gateway.Object, _options);
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
