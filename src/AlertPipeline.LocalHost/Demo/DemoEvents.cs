using System.Globalization;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Events;
using NodaTime;

namespace AlertPipeline.LocalHost.Demo;

/// <summary>An alert event ready to enqueue, and its alert id.</summary>
public sealed record DemoEvent(string File, AlertEvent Event, AlertId AlertId);

/// <summary>
/// Reads the demo's alert events (docs/events.md) and moves each to its next occurrence, so that a demo run any day sends
/// them instead of finding them expired: an anniversary moves to the next year whose date is still ahead (a numeric
/// <c>years</c> variable moves with it), a trial hearing to tomorrow at the same local time. <c>occurredAt</c> becomes now;
/// an explicit expiry keeps its distance from the occurrence.
/// </summary>
public static class DemoEvents
{
    public static DemoEvent Load(string path, Instant now)
    {
        var json = System.IO.File.ReadAllText(path);
        var parsed = AlertEventParser.Parse(json);
        if (!parsed.TryGetValue(out var original))
        {
            throw new InvalidDataException($"{path}: not a valid alert event: {string.Join("; ", parsed.Errors)}");
        }

        var moved = MoveToNextOccurrence(original, now);
        var problems = AlertEventParser.Validate(moved);
        if (problems.Count > 0)
        {
            throw new InvalidDataException($"{path}: moving the event to its next occurrence made it invalid: {string.Join("; ", problems)}");
        }

        return new DemoEvent(path, moved, AlertId.For(moved));
    }

    public static AlertEvent MoveToNextOccurrence(AlertEvent alertEvent, Instant now)
    {
        ArgumentNullException.ThrowIfNull(alertEvent);
        var zone = alertEvent.Occurrence.TimeZone.Zone;
        var local = alertEvent.Occurrence.Local;
        var today = now.InZone(zone).Date;
        LocalDateTime next;
        var yearShift = 0;
        if (alertEvent.Kind == EventKind.Anniversary)
        {
            var year = today.Year;
            next = AtYear(local, year);
            while (next.InZoneLeniently(zone).ToInstant() <= now + Duration.FromHours(1))
            {
                next = AtYear(local, ++year);
            }

            yearShift = next.Year - local.Year;
        }
        else
        {
            next = today.PlusDays(1).At(local.TimeOfDay);
        }

        var occurrence = alertEvent.Occurrence with { Local = next };
        var shift = occurrence.Instant - alertEvent.Occurrence.Instant;
        return alertEvent with
        {
            Occurrence = occurrence,
            OccurredAt = now,
            ExplicitExpiry = alertEvent.ExplicitExpiry + shift,
            Variables = yearShift == 0 ? alertEvent.Variables : ShiftYears(alertEvent, yearShift),
        };
    }

    private static LocalDateTime AtYear(LocalDateTime local, int year)
    {
        var day = Math.Min(local.Day, CalendarSystem.Iso.GetDaysInMonth(year, local.Month));
        return new LocalDate(year, local.Month, day).At(local.TimeOfDay);
    }

    private static Core.Common.ValueDictionary ShiftYears(AlertEvent alertEvent, int shift) =>
        new(alertEvent.Variables.Select(kv =>
            kv.Key == "years" && int.TryParse(kv.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var years)
                ? new KeyValuePair<string, string>(kv.Key, (years + shift).ToString(CultureInfo.InvariantCulture))
                : kv));
}
