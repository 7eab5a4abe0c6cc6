using AlertPipeline.Core.Contacts;
using NodaTime;
using NodaTime.Text;
using NodaTime.TimeZones;

namespace AlertPipeline.Core.Events;

/// <summary>
/// When the event happens, as people there say it: a local date and time in an IANA zone (a trial at 10:00 in
/// Aqtau stays at 10:00 even if the zone's offset rules change). <see cref="Instant"/> resolves it with NodaTime's
/// lenient resolver: a time that falls in a spring-forward gap moves forward by the gap, and an ambiguous autumn time
/// takes the earlier of its two instants.
/// </summary>
public sealed record Occurrence
{
    public Occurrence(LocalDateTime local, TimeZoneId timeZone)
    {
        Local = local;
        TimeZone = timeZone;
    }

    public LocalDateTime Local { get; init; }

    public TimeZoneId TimeZone { get; init => field = value ?? throw new ArgumentNullException(nameof(TimeZone)); }

    public ZonedDateTime Zoned => TimeZone.Zone.ResolveLocal(Local, Resolvers.LenientResolver);

    public Instant Instant => Zoned.ToInstant();

    /// <summary><c>2025-12-16T11:00:00 Asia/Aqtau</c>: stable text, independent of the TZDB version.</summary>
    public string Canonical => LocalDateTimePattern.ExtendedIso.Format(Local) + " " + TimeZone.Id;

    public override string ToString() => Canonical;
}
