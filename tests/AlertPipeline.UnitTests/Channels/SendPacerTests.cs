using AlertPipeline.Infrastructure.Twilio;
using AlertPipeline.Testing;

namespace AlertPipeline.UnitTests.Channels;

public class SendPacerTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public async Task WaitAsync_RateZero_NeverWaits()
    {
        var pacer = new SendPacer(0, _time);

        for (var i = 0; i < 1000; i++)
        {
            var wait = pacer.WaitAsync(10).AsTask();
            wait.IsCompletedSuccessfully.Should().BeTrue();
            await wait;
        }

        pacer.IsUnlimited.Should().BeTrue();
    }

    [Fact]
    public void WaitAsync_WithinBurst_CompletesAtOnce()
    {
        var pacer = new SendPacer(5, _time);

        for (var i = 0; i < 5; i++)
        {
            pacer.WaitAsync(1).AsTask().IsCompletedSuccessfully.Should().BeTrue($"send {i} is within one second's burst of 5");
        }
    }

    [Fact]
    public async Task WaitAsync_BeyondBurst_WaitsForTheRefill()
    {
        var pacer = new SendPacer(1, _time);
        await pacer.WaitAsync(1);

        var second = pacer.WaitAsync(1).AsTask();
        second.IsCompleted.Should().BeFalse();

        _time.Advance(TimeSpan.FromMilliseconds(999));
        second.IsCompleted.Should().BeFalse();

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await second.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task WaitAsync_MultiSegmentMessage_CostsEachSegment()
    {
        var pacer = new SendPacer(2, _time);
        await pacer.WaitAsync(2);

        var three = pacer.WaitAsync(3).AsTask();
        pacer.EstimateWait(1).Should().Be(TimeSpan.FromSeconds(2));

        _time.Advance(TimeSpan.FromMilliseconds(1400));
        three.IsCompleted.Should().BeFalse("3 segments at 2/s need 1.5 s");
        _time.Advance(TimeSpan.FromMilliseconds(100));
        await three.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task WaitAsync_ConcurrentCallers_AreReleasedOnePerInterval()
    {
        var pacer = new SendPacer(1, _time);
        await pacer.WaitAsync(1);

        var waiters = Enumerable.Range(0, 4).Select(_ => pacer.WaitAsync(1).AsTask()).ToList();
        var completedPerStep = new List<int>();
        for (var step = 0; step < 4; step++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Poll.UntilAsync(() => waiters.Count(w => w.IsCompleted) >= step + 1, "a waiter to be released", TimeSpan.FromSeconds(5));
            completedPerStep.Add(waiters.Count(w => w.IsCompleted));
        }

        completedPerStep.Should().Equal(1, 2, 3, 4);
    }

    [Fact]
    public async Task WaitAsync_ManyThreads_NeverExceedsRateOverTime()
    {
        var pacer = new SendPacer(10, _time);
        var released = 0;
        var tasks = Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            await pacer.WaitAsync(1);
            Interlocked.Increment(ref released);
        })).ToList();

        await Poll.UntilAsync(() => Volatile.Read(ref released) == 10 && _time.ActiveTimerCount == 40, "the burst to pass and 40 waiters to queue", TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(2));
        await Poll.UntilAsync(() => Volatile.Read(ref released) == 30, "two more seconds' worth", TimeSpan.FromSeconds(10));
        Volatile.Read(ref released).Should().Be(30);

        _time.Advance(TimeSpan.FromSeconds(2));
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(10));
        released.Should().Be(50);
    }

    [Fact]
    public async Task WaitAsync_Cancelled_ThrowsAndGivesTheReservationBack()
    {
        var pacer = new SendPacer(1, _time);
        await pacer.WaitAsync(1);
        using var cts = new CancellationTokenSource();

        var cancelled = pacer.WaitAsync(1, cts.Token).AsTask();
        await cts.CancelAsync();

        await FluentActions.Awaiting(() => cancelled).Should().ThrowAsync<OperationCanceledException>();
        pacer.EstimateWait(1).Should().Be(TimeSpan.FromSeconds(1), "the cancelled caller's segment is no longer reserved");
    }

    [Fact]
    public async Task WaitAsync_AfterIdle_BurstIsCappedAtOneSecond()
    {
        var pacer = new SendPacer(2, _time);
        _time.Advance(TimeSpan.FromMinutes(10));

        await pacer.WaitAsync(2);

        pacer.WaitAsync(1).AsTask().IsCompleted.Should().BeFalse("idle time does not bank more than one second's burst");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Constructor_BadRate_NamesTheProblem(double rate) =>
        FluentActions.Invoking(() => new SendPacer(rate, _time)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*segments per second*");

    [Fact]
    public async Task WaitAsync_ZeroSegments_Throws() =>
        await FluentActions.Awaiting(() => new SendPacer(1, _time).WaitAsync(0).AsTask()).Should().ThrowAsync<ArgumentOutOfRangeException>();
}
