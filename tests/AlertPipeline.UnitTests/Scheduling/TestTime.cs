using AlertPipeline.Core.Scheduling;
using NodaTime;
using NodaTime.Text;

namespace AlertPipeline.UnitTests.Scheduling;

/// <summary>Zones and terse constructors for the scheduling tests.</summary>
internal static class TestTime
{
    public static readonly DateTimeZone London = ScheduleTime.Zone("Europe/London");
    public static readonly DateTimeZone Aqtau = ScheduleTime.Zone("Asia/Aqtau");

    /// <summary>An instant from "2025-12-16T05:00:00Z".</summary>
    public static Instant I(string text) => InstantPattern.ExtendedIso.Parse(text).GetValueOrThrow();

    /// <summary>A local date-time from "2025-03-14T09:30".</summary>
    public static LocalDateTime L(string text) =>
        LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm").Parse(text).GetValueOrThrow();

    /// <summary>A local time from "07:00".</summary>
    public static LocalTime T(string text) => LocalTimePattern.CreateWithInvariantCulture("HH:mm").Parse(text).GetValueOrThrow();

    public static ReminderSet R(params string[] codes) => ReminderSet.Parse(codes);

    public static HashSet<OccurrenceKey> Keys(params OccurrenceKey[] keys) => [.. keys];
}

/// <summary>A clock the test moves by hand (NodaTime.Testing is not available here).</summary>
internal sealed class ManualClock(Instant start) : IClock
{
    public Instant Now { get; private set; } = start;

    public Instant GetCurrentInstant() => Now;

    public void Advance(Duration by)
    {
        if (by < Duration.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(by), "A manual clock only moves forward.");
        }

        Now += by;
    }
}
