using System.Collections.Concurrent;
using System.Diagnostics;

namespace AlertPipeline.Testing.Faults;

/// <summary>
/// Storms: quiet gaps and stormy spells of random length (from the run's seed). During a storm each Twilio
/// message-create request and each new SMTP connection gets a fault with the storm's probability, its kind drawn at
/// random: Twilio 429, 500, 503, a hang (the app's network timeout, nothing accepted), an accepted message whose
/// answer never comes, a slow answer; SMTP a 421 refusal, a reset at connect, a cut before DATA, a cut after the
/// message went through but before its 250 reached the sender.
/// </summary>
/// <remarks>Storm times come from <paramref name="timing"/>, per-request draws from <paramref name="draws"/>, so the storms' times
/// repeat with the seed even though how many requests fall into a storm depends on the machine.</remarks>
public sealed class StormSchedule(FaultRunOptions options, Random timing, Random draws)
{
    private static readonly TwilioFault[] TwilioKinds =
    [
        TwilioFault.TooManyRequests, TwilioFault.ServerError, TwilioFault.ServiceUnavailable,
        TwilioFault.Hang, TwilioFault.AcceptThenHang, TwilioFault.Slow,
    ];

    private static readonly SmtpFault[] SmtpKinds = [SmtpFault.Refuse, SmtpFault.DropAtConnect, SmtpFault.DropBeforeData, SmtpFault.DropAfterData];

    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, int> _injected = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(TimeSpan Start, TimeSpan End)> _windows = new();
    private volatile bool _active;

    public int Storms { get; private set; }

    /// <summary>When the last storm ended (from the run's clock).</summary>
    public TimeSpan? LastStormEnd { get; private set; }

    /// <summary>Every storm so far, from its start to its end (the run's clock).</summary>
    public IReadOnlyList<(TimeSpan Start, TimeSpan End)> Windows => [.. _windows];

    /// <summary>Faults handed out, by kind (<c>twilio:TooManyRequests</c>, <c>smtp:Refuse</c>, …).</summary>
    public IReadOnlyDictionary<string, int> Injected => new SortedDictionary<string, int>(_injected, StringComparer.Ordinal);

    public TwilioFault? NextTwilio()
    {
        if (!_active)
        {
            return null;
        }

        TwilioFault fault;
        lock (_gate)
        {
            if (draws.NextDouble() >= options.StormFaultRate)
            {
                return null;
            }

            fault = TwilioKinds[draws.Next(TwilioKinds.Length)];
        }

        _injected.AddOrUpdate("twilio:" + fault, 1, (_, n) => n + 1);
        return fault;
    }

    public SmtpFault NextSmtp()
    {
        if (!_active)
        {
            return SmtpFault.None;
        }

        SmtpFault fault;
        lock (_gate)
        {
            if (draws.NextDouble() >= options.StormFaultRate)
            {
                return SmtpFault.None;
            }

            fault = SmtpKinds[draws.Next(SmtpKinds.Length)];
        }

        _injected.AddOrUpdate("smtp:" + fault, 1, (_, n) => n + 1);
        return fault;
    }

    /// <summary>Alternates gaps and storms until <paramref name="stop"/> is cancelled (a storm in progress ends at once).</summary>
    public async Task RunAsync(Stopwatch clock, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(Draw(options.StormGap), stop).ConfigureAwait(false);
                _active = true;
                Storms++;
                var start = clock.Elapsed;
                try
                {
                    await Task.Delay(Draw(options.StormLength), stop).ConfigureAwait(false);
                }
                finally
                {
                    _active = false;
                    LastStormEnd = clock.Elapsed;
                    _windows.Enqueue((start, clock.Elapsed));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The run stopped the storms.
        }
    }

    private TimeSpan Draw((TimeSpan Min, TimeSpan Max) range)
    {
        lock (_gate)
        {
            return range.Min + ((range.Max - range.Min) * timing.NextDouble());
        }
    }
}
