using NodaTime;

namespace AlertPipeline.Core.Scheduling;

/// <summary>The decision for one message under quiet hours: send at an instant, or don't send because it expired.</summary>
public abstract record DeferResult
{
    private protected DeferResult()
    {
    }

    /// <summary>Send at <paramref name="At"/>; <paramref name="Deferred"/> says whether quiet hours moved it.</summary>
    public sealed record Send(Instant At, bool Deferred) : DeferResult;

    /// <summary>Don't send: the earliest allowed instant, <paramref name="EarliestSend"/>, is after <paramref name="Expiry"/>.
    /// Record it (e.g. as a skipped delivery), don't drop it silently.</summary>
    public sealed record Expired(Instant EarliestSend, Instant Expiry) : DeferResult;
}

/// <summary>
/// Local hours in which a contact is not messaged, e.g. 21:00–08:00. Start is inclusive, end exclusive: a message due
/// at 21:00 waits, one due at 08:00 goes. When start is after end the window spans midnight. Start equal to end is
/// rejected (no quiet hours is expressed by having no <see cref="QuietHours"/>).
/// </summary>
public sealed record QuietHours
{
    public QuietHours(LocalTime start, LocalTime end)
    {
        if (start == end)
        {
            throw new ArgumentException(
                $"Quiet hours start and end are both {start:HH':'mm}; that is neither empty nor a whole day — give two different times.",
                nameof(end));
        }

        Start = start;
        End = end;
    }

    public LocalTime Start { get; }

    public LocalTime End { get; }

    public bool SpansMidnight => Start > End;

    /// <summary>Whether a local clock reading falls in quiet hours.</summary>
    public bool Contains(LocalTime time) =>
        SpansMidnight ? time >= Start || time < End : time >= Start && time < End;

    /// <summary>Whether <paramref name="instant"/> is in quiet hours for a contact in <paramref name="zone"/>.</summary>
    public bool IsQuietAt(Instant instant, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return Contains(instant.InZone(zone).TimeOfDay);
    }

    /// <summary>
    /// When to send a message due at <paramref name="due"/> to a contact in <paramref name="contactZone"/>: unchanged
    /// outside quiet hours; otherwise the first moment after <paramref name="due"/> at which the contact's clock reads
    /// <see cref="End"/> (if that local time is skipped by a DST gap, shifted forward by the gap; if it occurs twice,
    /// the first occurrence after <paramref name="due"/>). If the send instant is after <paramref name="expiry"/>,
    /// the result is <see cref="DeferResult.Expired"/>. Sending exactly at the expiry is allowed.
    /// </summary>
    public DeferResult Defer(Instant due, DateTimeZone contactZone, Instant? expiry = null)
    {
        ArgumentNullException.ThrowIfNull(contactZone);
        var local = due.InZone(contactZone).LocalDateTime;
        var send = due;
        var deferred = false;
        if (Contains(local.TimeOfDay))
        {
            var endDate = SpansMidnight && local.TimeOfDay >= Start ? local.Date.PlusDays(1) : local.Date;
            send = FirstAfter(endDate.At(End), contactZone, due);
            deferred = true;
        }

        if (expiry is { } limit && send > limit)
        {
            return new DeferResult.Expired(send, limit);
        }

        return new DeferResult.Send(send, deferred);
    }

    private static Instant FirstAfter(LocalDateTime local, DateTimeZone zone, Instant after)
    {
        var mapping = zone.MapLocal(local);
        switch (mapping.Count)
        {
            case 0:
                return ScheduleTime.Resolve(local, zone).ToInstant();
            case 1:
                return mapping.Single().ToInstant();
            default:
                var first = mapping.First().ToInstant();
                return first > after ? first : mapping.Last().ToInstant();
        }
    }
}
