using System.Globalization;

namespace AlertPipeline.LocalHost.Timers;

/// <summary>
/// When a timer function fires: an NCRONTAB expression evaluated in a time zone (UTC unless <c>WEBSITE_TIME_ZONE</c>),
/// or a fixed interval written as a time span (<c>"00:05:00"</c>), as the timer trigger accepts both.
/// </summary>
public abstract class TimerSchedule
{
    /// <summary>The first occurrence strictly after <paramref name="after"/>, or null if there is none.</summary>
    public abstract DateTimeOffset? GetNextOccurrence(DateTimeOffset after);

    /// <summary>
    /// Reads a timerTrigger <c>schedule</c>. Throws <see cref="CronFormatException"/> for a malformed expression and
    /// <see cref="FormatException"/> for a schedule that never fires.
    /// </summary>
    public static TimerSchedule Parse(string schedule, TimeZoneInfo timeZone)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(timeZone);
        var trimmed = schedule.Trim();
        if (!trimmed.Contains(' ', StringComparison.Ordinal)
            && trimmed.Contains(':', StringComparison.Ordinal)
            && TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out var interval))
        {
            return interval > TimeSpan.Zero
                ? new IntervalSchedule(interval)
                : throw new FormatException($"The schedule '{schedule}' is an interval of {interval:c}; it must be longer than zero.");
        }

        var cron = new CronTimerSchedule(CronSchedule.Parse(trimmed), timeZone);
        if (cron.GetNextOccurrence(DateTimeOffset.UtcNow) is null)
        {
            throw new FormatException($"The schedule '{schedule}' never fires (no date matches every field).");
        }

        return cron;
    }

    /// <summary>The zone named by WEBSITE_TIME_ZONE (Windows or IANA id), or UTC when unset.</summary>
    public static TimeZoneInfo ResolveTimeZone(string? websiteTimeZone)
    {
        if (string.IsNullOrWhiteSpace(websiteTimeZone))
        {
            return TimeZoneInfo.Utc;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(websiteTimeZone.Trim());
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new LocalHostConfigurationException(
                $"App setting WEBSITE_TIME_ZONE is '{websiteTimeZone}', which is not a time zone this machine knows (use e.g. 'Europe/London' or 'GMT Standard Time').",
                ex);
        }
    }

    private sealed class IntervalSchedule(TimeSpan interval) : TimerSchedule
    {
        public override DateTimeOffset? GetNextOccurrence(DateTimeOffset after) => after + interval;

        public override string ToString() => interval.ToString("c", CultureInfo.InvariantCulture);
    }
}

/// <summary>An NCRONTAB schedule in a time zone: wall-clock times that do not exist (spring forward) are skipped, repeated ones fire once.</summary>
public sealed class CronTimerSchedule(CronSchedule cron, TimeZoneInfo timeZone) : TimerSchedule
{
    public CronSchedule Cron { get; } = cron;

    public TimeZoneInfo TimeZone { get; } = timeZone;

    public override DateTimeOffset? GetNextOccurrence(DateTimeOffset after)
    {
        var local = DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(after, TimeZone).DateTime, DateTimeKind.Unspecified);
        for (var guard = 0; guard < 1000; guard++)
        {
            if (Cron.GetNextOccurrence(local) is not { } candidate)
            {
                return null;
            }

            local = candidate;
            if (TimeZone.IsInvalidTime(candidate))
            {
                continue;
            }

            var offset = TimeZone.IsAmbiguousTime(candidate)
                ? TimeZone.GetAmbiguousTimeOffsets(candidate).Max()
                : TimeZone.GetUtcOffset(candidate);
            var occurrence = new DateTimeOffset(candidate, offset);
            if (occurrence > after)
            {
                return occurrence;
            }
        }

        return null;
    }

    public override string ToString() => Cron.Expression;
}
