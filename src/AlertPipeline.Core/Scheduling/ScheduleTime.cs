using NodaTime;
using NodaTime.TimeZones;

namespace AlertPipeline.Core.Scheduling;

/// <summary>
/// How scheduling turns a local date and time in an IANA zone into an instant, in one place.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A local time that does not exist (it falls in a daylight-saving gap, e.g. 01:30 in Europe/London on the
/// last Sunday of March) is shifted forward by the length of the gap: 01:30 becomes 02:30 BST
/// (<see cref="Resolvers.ReturnForwardShifted"/>).</item>
/// <item>A local time that occurs twice (daylight-saving overlap, e.g. 01:30 in Europe/London on the last Sunday of
/// October) takes the earlier of the two instants: 01:30 BST, i.e. 00:30 UTC (<see cref="Resolvers.ReturnEarlier"/>).</item>
/// </list>
/// </remarks>
public static class ScheduleTime
{
    /// <summary>Ambiguous → earlier instant; skipped → shifted forward by the gap.</summary>
    public static ZoneLocalMappingResolver Resolver { get; } =
        Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ReturnForwardShifted);

    /// <summary>Resolves <paramref name="local"/> in <paramref name="zone"/> with <see cref="Resolver"/>.</summary>
    public static ZonedDateTime Resolve(LocalDateTime local, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return zone.ResolveLocal(local, Resolver);
    }

    /// <summary>The IANA (tzdb) zone with this id, e.g. "Europe/London" or "Asia/Aqtau".</summary>
    /// <exception cref="ArgumentException">The id is empty or not a tzdb zone id.</exception>
    public static DateTimeZone Zone(string ianaId)
    {
        if (string.IsNullOrWhiteSpace(ianaId))
        {
            throw new ArgumentException("A time zone id must not be empty.", nameof(ianaId));
        }

        return DateTimeZoneProviders.Tzdb.GetZoneOrNull(ianaId)
            ?? throw new ArgumentException(
                $"'{ianaId}' is not an IANA time zone id (expected something like 'Europe/London' or 'Asia/Aqtau').",
                nameof(ianaId));
    }
}
