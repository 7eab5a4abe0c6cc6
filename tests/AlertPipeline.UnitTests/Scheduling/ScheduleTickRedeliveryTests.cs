using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Scheduling;
using AlertPipeline.Core.Scheduling.Ports;
using Moq;
using NodaTime;
using static AlertPipeline.UnitTests.Scheduling.ScheduleFixtures;

namespace AlertPipeline.UnitTests.Scheduling;

/// <summary>The two-phase claim: Claimed → publish → Fired, and redelivery of claims whose enqueue was never confirmed.</summary>
public class ScheduleTickRedeliveryTests
{
    private static readonly OccurrenceKey Key = OccurrenceKey.Parse("zhanaozen|Y2025|P0D");

    [Fact]
    public async Task TickAsync_PublishFailsAfterTheClaim_NextTickAfterTheThresholdPublishesItOnceAndMarksItFired()
    {
        var storage = new InMemoryScheduleStorage();
        storage.Add(Zhanaozen());
        var publisher = new RecordingPublisher { FailWith = new IOException("queue unavailable") };
        var clock = ClockAt(ZhanaozenFire2025 + Duration.FromSeconds(5));
        var handler = Handler(storage, clock, publisher);

        var failed = await handler.TickAsync();

        failed.Emitted.Should().BeEmpty();
        failed.LastTickAdvanced.Should().BeFalse();
        failed.Problems.Should().ContainSingle().Which.Reason.Should().Contain("queue unavailable");
        storage.Records.Should().ContainSingle().Which.State.Should().Be(OccurrenceState.Claimed);

        publisher.FailWith = null;
        clock.Set(ZhanaozenFire2025 + Duration.FromMinutes(1));
        var young = await handler.TickAsync();
        young.Redelivered.Should().BeEmpty("the claim is younger than RedeliverAfter");
        young.AlreadyRecorded.Should().Be(1);
        publisher.Published.Should().BeEmpty();

        var redelivered = new List<ScheduledAlertEvent>();
        for (var minute = 2; minute <= 20; minute++)
        {
            clock.Set(ZhanaozenFire2025 + Duration.FromMinutes(minute) + Duration.FromSeconds(5));
            var result = await handler.TickAsync();
            result.Problems.Should().BeEmpty();
            result.Emitted.Should().BeEmpty();
            redelivered.AddRange(result.Redelivered);
        }

        redelivered.Should().ContainSingle().Which.Key.Should().Be(Key);
        publisher.Published.Should().ContainSingle().Which.Should().Be(redelivered[0].Event);
        var record = storage.Records.Should().ContainSingle().Subject;
        record.State.Should().Be(OccurrenceState.Fired);
        record.AlertId.Should().Be(AlertId.For(publisher.Published[0]));
        record.RecordedAt.Should().Be(ZhanaozenFire2025 + Duration.FromSeconds(5), "the claim time stays");
    }

    [Fact]
    public async Task TickAsync_HostDiedBetweenClaimAndPublish_AnotherHostRepublishesTheSameAlertOnceAfterTheThreshold()
    {
        var storage = new InMemoryScheduleStorage();
        storage.Add(Zhanaozen());
        var claimedAt = ZhanaozenFire2025 + Duration.FromSeconds(10);

        // What the dead host would have published, and the claim it left behind.
        var expected = Zhanaozen().EventFor(
            SchedulePlanner.DueOccurrences([Zhanaozen().Schedule], null, ZhanaozenFire2025, Grace).Due.Single(), Grace);
        storage.Put(new OccurrenceRecord(Key, OccurrenceState.Claimed, ZhanaozenFire2025, claimedAt, AlertId.For(expected), expected.EventId));
        var publisher = new RecordingPublisher();
        var clock = ClockAt(claimedAt + RedeliverAfter - Duration.FromSeconds(1));
        var other = Handler(storage, clock, publisher);

        (await other.TickAsync()).Redelivered.Should().BeEmpty();
        clock.Set(claimedAt + RedeliverAfter);
        var result = await other.TickAsync();
        clock.Set(claimedAt + RedeliverAfter + Duration.FromMinutes(1));
        var next = await other.TickAsync();

        result.Redelivered.Should().ContainSingle().Which.AlertId.Should().Be(AlertId.For(expected));
        next.Redelivered.Should().BeEmpty();
        next.AlreadyRecorded.Should().Be(1);
        publisher.Published.Should().Equal(expected);
        storage.Records.Should().ContainSingle().Which.State.Should().Be(OccurrenceState.Fired);
    }

    [Fact]
    public async Task TickAsync_AnotherHostTicksWhileTheClaimerIsPublishing_DoesNotPublishItAgain()
    {
        var storage = new InMemoryScheduleStorage();
        storage.Add(Zhanaozen());
        var now = ZhanaozenFire2025 + Duration.FromSeconds(5);
        var gate = new GatedPublisher();
        var claimer = Handler(storage, ClockAt(now), gate);
        var otherPublisher = new RecordingPublisher();
        var other = Handler(storage, ClockAt(now + Duration.FromSeconds(50)), otherPublisher);

        var claiming = claimer.TickAsync();
        await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var otherResult = await other.TickAsync();
        gate.Release.SetResult();
        var claimerResult = await claiming.WaitAsync(TimeSpan.FromSeconds(10));

        otherResult.Redelivered.Should().BeEmpty();
        otherResult.Emitted.Should().BeEmpty();
        otherResult.AlreadyRecorded.Should().Be(1);
        otherPublisher.Published.Should().BeEmpty();
        claimerResult.Emitted.Should().ContainSingle();
        gate.Published.Should().ContainSingle();
        storage.Records.Should().ContainSingle().Which.State.Should().Be(OccurrenceState.Fired);
    }

    [Theory]
    [InlineData(OccurrenceState.Fired)]
    [InlineData(OccurrenceState.Missed)]
    [InlineData(OccurrenceState.Withdrawn)]
    public async Task TickAsync_RecordThatIsNotClaimed_IsNeverPublishedAgain(OccurrenceState state)
    {
        var storage = new InMemoryScheduleStorage();
        storage.Add(Zhanaozen());
        storage.Put(new OccurrenceRecord(Key, state, ZhanaozenFire2025, ZhanaozenFire2025 - Duration.FromDays(1)));
        var publisher = new Mock<IAlertEventPublisher>(MockBehavior.Strict);
        var clock = ClockAt(ZhanaozenFire2025);
        var handler = Handler(storage, clock, publisher.Object);

        for (var minute = 0; minute <= 14; minute++)
        {
            clock.Set(ZhanaozenFire2025 + Duration.FromMinutes(minute));
            var result = await handler.TickAsync();
            result.Problems.Should().BeEmpty();
            result.AlreadyRecorded.Should().Be(1);
        }

        publisher.Verify(p => p.PublishAsync(It.IsAny<AlertEvent>(), It.IsAny<CancellationToken>()), Times.Never);
        storage.Records.Should().ContainSingle().Which.State.Should().Be(state);
    }

    [Fact]
    public async Task TickAsync_RedeliveryLosesTheFiredUpdateToAnotherHost_StillCountsItAndReportsNoProblem()
    {
        var schedules = new InMemoryScheduleStorage();
        schedules.Add(Zhanaozen());
        var now = ZhanaozenFire2025 + Duration.FromMinutes(5);
        var occurrences = new Mock<IScheduleOccurrenceStore>(MockBehavior.Strict);
        var claim = new StoredOccurrence(new OccurrenceRecord(Key, OccurrenceState.Claimed, ZhanaozenFire2025, ZhanaozenFire2025), "old");
        occurrences.Setup(o => o.InsertAsync(It.Is<OccurrenceRecord>(r => r.Key == Key && r.State == OccurrenceState.Claimed), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new OccurrenceInsert(false, claim));
        occurrences.Setup(o => o.TryMarkFiredAsync(Key, "old", It.IsAny<CancellationToken>())).ReturnsAsync(false);
        var publisher = new Mock<IAlertEventPublisher>(MockBehavior.Strict);
        publisher.Setup(p => p.PublishAsync(It.Is<AlertEvent>(e => e.EventId.Value == "zhanaozen"), It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);

        var result = await Handler(schedules, occurrences.Object, schedules, ClockAt(now), publisher.Object).TickAsync();

        result.Problems.Should().BeEmpty();
        result.Redelivered.Should().ContainSingle();
        publisher.Verify(p => p.PublishAsync(It.IsAny<AlertEvent>(), It.IsAny<CancellationToken>()), Times.Once);
        occurrences.VerifyAll();
    }

    [Fact]
    public async Task TickAsync_ClaimStillUnconfirmedWhenTheGracePeriodEnds_IsReportedOnceAndNotSent()
    {
        var storage = new InMemoryScheduleStorage();
        storage.Add(Zhanaozen());
        storage.Put(new OccurrenceRecord(Key, OccurrenceState.Claimed, ZhanaozenFire2025, ZhanaozenFire2025, AlertId: null));
        await storage.AdvanceLastTickAsync(ZhanaozenFire2025 + Duration.FromMinutes(14));
        var publisher = new Mock<IAlertEventPublisher>(MockBehavior.Strict);
        var clock = ClockAt(ZhanaozenFire2025 + Duration.FromMinutes(15));
        var handler = Handler(storage, clock, publisher.Object);

        var result = await handler.TickAsync();
        clock.Set(ZhanaozenFire2025 + Duration.FromMinutes(16));
        var next = await handler.TickAsync();

        result.Problems.Should().ContainSingle().Which.Reason.Should().Contain("never confirmed").And.Contain("not sent again");
        result.Missed.Should().BeEmpty();
        next.Problems.Should().BeEmpty();
        storage.Records.Should().ContainSingle().Which.State.Should().Be(OccurrenceState.Claimed);
    }

    [Fact]
    public void Options_RedeliverAfterNotShorterThanTheGracePeriod_IsRejected()
    {
        var act = () => new ScheduleTickOptions(Duration.FromMinutes(5), redeliverAfter: Duration.FromMinutes(5));

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*RedeliverAfter must be positive and shorter than*");
        new ScheduleTickOptions().RedeliverAfter.Should().Be(Duration.FromMinutes(2));
    }

    /// <summary>Holds the first publish until released, so a second host can tick while the claimer is mid-publish.</summary>
    private sealed class GatedPublisher : IAlertEventPublisher
    {
        private readonly List<AlertEvent> _published = [];

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

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

        public async Task PublishAsync(AlertEvent alertEvent, CancellationToken cancellationToken = default)
        {
            Entered.TrySetResult();
            await Release.Task.ConfigureAwait(false);
            lock (_published)
            {
                _published.Add(alertEvent);
            }
        }
    }
}
