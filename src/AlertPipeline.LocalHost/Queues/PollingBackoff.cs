namespace AlertPipeline.LocalHost.Queues;

/// <summary>
/// The queue listener's randomized exponential back-off: after the n-th empty (or failed) poll in a row, wait
/// rand(0.8..1.2) × 2^(n−1) × 100 ms, capped at maxPollingInterval; a poll that returns messages resets it.
/// </summary>
internal sealed class PollingBackoff
{
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(100);

    private readonly TimeSpan _maximum;
    private readonly Func<double> _random;
    private int _emptyPolls;

    /// <param name="maximum">maxPollingInterval (at least 100 ms).</param>
    /// <param name="random">A source of numbers in [0, 1) (tests pass a fixed one).</param>
    public PollingBackoff(TimeSpan maximum, Func<double>? random = null)
    {
        _maximum = maximum < MinimumInterval ? MinimumInterval : maximum;
        _random = random ?? Random.Shared.NextDouble;
    }

    /// <summary>Empty polls in a row so far.</summary>
    public int EmptyPolls => _emptyPolls;

    /// <summary>Records an empty or failed poll and returns how long to wait before the next one.</summary>
    public TimeSpan NextDelay()
    {
        _emptyPolls = Math.Min(_emptyPolls + 1, 30);
        var factor = 0.8 + (0.4 * _random());
        var milliseconds = factor * Math.Pow(2, _emptyPolls - 1) * MinimumInterval.TotalMilliseconds;
        return milliseconds >= _maximum.TotalMilliseconds ? _maximum : TimeSpan.FromMilliseconds(milliseconds);
    }

    /// <summary>A poll returned messages.</summary>
    public void Reset() => _emptyPolls = 0;
}
