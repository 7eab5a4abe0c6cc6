using AlertPipeline.LocalHost.Queues;

namespace AlertPipeline.UnitTests.LocalHost;

public sealed class PollingBackoffTests
{
    [Fact]
    public void NextDelay_MidpointRandom_DoublesFrom100Milliseconds()
    {
        var backoff = new PollingBackoff(TimeSpan.FromMinutes(1), () => 0.5);

        Enumerable.Range(0, 5).Select(_ => backoff.NextDelay().TotalMilliseconds).Should().Equal(100, 200, 400, 800, 1600);
    }

    [Theory]
    [InlineData(0.0, 80)]
    [InlineData(0.999999, 120)]
    public void NextDelay_RandomFactor_Between80And120Percent(double random, double expectedFirst)
    {
        var backoff = new PollingBackoff(TimeSpan.FromMinutes(1), () => random);

        backoff.NextDelay().TotalMilliseconds.Should().BeApproximately(expectedFirst, 0.01);
        backoff.NextDelay().TotalMilliseconds.Should().BeApproximately(expectedFirst * 2, 0.01);
    }

    [Fact]
    public void NextDelay_CappedAtMaxPollingInterval()
    {
        var backoff = new PollingBackoff(TimeSpan.FromSeconds(2), () => 0.999);

        var delays = Enumerable.Range(0, 40).Select(_ => backoff.NextDelay()).ToList();

        delays.Should().OnlyContain(d => d <= TimeSpan.FromSeconds(2));
        delays[^1].Should().Be(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void Reset_AfterMessages_StartsAgainAt100Milliseconds()
    {
        var backoff = new PollingBackoff(TimeSpan.FromMinutes(1), () => 0.5);
        backoff.NextDelay();
        backoff.NextDelay();
        backoff.NextDelay();

        backoff.Reset();

        backoff.EmptyPolls.Should().Be(0);
        backoff.NextDelay().Should().Be(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Constructor_MaximumBelow100Milliseconds_UsesTheMinimum() =>
        new PollingBackoff(TimeSpan.FromMilliseconds(10), () => 0.5).NextDelay().Should().Be(TimeSpan.FromMilliseconds(100));

    [Fact]
    public void NextDelay_DefaultRandom_StaysInRange()
    {
        var backoff = new PollingBackoff(TimeSpan.FromMinutes(1));

        backoff.NextDelay().TotalMilliseconds.Should().BeInRange(80, 120);
        backoff.NextDelay().TotalMilliseconds.Should().BeInRange(160, 240);
    }
}
