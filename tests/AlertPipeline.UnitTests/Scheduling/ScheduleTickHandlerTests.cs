using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Scheduling;
using AlertPipeline.Core.Scheduling.Ports;
using Moq;
using NodaTime;
using NodaTime.Text;
using static AlertPipeline.UnitTests.Scheduling.ScheduleFixtures;
using static AlertPipeline.UnitTests.Scheduling.TestTime;

namespace AlertPipeline.UnitTests.Scheduling;

public class ScheduleTickHandlerTests
{
    private readonly Mock<IScheduleStore> _schedules = new(MockBehavior.Strict);
    private readonly Mock<IScheduleOccurrenceStore> _occurrences = new(MockBehavior.Strict);
    private readonly Mock<IScheduleTickStore> _ticks = new(MockBehavior.Strict);
    private readonly Mock<IAlertEventPublisher> _publisher = new(MockBehavior.Strict);

    [Fact]
    public async Task TickAsync_DueOccurrence_ClaimsItPublishesItsEventMarksItFiredAndAdvancesTheLastTick()
    {
        var lastTick = ZhanaozenFire2025 - Duration.FromMinutes(1);
        var now = ZhanaozenFire2025 + Duration.FromSeconds(30);
        var key = "zhanaozen|Y2025|P0D";
        _ticks.Setup(t => t.GetLastTickAsync(It.IsAny<CancellationToken>())).ReturnsAsync(lastTick);
        _schedules.Setup(s => s.GetActivePageAsync(lastTick - Grace, 100, null, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new SchedulePage([new StoredSchedule(Zhanaozen(), "e1")], [], null));
        var order = new List<string>();
        _occurrences.Setup(o => o.InsertAsync(
                It.Is<OccurrenceRecord>(r => r.Key.Value == key && r.State == OccurrenceState.Claimed && r.FireAt == ZhanaozenFire2025 && r.RecordedAt == now && r.AlertId != null),
                It.IsAny<CancellationToken>()))
            .Callback(() => order.Add("claim"))
            .ReturnsAsync((OccurrenceRecord r, CancellationToken _) => new OccurrenceInsert(true, new StoredOccurrence(r, "c1")));
        _publisher.Setup(p => p.PublishAsync(It.Is<AlertEvent>(e => e.EventId.Value == "zhanaozen"), It.IsAny<CancellationToken>()))
            .Callback(() => order.Add("publish"))
            .Returns(Task.CompletedTask);
        _occurrences.Setup(o => o.TryMarkFiredAsync(It.Is<OccurrenceKey>(k => k.Value == key), "c1", It.IsAny<CancellationToken>()))
            .Callback(() => order.Add("fired"))
            .ReturnsAsync(true);
        _ticks.Setup(t => t.AdvanceLastTickAsync(now, It.IsAny<CancellationToken>())).ReturnsAsync(now);

        var result = await Handler(_schedules.Object, _occurrences.Object, _ticks.Object, ClockAt(now), _publisher.Object).TickAsync();

        result.Problems.Should().BeEmpty();
        result.LastTickAdvanced.Should().BeTrue();
        var emitted = result.Emitted.Should().ContainSingle().Subject;
        emitted.Key.Value.Should().Be(key);
        var e = emitted.Event;
        e.EventId.Value.Should().Be("zhanaozen");
        e.Kind.Should().Be(EventKind.Anniversary);
        e.CampaignId.Value.Should().Be("zhanaozen-solidarity");
        e.Occurrence.Canonical.Should().Be("2025-12-16T10:00:00 Asia/Aqtau");
        e.Reminder.Canonical.Should().Be("P0D");
        e.OccurredAt.Should().Be(ZhanaozenFire2025, "occurredAt is the fire instant, so a re-emitted event is identical");
        e.ExpiresAt.Should().Be(ZhanaozenFire2025 + Grace, "an on-the-day reminder may still go out within the grace period");
        emitted.AlertId.Should().Be(AlertId.For(e));
        order.Should().Equal("claim", "publish", "fired");
        _occurrences.VerifyAll();
        _publisher.VerifyAll();
        _ticks.VerifyAll();
    }

    [Fact]
    public async Task TickAsync_SameOccurrenceOnConsecutiveTicks_IsEmittedOnce()
    {
        var storage = new InMemoryScheduleStorage();
        storage.Add(Zhanaozen());
        var clock = ClockAt(ZhanaozenFire2025 - Duration.FromMinutes(1));
        var handler = Handler(storage, clock);
        var emitted = new List<ScheduledAlertEvent>();

        for (var minute = 0; minute < 20; minute++)
        {
            var result = await handler.TickAsync();
            result.Problems.Should().BeEmpty();
            emitted.AddRange(result.Emitted);
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        emitted.Should().ContainSingle().Which.Key.Value.Should().Be("zhanaozen|Y2025|P0D");
        storage.Records.Should().ContainSingle().Which.State.Should().Be(OccurrenceState.Fired);
    }

    [Fact]
    public async Task TickAsync_TwoHandlersTickingAtTheSameTime_EmitEachOccurrenceExactlyOnce()
    {
        var storage = new InMemoryScheduleStorage();
        for (var i = 0; i < 25; i++)
        {
            storage.Add(Zhanaozen($"anniversary-{i}"));
        }

        var now = ZhanaozenFire2025 + Duration.FromSeconds(5);
        var first = Handler(storage, ClockAt(now));
        var second = Handler(storage, ClockAt(now));

        var results = await Task.WhenAll(first.TickAsync(), second.TickAsync());

        var keys = results.SelectMany(r => r.Emitted).Select(e => e.Key.Value).ToList();
        keys.Should().HaveCount(25).And.OnlyHaveUniqueItems();
        results.Sum(r => r.AlreadyRecorded).Should().Be(25, "each handler lost the claims the other won");
        results.Should().AllSatisfy(r => r.Problems.Should().BeEmpty());
    }

    [Fact]
    public async Task TickAsync_OccurrenceBeyondTheGracePeriod_IsRecordedMissedAndNotEmitted()
    {
        var lastTick = ZhanaozenFire2025 - Duration.FromMinutes(1);
        var now = ZhanaozenFire2025 + Duration.FromMinutes(20);
        _ticks.Setup(t => t.GetLastTickAsync(It.IsAny<CancellationToken>())).ReturnsAsync(lastTick);
        _schedules.Setup(s => s.GetActivePageAsync(lastTick - Grace, 100, null, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new SchedulePage([new StoredSchedule(Zhanaozen(), "e1")], [], null));
        _occurrences.Setup(o => o.InsertAsync(
                It.Is<OccurrenceRecord>(r => r.Key.Value == "zhanaozen|Y2025|P0D" && r.State == OccurrenceState.Missed && r.AlertId == null),
                It.IsAny<CancellationToken>()))
            .ReturnsAsync((OccurrenceRecord r, CancellationToken _) => new OccurrenceInsert(true, new StoredOccurrence(r, "m1")));
        _ticks.Setup(t => t.AdvanceLastTickAsync(now, It.IsAny<CancellationToken>())).ReturnsAsync(now);

        var result = await Handler(_schedules.Object, _occurrences.Object, _ticks.Object, ClockAt(now), _publisher.Object).TickAsync();

        result.Problems.Should().BeEmpty();
        result.Emitted.Should().BeEmpty();
        result.Missed.Select(k => k.Value).Should().Equal("zhanaozen|Y2025|P0D");
        _publisher.Verify(p => p.PublishAsync(It.IsAny<AlertEvent>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task TickAsync_StorageFailsAfterAClaim_KeepsThePublishedEventAndDoesNotAdvance()
    {
        var now = ZhanaozenFire2025 + Duration.FromSeconds(5);
        _ticks.Setup(t => t.GetLastTickAsync(It.IsAny<CancellationToken>())).ReturnsAsync(now - Duration.FromMinutes(1));
        _schedules.Setup(s => s.GetActivePageAsync(It.IsAny<Instant>(), 100, null, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new SchedulePage([new StoredSchedule(Zhanaozen("a"), "e1"), new StoredSchedule(Zhanaozen("b"), "e2")], [], null));
        _occurrences.Setup(o => o.InsertAsync(It.Is<OccurrenceRecord>(r => r.Key.Value == "a|Y2025|P0D"), It.IsAny<CancellationToken>()))
            .ReturnsAsync((OccurrenceRecord r, CancellationToken _) => new OccurrenceInsert(true, new StoredOccurrence(r, "c1")));
        _occurrences.Setup(o => o.TryMarkFiredAsync(It.Is<OccurrenceKey>(k => k.Value == "a|Y2025|P0D"), "c1", It.IsAny<CancellationToken>()))
            .ReturnsAsync(true);
        _occurrences.Setup(o => o.InsertAsync(It.Is<OccurrenceRecord>(r => r.Key.Value == "b|Y2025|P0D"), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new IOException("503 ServerBusy"));
        _publisher.Setup(p => p.PublishAsync(It.Is<AlertEvent>(e => e.EventId.Value == "a"), It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);

        var result = await Handler(_schedules.Object, _occurrences.Object, _ticks.Object, ClockAt(now), _publisher.Object).TickAsync();

        result.Emitted.Select(e => e.Key.Value).Should().Equal("a|Y2025|P0D");
        result.LastTickAdvanced.Should().BeFalse();
        result.Problems.Should().ContainSingle().Which.Reason.Should().Contain("IOException").And.Contain("503 ServerBusy");
        _ticks.Verify(t => t.AdvanceLastTickAsync(It.IsAny<Instant>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task TickAsync_UnreadableScheduleAndLaterPages_ReportsItAndFiresTheRest()
    {
        var now = ZhanaozenFire2025 + Duration.FromSeconds(5);
        _ticks.Setup(t => t.GetLastTickAsync(It.IsAny<CancellationToken>())).ReturnsAsync((Instant?)null);
        _schedules.Setup(s => s.GetActivePageAsync(now - Grace, 100, null, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new SchedulePage([], [new UnreadableSchedule("broken", "Reminders: is missing")], "next"));
        _schedules.Setup(s => s.GetActivePageAsync(now - Grace, 100, "next", It.IsAny<CancellationToken>()))
            .ReturnsAsync(new SchedulePage([new StoredSchedule(Zhanaozen(), "e1")], [], null));
        _occurrences.Setup(o => o.InsertAsync(It.IsAny<OccurrenceRecord>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((OccurrenceRecord r, CancellationToken _) => new OccurrenceInsert(true, new StoredOccurrence(r, "c1")));
        _occurrences.Setup(o => o.TryMarkFiredAsync(It.IsAny<OccurrenceKey>(), "c1", It.IsAny<CancellationToken>())).ReturnsAsync(true);
        _publisher.Setup(p => p.PublishAsync(It.IsAny<AlertEvent>(), It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);
        _ticks.Setup(t => t.AdvanceLastTickAsync(now, It.IsAny<CancellationToken>())).ReturnsAsync(now);

        var result = await Handler(_schedules.Object, _occurrences.Object, _ticks.Object, ClockAt(now), _publisher.Object).TickAsync();

        result.Problems.Should().Equal(new ScheduleTickProblem("schedule broken", "Reminders: is missing"));
        result.Emitted.Should().ContainSingle();
        result.LastTickAdvanced.Should().BeTrue();
    }

    [Fact]
    public async Task PostponeTrialAsync_RecomputesTheRemindersAndTheNextTickEmitsTheNotice()
    {
        var storage = new InMemoryScheduleStorage();
        storage.Add(Trial());
        var clock = ClockAt(I("2025-03-07T09:30:00Z"));
        var handler = Handler(storage, clock);
        (await handler.TickAsync()).Emitted.Select(e => e.Key.Value).Should().Equal("trial-42|H20250314T093000|P7D");

        clock.Set(I("2025-03-10T12:00:00Z"));
        var change = await handler.PostponeTrialAsync(new ScheduleId("trial-42"), L("2025-04-04T09:30"), notify: true);

        change.Withdrawn.Select(o => o.Key.Value).Should().BeEquivalentTo("trial-42|H20250314T093000|P1D", "trial-42|H20250314T093000|P0D@07:00");
        change.AlreadyFired.Select(k => k.Value).Should().Equal("trial-42|H20250314T093000|P7D");
        var stored = (await storage.GetAsync(new ScheduleId("trial-42")))!.Schedule.Schedule.Should().BeOfType<TrialSchedule>().Subject;
        stored.Revision.Should().Be(1);
        stored.Hearing.Should().Be(L("2025-04-04T09:30"));
        storage.Records.Where(r => r.State == OccurrenceState.Withdrawn).Should().HaveCount(2);

        clock.Set(I("2025-03-10T12:01:00Z"));
        var notice = (await handler.TickAsync()).Emitted.Should().ContainSingle().Subject;
        notice.Key.Value.Should().Be("trial-42|R1|MOVED");
        notice.Event.Kind.Should().Be(EventKind.TrialPostponed);
        notice.Event.EventId.Value.Should().Be("trial-42-r1");
        notice.Event.Occurrence.Canonical.Should().Be("2025-04-04T09:30:00 Europe/London");
        notice.Event.Reminder.Should().Be(AlertPipeline.Core.Events.Reminder.Immediate);
        notice.Event.Variables["previousDate"].Should().Be("2025-03-14");
        notice.Event.Variables["previousTime"].Should().Be("09:30");
        notice.Event.Templates.Single().Sms.Should().Contain("{{previousDate}}");

        clock.Set(I("2025-03-13T09:30:00Z"));
        (await handler.TickAsync()).Emitted.Should().BeEmpty("the old day-before reminder was withdrawn");
        clock.Set(I("2025-03-28T09:30:00Z"));
        var reminder = (await handler.TickAsync()).Emitted.Should().ContainSingle().Subject;
        reminder.Key.Value.Should().Be("trial-42|H20250404T093000|P7D");
        reminder.Event.Kind.Should().Be(EventKind.TrialDate);
        reminder.Event.Occurrence.Canonical.Should().Be("2025-04-04T09:30:00 Europe/London");
    }

    [Fact]
    public async Task PostponeTrialAsync_BackToAnEarlierDate_ReinstatesItsWithdrawnReminders()
    {
        var storage = new InMemoryScheduleStorage();
        storage.Add(Trial());
        var clock = ClockAt(I("2025-03-01T12:00:00Z"));
        var handler = Handler(storage, clock);
        var id = new ScheduleId("trial-42");

        await handler.PostponeTrialAsync(id, L("2025-04-04T09:30"), notify: false);
        clock.Set(I("2025-03-01T12:05:00Z"));
        await handler.PostponeTrialAsync(id, L("2025-03-14T09:30"), notify: false);

        storage.Records.Where(r => r.Key.Value.Contains("H20250314", StringComparison.Ordinal)).Should().BeEmpty();
        clock.Set(I("2025-03-13T09:30:00Z"));
        (await handler.TickAsync()).Emitted.Select(e => e.Key.Value).Should().Equal("trial-42|H20250314T093000|P1D");
    }

    [Fact]
    public async Task CancelTrialAsync_WithdrawsPendingRemindersAndTheNextTickEmitsOnlyTheNotice()
    {
        var storage = new InMemoryScheduleStorage();
        storage.Add(Trial());
        var clock = ClockAt(I("2025-03-12T08:00:00Z"));
        var handler = Handler(storage, clock);

        var change = await handler.CancelTrialAsync(new ScheduleId("trial-42"), notify: true);

        change.Withdrawn.Select(o => o.Key.Value).Should().BeEquivalentTo(
            "trial-42|H20250314T093000|P1D", "trial-42|H20250314T093000|P0D@07:00", "trial-42|H20250314T093000|P7D");
        var emitted = new List<ScheduledAlertEvent>();
        foreach (var at in new[] { "2025-03-12T08:01:00Z", "2025-03-13T09:30:00Z", "2025-03-14T07:00:00Z", "2025-03-14T09:30:00Z" })
        {
            clock.Set(I(at));
            emitted.AddRange((await handler.TickAsync()).Emitted);
        }

        var notice = emitted.Should().ContainSingle().Subject;
        notice.Key.Value.Should().Be("trial-42|R1|CANCELLED");
        notice.Event.Kind.Should().Be(EventKind.TrialCancelled);
        notice.Event.TemplateRef!.Name.Should().Be("hearing-cancelled");
        notice.Event.Occurrence.Canonical.Should().Be("2025-03-14T09:30:00 Europe/London");
    }

    [Fact]
    public async Task CancelTrialAsync_TickStillHoldingTheOldSchedule_CannotClaimAWithdrawnReminder()
    {
        var storage = new InMemoryScheduleStorage();
        var old = storage.Add(Trial());
        var morningOf = I("2025-03-14T07:00:00Z");
        var clock = ClockAt(morningOf);
        await Handler(storage, clock).CancelTrialAsync(old.Schedule.Id, notify: false);

        // A tick on another host read the schedules just before the cancellation was stored.
        var stale = new Mock<IScheduleStore>(MockBehavior.Strict);
        stale.Setup(s => s.GetActivePageAsync(It.IsAny<Instant>(), It.IsAny<int>(), null, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new SchedulePage([old], [], null));
        var result = await Handler(stale.Object, storage, storage, clock).TickAsync();

        result.Emitted.Should().BeEmpty();
        result.AlreadyRecorded.Should().Be(1);
    }

    [Fact]
    public async Task PostponeTrialAsync_ScheduleChangedMeanwhile_ThrowsAndWithdrawsNothing()
    {
        var trial = Trial();
        var now = I("2025-03-10T12:00:00Z");
        _schedules.Setup(s => s.GetAsync(trial.Id, It.IsAny<CancellationToken>())).ReturnsAsync(new StoredSchedule(trial, "e1"));
        _occurrences.Setup(o => o.ListAsync(trial.Id, It.IsAny<CancellationToken>())).ReturnsAsync([]);
        _schedules.Setup(s => s.TryReplaceAsync(
                It.Is<ScheduledAlert>(a => ((TrialSchedule)a.Schedule).Revision == 1), "e1", It.IsAny<CancellationToken>()))
            .ReturnsAsync((StoredSchedule?)null);

        var act = () => Handler(_schedules.Object, _occurrences.Object, _ticks.Object, ClockAt(now))
            .PostponeTrialAsync(trial.Id, L("2025-04-04T09:30"), notify: true);

        await act.Should().ThrowAsync<ScheduleConcurrencyException>();
        _occurrences.Verify(o => o.TryRecordAsync(It.IsAny<OccurrenceRecord>(), It.IsAny<CancellationToken>()), Times.Never);
        _schedules.VerifyAll();
    }

    [Fact]
    public async Task PostponeTrialAsync_AnAnniversaryOrUnknownId_IsRefused()
    {
        var storage = new InMemoryScheduleStorage();
        storage.Add(Zhanaozen());
        var handler = Handler(storage, ClockAt(I("2025-03-10T12:00:00Z")));

        await handler.Invoking(h => h.PostponeTrialAsync(new ScheduleId("zhanaozen"), L("2025-04-04T09:30"), true))
            .Should().ThrowAsync<InvalidOperationException>().WithMessage("*anniversary, not a trial*");
        await handler.Invoking(h => h.CancelTrialAsync(new ScheduleId("nope"), true))
            .Should().ThrowAsync<ScheduleNotFoundException>();
    }

    [Fact]
    public async Task PostponeTrialAsync_WithNoticeButNoNoticeTemplates_IsRefusedBeforeAnyWrite()
    {
        var storage = new InMemoryScheduleStorage();
        var trial = Trial();
        storage.Add(new ScheduledAlert(trial.CampaignId, trial.Schedule, Content(notices: false)));
        var handler = Handler(storage, ClockAt(I("2025-03-10T12:00:00Z")));

        await handler.Invoking(h => h.PostponeTrialAsync(trial.Id, L("2025-04-04T09:30"), notify: true))
            .Should().ThrowAsync<ArgumentException>().WithMessage("*HearingMoved notice*no templates*");
        ((TrialSchedule)(await storage.GetAsync(trial.Id))!.Schedule.Schedule).Revision.Should().Be(0);
        storage.Records.Should().BeEmpty();
    }

    [Fact]
    public async Task EmittedEvent_SerializedAndParsedWithTheContractParser_IsTheSameEventAndAlert()
    {
        var storage = new InMemoryScheduleStorage();
        storage.Add(Zhanaozen(reminders: ["P7D", "P1D@18:00", "PT2H", "P0D"]));
        var emitted = new List<ScheduledAlertEvent>();
        var clock = ClockAt(I("2025-12-09T04:59:00Z"));
        var handler = Handler(storage, clock);
        foreach (var at in new[] { "2025-12-09T05:00:00Z", "2025-12-15T13:00:00Z", "2025-12-16T03:00:00Z", "2025-12-16T05:00:00Z" })
        {
            clock.Set(I(at));
            emitted.AddRange((await handler.TickAsync()).Emitted);
        }

        emitted.Select(e => e.Event.Reminder.Canonical).Should().Equal("P7D", "PT16H", "PT2H", "P0D");
        foreach (var e in emitted)
        {
            var parsed = AlertEventParser.Parse(AlertEventSerializer.Serialize(e.Event));
            parsed.IsSuccess.Should().BeTrue(parsed.ToString());
            parsed.Value.Should().Be(e.Event);
            AlertId.For(parsed.Value).Should().Be(e.AlertId);
        }

        var json = AlertEventSerializer.Serialize(emitted[0].Event);
        json.Should().Contain("\"occurredAt\":\"2025-12-09T05:00:00Z\"").And.Contain("\"expiresAt\":\"2025-12-16T05:00:00Z\"");
        InstantPattern.ExtendedIso.Format(emitted[1].Event.OccurredAt).Should().Be("2025-12-15T13:00:00Z", "18:00 in Aqtau (UTC+5)");
    }
}
