using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Common;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Messaging;
using AlertPipeline.Core.Scheduling;
using AlertPipeline.Core.Scheduling.Ports;
using AlertPipeline.Infrastructure.Persistence.Schedules;
using Azure.Data.Tables;
using AlertPipeline.Testing;
using NodaTime;
using NodaTime.Text;

namespace AlertPipeline.IntegrationTests.Scheduling;

/// <summary>The schedule repositories on a real Azurite, with fresh Schedules and FiredOccurrences tables per test.</summary>
public sealed class ScheduleStorageTests : IAsyncLifetime
{
    private static readonly DateTimeZone Aqtau = ScheduleTime.Zone("Asia/Aqtau");
    private static readonly DateTimeZone London = ScheduleTime.Zone("Europe/London");

    private TableServiceClient _service = null!;
    private string _schedulesTable = null!;
    private string _occurrencesTable = null!;

    public async Task InitializeAsync()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        _service = new TableServiceClient(azurite.ConnectionString);
        _schedulesTable = AzuriteFixture.UniqueName("schedules");
        _occurrencesTable = AzuriteFixture.UniqueName("fired");
    }

    public async Task DisposeAsync()
    {
        await _service.DeleteTableAsync(_schedulesTable);
        await _service.DeleteTableAsync(_occurrencesTable);
    }

    [Fact]
    public async Task Schedules_AddedThenRead_RoundTripWithTheirETags()
    {
        var store = Schedules();
        var anniversary = Anniversary("zhanaozen");
        var trial = PostponedTrial();

        var added = await store.TryAddAsync(anniversary);
        await store.TryAddAsync(trial);

        var read = await store.GetAsync(anniversary.Id);
        read!.Schedule.Should().Be(anniversary);
        read.ETag.Should().Be(added!.ETag).And.NotBeNullOrEmpty();
        (await store.GetAsync(trial.Id))!.Schedule.Should().Be(trial, "the notice's due instant keeps its 100 ns precision");
        (await store.GetAsync(new ScheduleId("nope"))).Should().BeNull();
        (await store.TryAddAsync(anniversary)).Should().BeNull("the id exists");
    }

    [Fact]
    public async Task TryReplaceAsync_WithAStaleETag_ChangesNothing()
    {
        var store = Schedules();
        var trial = Trial("trial-42");
        var first = await store.TryAddAsync(trial);
        var moved = trial.WithSchedule(((TrialSchedule)trial.Schedule).Postpone(Local("2025-04-04T09:30"), Instant("2025-03-10T12:00:00Z"), new HashSet<OccurrenceKey>(), notify: false).Schedule);

        var replaced = await store.TryReplaceAsync(moved, first!.ETag);
        var stale = await store.TryReplaceAsync(trial, first.ETag);

        replaced.Should().NotBeNull();
        replaced!.ETag.Should().NotBe(first.ETag);
        stale.Should().BeNull();
        (await store.GetAsync(trial.Id))!.Schedule.Should().Be(moved);
    }

    [Fact]
    public async Task GetActivePageAsync_LeavesOutEndedSchedulesAndPagesThroughTheRest()
    {
        var store = Schedules();
        foreach (var id in new[] { "a", "b", "c" })
        {
            await store.TryAddAsync(Anniversary(id));
        }

        await store.TryAddAsync(Trial("ended-trial"));
        await store.TryAddAsync(Trial("open-trial", "2030-01-10T10:00"));

        var ids = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await store.GetActivePageAsync(Instant("2026-01-01T00:00:00Z"), 2, token);
            page.Unreadable.Should().BeEmpty();
            ids.AddRange(page.Items.Select(s => s.Schedule.Id.Value));
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null);

        ids.Should().Equal("a", "b", "c", "open-trial");
        pages.Should().BeGreaterThan(1);
    }

    [Fact]
    public async Task GetActivePageAsync_ARowEditedIntoNonsense_IsReportedNotThrown()
    {
        var store = Schedules();
        await store.TryAddAsync(Anniversary("good"));
        var table = _service.GetTableClient(_schedulesTable);
        var broken = (await table.GetEntityAsync<TableEntity>("schedule", "good")).Value;
        broken.RowKey = "broken";
        broken["Reminders"] = "P1DT2H";
        await table.AddEntityAsync(broken);

        var page = await store.GetActivePageAsync(Instant("2025-01-01T00:00:00Z"), 100, null);

        page.Items.Select(s => s.Schedule.Id.Value).Should().Equal("good");
        page.Unreadable.Should().ContainSingle().Which.Should().Match<UnreadableSchedule>(
            u => u.ScheduleId == "broken" && u.Reason.Contains("Reminders", StringComparison.Ordinal) && u.Reason.Contains("mixes days and hours", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TryRecordAsync_ConcurrentClaimsOfOneKey_ExactlyOneWins()
    {
        var key = OccurrenceKey.Parse("zhanaozen|Y2025|P0D");
        var stores = Enumerable.Range(0, 16).Select(_ => Occurrences()).ToList();
        await stores[0].ListAsync(key.ScheduleId); // create the table first, so every claim races on the insert itself

        var results = await Task.WhenAll(stores.Select((store, i) => store.TryRecordAsync(
            new OccurrenceRecord(key, OccurrenceState.Fired, Instant("2025-12-16T05:00:00Z"), Instant("2025-12-16T05:00:01Z") + Duration.FromMilliseconds(i)))));

        results.Count(won => won).Should().Be(1);
        (await stores[0].ListAsync(key.ScheduleId)).Should().ContainSingle();
    }

    [Fact]
    public async Task OccurrenceRecords_ListedPerSchedule_AndOnlyWithdrawnOnesCanBeReinstated()
    {
        var store = Occurrences();
        var alertId = AlertId.Parse("75774197e5449172989a88db2b6df47f");
        var fired = new OccurrenceRecord(OccurrenceKey.Parse("trial-42|H20250314T093000|P7D"), OccurrenceState.Fired,
            Instant("2025-03-07T09:30:00Z"), Instant("2025-03-07T09:30:12.3456789Z"), alertId, EventId.Parse("trial-42"));
        var withdrawn = new OccurrenceRecord(OccurrenceKey.Parse("trial-42|H20250314T093000|P1D"), OccurrenceState.Withdrawn,
            Instant("2025-03-13T09:30:00Z"), Instant("2025-03-10T12:00:00Z"));
        var other = new OccurrenceRecord(OccurrenceKey.Parse("trial-43|R1|MOVED"), OccurrenceState.Missed, Instant("2025-03-10T12:00:00Z"), Instant("2025-03-10T12:30:00Z"));
        foreach (var record in new[] { fired, withdrawn, other })
        {
            (await store.TryRecordAsync(record)).Should().BeTrue();
        }

        (await store.ListAsync(new ScheduleId("trial-42"))).Should().BeEquivalentTo([fired, withdrawn]);
        (await store.ReinstateAsync(fired.Key)).Should().BeFalse("a fired occurrence stays fired");
        (await store.ReinstateAsync(withdrawn.Key)).Should().BeTrue();
        (await store.ListAsync(new ScheduleId("trial-42"))).Should().Equal(fired);
        (await store.TryRecordAsync(withdrawn with { State = OccurrenceState.Fired })).Should().BeTrue("the key can be claimed again");
    }

    [Fact]
    public async Task InsertAsync_ClaimedThenTryMarkFiredWithItsETag_BecomesFiredOnceAndKeepsTheClaim()
    {
        var key = OccurrenceKey.Parse("zhanaozen|Y2025|P0D");
        var claim = new OccurrenceRecord(key, OccurrenceState.Claimed, Instant("2025-12-16T05:00:00Z"), Instant("2025-12-16T05:00:01.2345678Z"),
            AlertId.Parse("75774197e5449172989a88db2b6df47f"), EventId.Parse("zhanaozen"));

        var won = await Occurrences().InsertAsync(claim);
        var lost = await Occurrences().InsertAsync(claim with { RecordedAt = Instant("2025-12-16T05:03:00Z") });

        won.Inserted.Should().BeTrue();
        won.Current!.Record.Should().Be(claim);
        won.Current.ETag.Should().NotBeNullOrEmpty();
        lost.Inserted.Should().BeFalse();
        lost.Current.Should().Be(won.Current, "the loser reads the claim as stored, with the same ETag");

        // Two hosts confirming the same claim (the claimer and a redelivery): exactly one update applies.
        var confirmations = await Task.WhenAll(Occurrences().TryMarkFiredAsync(key, won.Current.ETag), Occurrences().TryMarkFiredAsync(key, lost.Current!.ETag));
        confirmations.Count(applied => applied).Should().Be(1);

        (await Occurrences().ListAsync(key.ScheduleId)).Should().Equal(claim with { State = OccurrenceState.Fired });
        (await Occurrences().TryMarkFiredAsync(key, won.Current.ETag)).Should().BeFalse("the ETag is stale now");
        (await Occurrences().TryMarkFiredAsync(OccurrenceKey.Parse("zhanaozen|Y2026|P0D"), won.Current.ETag)).Should().BeFalse("there is no such record");
        var again = await Occurrences().InsertAsync(claim);
        again.Inserted.Should().BeFalse();
        again.Current!.Record.State.Should().Be(OccurrenceState.Fired);
    }

    [Fact]
    public async Task TickAsync_PublishFailedAfterTheClaim_ALaterTickRedeliversAndMarksItFired()
    {
        await Schedules().TryAddAsync(Anniversary("zhanaozen"));
        var claimedAt = Instant("2025-12-16T05:00:30Z");
        var failing = new ListPublisher { Fail = true };
        var first = await Host(claimedAt, failing).TickAsync();
        var publisher = new ListPublisher();

        var early = await Host(claimedAt + Duration.FromSeconds(90), publisher).TickAsync();
        var late = await Host(claimedAt + Duration.FromMinutes(2), publisher).TickAsync();

        first.Problems.Should().ContainSingle().Which.Reason.Should().Contain("queue down");
        (await Occurrences().ListAsync(new ScheduleId("zhanaozen"))).Should().ContainSingle().Which.State.Should().Be(OccurrenceState.Fired);
        early.Redelivered.Should().BeEmpty();
        late.Redelivered.Should().ContainSingle();
        publisher.Published.Should().ContainSingle().Which.Should().Be(late.Redelivered[0].Event);
    }

    [Fact]
    public async Task LastTick_AdvancesWithETagsAndNeverGoesBack()
    {
        var ticks = Ticks();
        (await ticks.GetLastTickAsync()).Should().BeNull();

        (await ticks.AdvanceLastTickAsync(Instant("2025-12-16T05:01:00.1234567Z"))).Should().Be(Instant("2025-12-16T05:01:00.1234567Z"));
        (await ticks.AdvanceLastTickAsync(Instant("2025-12-16T05:00:00Z"))).Should().Be(Instant("2025-12-16T05:01:00.1234567Z"), "a slower host's older tick loses");

        var candidates = Enumerable.Range(2, 12).Select(m => Instant("2025-12-16T05:00:00Z") + Duration.FromMinutes(m)).ToList();
        await Task.WhenAll(candidates.Select(c => Ticks().AdvanceLastTickAsync(c)));

        (await Ticks().GetLastTickAsync()).Should().Be(candidates.Max());
    }

    [Fact]
    public async Task TickAsync_TwoHostsOnOneStorage_EmitTheOccurrenceOnceAndRecordIt()
    {
        await Schedules().TryAddAsync(Anniversary("zhanaozen"));
        var now = Instant("2025-12-16T05:00:30Z");
        var publisher = new ListPublisher();

        var results = await Task.WhenAll(Host(now, publisher).TickAsync(), Host(now, publisher).TickAsync());

        results.Should().AllSatisfy(r => r.Problems.Should().BeEmpty());
        var emitted = results.SelectMany(r => r.Emitted).Should().ContainSingle().Subject;
        publisher.Published.Should().Equal(emitted.Event);
        AlertEventParser.Parse(AlertEventSerializer.Serialize(emitted.Event)).IsSuccess.Should().BeTrue();
        var record = (await Occurrences().ListAsync(new ScheduleId("zhanaozen"))).Should().ContainSingle().Subject;
        record.Should().Be(new OccurrenceRecord(emitted.Key, OccurrenceState.Fired, Instant("2025-12-16T05:00:00Z"), now, emitted.AlertId, EventId.Parse("zhanaozen")));
        (await Ticks().GetLastTickAsync()).Should().Be(now);
    }

    private ScheduleTickHandler Host(Instant now, IAlertEventPublisher publisher) =>
        new(Schedules(), Occurrences(), Ticks(), publisher, new ManualTimeProvider(now.ToDateTimeOffset()), new ScheduleTickOptions());

    private TableScheduleStore Schedules() => new(_service.GetTableClient(_schedulesTable));

    private TableScheduleTickStore Ticks() => new(_service.GetTableClient(_schedulesTable));

    private TableScheduleOccurrenceStore Occurrences() => new(_service.GetTableClient(_occurrencesTable));

    private static ScheduledAlertContent Content() => new(
        [Channel.Sms, Channel.Email],
        AlertTemplates.Inline(
        [
            new MessageTemplate(LanguageTag.Parse("ru"), "{{name}}, {{date}} в {{time}}: Жанаозен ({{years}} лет).", new EmailTemplate("Жанаозен", "{{name}}: {{date}}")),
            new MessageTemplate(LanguageTag.Parse("en"), "{{name}}: {{date}} {{time}}, Zhanaozen ({{years}} years).", new EmailTemplate("Zhanaozen", "{{name}}: {{date}}", "<p>{{date}}</p>")),
        ]),
        new Audience([UnionId.Parse("kz-oil-workers")], []),
        new ValueDictionary([new("years", "14")]),
        AlertTemplates.Inline([new MessageTemplate(LanguageTag.Parse("en"), "Moved from {{previousDate}} {{previousTime}} to {{date}}.", new EmailTemplate("Moved", "To {{date}}"))]),
        AlertTemplates.Stored(TemplateRef.Parse("hearing-cancelled")),
        Duration.FromHours(6));

    private static ScheduledAlert Anniversary(string id) => new(
        CampaignId.Parse("zhanaozen-solidarity"),
        new AnniversarySchedule(new ScheduleId(id), new AnnualDate(12, 16), new LocalTime(10, 0), Aqtau, ReminderSet.Parse("P7D", "P1D@18:00", "P0D"), 2012),
        Content());

    private static ScheduledAlert Trial(string id, string hearing = "2025-03-14T09:30") => new(
        CampaignId.Parse("free-the-oil-workers"),
        new TrialSchedule(new ScheduleId(id), Local(hearing), London, ReminderSet.Parse("P7D", "P1D", "P0D@07:00"), Instant("2025-02-01T00:00:00Z")),
        Content());

    private static ScheduledAlert PostponedTrial()
    {
        var trial = Trial("trial-42");
        var change = ((TrialSchedule)trial.Schedule).Postpone(Local("2025-04-04T09:30"), Instant("2025-03-10T12:00:00.1234567Z"), new HashSet<OccurrenceKey>(), notify: true);
        return trial.WithSchedule(change.Schedule);
    }

    private static Instant Instant(string text) => InstantPattern.ExtendedIso.Parse(text).GetValueOrThrow();

    private static LocalDateTime Local(string text) =>
        LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm").Parse(text).GetValueOrThrow();

    private sealed class ListPublisher : IAlertEventPublisher
    {
        private readonly List<AlertEvent> _published = [];

        public bool Fail { get; init; }

        public IReadOnlyList<AlertEvent> Published
        {
            get
            {
                lock (_published)
                {
                    return [.. _published];
                }
            }
        }

        public Task PublishAsync(AlertEvent alertEvent, CancellationToken cancellationToken = default)
        {
            if (Fail)
            {
                throw new IOException("queue down");
            }

            lock (_published)
            {
                _published.Add(alertEvent);
            }

            return Task.CompletedTask;
        }
    }
}
