using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using AlertPipeline.Core.Events;

namespace AlertPipeline.Core.Alerts;

/// <summary>
/// Identifies one alert: one reminder of one occurrence of one event. Derived, never generated, so every run in every
/// process computes the same id and re-running fan-out lands on the same delivery rows (invariant 1).
/// <para>
/// <c>Value</c> = the first 16 bytes of SHA-256 over the UTF-8 text
/// <c>alert/v1\n{eventId}\n{kind}\n{occurrence}\n{reminder}</c>, as 32 lowercase hex digits, where
/// <c>{occurrence}</c> is <see cref="Occurrence.Canonical"/> (local date-time and IANA zone id, e.g.
/// <c>2025-12-16T11:00:00 Asia/Aqtau</c>) and <c>{reminder}</c> is <see cref="Reminder.Canonical"/> (<c>P1D</c>,
/// <c>immediate</c>).
/// </para>
/// <para>
/// The occurrence enters as local time + zone rather than as an instant so that a TZDB update between two runs
/// (Kazakhstan changed its offsets in 2024) cannot change the id of an alert already fanned out. The kind is included so
/// that a postponement notice and a reminder of the same event and occurrence stay distinct alerts.
/// </para>
/// </summary>
public sealed record AlertId
{
    public const int Length = 32;

    private AlertId(string value) => Value = value;

    public string Value { get; }

    public static AlertId For(AlertEvent alertEvent)
    {
        ArgumentNullException.ThrowIfNull(alertEvent);
        return For(alertEvent.EventId, alertEvent.Kind, alertEvent.Occurrence, alertEvent.Reminder);
    }

    public static AlertId For(EventId eventId, EventKind kind, Occurrence occurrence, Reminder reminder)
    {
        ArgumentNullException.ThrowIfNull(eventId);
        ArgumentNullException.ThrowIfNull(occurrence);
        ArgumentNullException.ThrowIfNull(reminder);
        var text = $"alert/v1\n{eventId.Value}\n{kind.ToWireName()}\n{occurrence.Canonical}\n{reminder.Canonical}";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return new AlertId(Convert.ToHexStringLower(hash, 0, Length / 2));
    }

    /// <summary>Reads a stored id back (32 lowercase hex digits).</summary>
    public static AlertId Parse(string value) =>
        TryParse(value, out var id, out var error) ? id : throw new FormatException(error);

    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out AlertId? id, [NotNullWhen(false)] out string? error)
    {
        error = Hex.Check(value, Length, "alert id");
        id = error is null ? new AlertId(value!) : null;
        return id is not null;
    }

    public override string ToString() => Value;
}
