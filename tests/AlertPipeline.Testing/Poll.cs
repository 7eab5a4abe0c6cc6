using System.Diagnostics;

namespace AlertPipeline.Testing;

/// <summary>Bounded polling: tests wait for a condition, never for luck.</summary>
public static class Poll
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Polls <paramref name="probe"/> until it returns true, or throws a TimeoutException naming <paramref name="what"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> probe, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var watch = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            if (await probe().ConfigureAwait(false))
            {
                return;
            }

            if (watch.Elapsed > limit)
            {
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#}s waiting for {what}.");
            }

            await Task.Delay(delay).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
        }
    }

    public static Task UntilAsync(Func<bool> probe, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(probe()), what, timeout);

    /// <summary>Polls until <paramref name="probe"/> returns a value satisfying <paramref name="done"/>, and returns it.</summary>
    public static async Task<T> ForAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        T last = default!;
        await UntilAsync(async () => done(last = await probe().ConfigureAwait(false)), what, timeout).ConfigureAwait(false);
        return last;
    }
}
