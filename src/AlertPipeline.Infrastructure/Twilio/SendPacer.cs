namespace AlertPipeline.Infrastructure.Twilio;

/// <summary>
/// A token bucket over message segments: at most <see cref="SegmentsPerSecond"/> on average, with a burst of one
/// second's worth (at least one message). Callers reserve their segments in arrival order, so concurrent senders
/// queue fairly; a cancelled wait gives its reservation back. A rate of 0 means unlimited. Per process: N instances
/// of the function app each pace to the full rate, so configure rate / instances.
/// </summary>
public sealed class SendPacer
{
    private readonly TimeProvider _time;
    private readonly double _capacity;
    private readonly Lock _gate = new();
    private double _tokens;
    private long _lastRefill;

    public SendPacer(double segmentsPerSecond, TimeProvider? timeProvider = null, double? burst = null)
    {
        if (double.IsNaN(segmentsPerSecond) || double.IsInfinity(segmentsPerSecond) || segmentsPerSecond < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(segmentsPerSecond), segmentsPerSecond, "The pacing rate must be 0 (unlimited) or a positive number of segments per second.");
        }

        if (burst is { } b && (double.IsNaN(b) || b < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(burst), burst, "The burst must be at least one segment.");
        }

        SegmentsPerSecond = segmentsPerSecond;
        _time = timeProvider ?? TimeProvider.System;
        _capacity = burst ?? Math.Max(1, segmentsPerSecond);
        _tokens = _capacity;
        _lastRefill = _time.GetTimestamp();
    }

    public double SegmentsPerSecond { get; }

    public bool IsUnlimited => SegmentsPerSecond == 0;

    /// <summary>Waits until <paramref name="segments"/> segments may be sent, then counts them as sent.</summary>
    public async ValueTask WaitAsync(int segments, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(segments);
        cancellationToken.ThrowIfCancellationRequested();
        if (IsUnlimited)
        {
            return;
        }

        var wait = Reserve(segments);
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            lock (_gate)
            {
                _tokens = Math.Min(_capacity, _tokens + segments);
            }

            throw;
        }
    }

    /// <summary>The delay before <paramref name="segments"/> more could go, without reserving them.</summary>
    public TimeSpan EstimateWait(int segments)
    {
        if (IsUnlimited)
        {
            return TimeSpan.Zero;
        }

        lock (_gate)
        {
            Refill();
            var deficit = segments - _tokens;
            return deficit <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(deficit / SegmentsPerSecond);
        }
    }

    private TimeSpan Reserve(int segments)
    {
        lock (_gate)
        {
            Refill();
            _tokens -= segments;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / SegmentsPerSecond);
        }
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_lastRefill, now);
        _lastRefill = now;
        if (elapsed > TimeSpan.Zero)
        {
            _tokens = Math.Min(_capacity, _tokens + (elapsed.TotalSeconds * SegmentsPerSecond));
        }
    }
}
