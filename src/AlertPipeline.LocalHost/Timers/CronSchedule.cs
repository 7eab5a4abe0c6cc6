using System.Text.RegularExpressions;
using Cronos;

namespace AlertPipeline.LocalHost.Timers;

/// <summary>
/// A six-field NCRONTAB expression, as Azure Functions' timer trigger reads it:
/// <c>{second} {minute} {hour} {day} {month} {day-of-week}</c>, parsed and evaluated by Cronos
/// (<see cref="CronExpression"/>, <see cref="CronFormat.IncludeSeconds"/>). Month and day names may be written in full,
/// as NCrontab reads them by their first three letters (<c>December</c>, <c>sunday</c>). A restricted day and
/// day-of-week must both hold (Cronos and NCrontab agree: AND, not Vixie cron's OR). Occurrences are wall-clock times;
/// <see cref="TimerSchedule"/> places them in a time zone.
/// </summary>
public sealed partial class CronSchedule
{
    private const int FieldCount = 6;
    private readonly CronExpression _cron;

    private CronSchedule(string expression, CronExpression cron)
    {
        Expression = expression;
        _cron = cron;
    }

    /// <summary>The expression as written.</summary>
    public string Expression { get; }

    /// <summary>Parses <paramref name="expression"/>; throws <see cref="CronFormatException"/> naming the field at fault.</summary>
    public static CronSchedule Parse(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var parts = expression.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != FieldCount)
        {
            // Cronos would read five fields as a cron without seconds; the Functions timer insists on six.
            throw new CronFormatException(
                expression,
                null,
                $"has {parts.Length} field{(parts.Length == 1 ? string.Empty : "s")}; a Functions NCRONTAB expression has six: " +
                "{second} {minute} {hour} {day} {month} {day-of-week}, e.g. \"0 */5 * * * *\".");
        }

        parts[4] = FullName().Replace(parts[4], m => m.Value[..3]);
        parts[5] = FullName().Replace(parts[5], m => m.Value[..3]);
        try
        {
            return new CronSchedule(expression, CronExpression.Parse(string.Join(' ', parts), CronFormat.IncludeSeconds));
        }
        catch (Cronos.CronFormatException ex)
        {
            throw Translate(expression, parts, ex);
        }
    }

    /// <summary>Parses without throwing; <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string expression, out CronSchedule? schedule, out string? error)
    {
        try
        {
            schedule = Parse(expression);
            error = null;
            return true;
        }
        catch (CronFormatException ex)
        {
            schedule = null;
            error = ex.Message;
            return false;
        }
    }

    /// <summary>
    /// The first time strictly after <paramref name="after"/> (to the second) that matches, in the same wall clock and
    /// <see cref="DateTime.Kind"/>; null when the expression never matches (e.g. 30 February).
    /// </summary>
    public DateTime? GetNextOccurrence(DateTime after)
    {
        // The wall clock is evaluated as if it were UTC (no transitions); CronTimerSchedule handles the time zone.
        var next = _cron.GetNextOccurrence(DateTime.SpecifyKind(after, DateTimeKind.Utc), TimeZoneInfo.Utc, inclusive: false);
        return next is { } value ? DateTime.SpecifyKind(value, after.Kind) : null;
    }

    public override string ToString() => Expression;

    private static CronFormatException Translate(string expression, string[] parts, Cronos.CronFormatException ex)
    {
        // Cronos says "The given cron expression has an invalid format. Hours: Value must be …".
        var detail = ex.Message.Replace("The given cron expression has an invalid format.", string.Empty, StringComparison.Ordinal).Trim();
        var index = Array.FindIndex(CronosFieldNames, name => detail.StartsWith(name + ":", StringComparison.Ordinal));
        if (index < 0)
        {
            return new CronFormatException(expression, null, detail, ex);
        }

        var problem = detail[(CronosFieldNames[index].Length + 1)..].Trim();
        return new CronFormatException(expression, FieldNames[index], $"the {FieldNames[index]} field '{parts[index]}' is not valid: {problem}", ex);
    }

    // In field order; Cronos names the field at fault by the first list, we by the second.
    private static readonly string[] CronosFieldNames = ["Seconds", "Minutes", "Hours", "Days of month", "Months", "Days of week"];
    private static readonly string[] FieldNames = ["second", "minute", "hour", "day", "month", "day-of-week"];

    [GeneratedRegex("[A-Za-z]{4,}")]
    private static partial Regex FullName();
}

/// <summary>An NCRONTAB expression is malformed. <see cref="Field"/> names the field at fault (null: the whole expression).</summary>
public sealed class CronFormatException : FormatException
{
    public CronFormatException(string expression, string? field, string problem, Exception? innerException = null)
        : base($"The schedule '{expression}' is not a valid NCRONTAB expression: {problem}", innerException)
    {
        Expression = expression;
        Field = field;
    }

    public string Expression { get; }

    public string? Field { get; }
}
