using System.Globalization;
using System.Numerics;

namespace AlertPipeline.LocalHost.Timers;

/// <summary>
/// A six-field NCRONTAB expression, as Azure Functions' timer trigger reads it:
/// <c>{second} {minute} {hour} {day} {month} {day-of-week}</c>. Each field is <c>*</c>, a value, a range <c>a-b</c>, a
/// step <c>*/n</c>, <c>a-b/n</c> or <c>a/n</c> (from a to the field's maximum), or a comma-separated list of these.
/// Months take names (<c>JAN</c>…<c>DEC</c>, or full names) and days of the week too (<c>SUN</c>=0 … <c>SAT</c>=6).
/// As in NCrontab, a time matches when <em>every</em> field matches (a restricted day and day-of-week must both hold).
/// Occurrences are wall-clock times (see <see cref="TimerSchedule"/> for time zones).
/// </summary>
public sealed class CronSchedule
{
    private static readonly FieldSpec[] Fields =
    [
        new("second", 0, 59, null),
        new("minute", 0, 59, null),
        new("hour", 0, 23, null),
        new("day", 1, 31, null),
        new("month", 1, 12, CultureInfo.InvariantCulture.DateTimeFormat.MonthNames[..12]),
        new("day-of-week", 0, 6, CultureInfo.InvariantCulture.DateTimeFormat.DayNames),
    ];

    // Bit n set = value n allowed.
    private readonly ulong _seconds;
    private readonly ulong _minutes;
    private readonly ulong _hours;
    private readonly ulong _days;
    private readonly ulong _months;
    private readonly ulong _daysOfWeek;

    private CronSchedule(string expression, ulong[] masks)
    {
        Expression = expression;
        _seconds = masks[0];
        _minutes = masks[1];
        _hours = masks[2];
        _days = masks[3];
        _months = masks[4];
        _daysOfWeek = masks[5];
    }

    /// <summary>The expression as written.</summary>
    public string Expression { get; }

    /// <summary>Parses <paramref name="expression"/>; throws <see cref="CronFormatException"/> naming the field at fault.</summary>
    public static CronSchedule Parse(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var parts = expression.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != Fields.Length)
        {
            throw new CronFormatException(
                expression,
                null,
                $"has {parts.Length} field{(parts.Length == 1 ? string.Empty : "s")}; a Functions NCRONTAB expression has six: " +
                "{second} {minute} {hour} {day} {month} {day-of-week}, e.g. \"0 */5 * * * *\".");
        }

        var masks = new ulong[Fields.Length];
        for (var i = 0; i < Fields.Length; i++)
        {
            masks[i] = ParseField(expression, Fields[i], parts[i]);
        }

        return new CronSchedule(expression, masks);
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
    /// <see cref="DateTime.Kind"/>; null when the expression never matches (e.g. 30 February) within the coming decades.
    /// </summary>
    public DateTime? GetNextOccurrence(DateTime after)
    {
        // Start at the next whole second.
        var start = new DateTime(after.Ticks - (after.Ticks % TimeSpan.TicksPerSecond), after.Kind).AddSeconds(1);
        var lastYear = Math.Min(start.Year + 30, DateTime.MaxValue.Year - 1);
        for (var year = start.Year; year <= lastYear; year++)
        {
            var firstYear = year == start.Year;
            for (var month = firstYear ? start.Month : 1; month <= 12; month++)
            {
                if (!Has(_months, month))
                {
                    continue;
                }

                var firstMonth = firstYear && month == start.Month;
                var daysInMonth = DateTime.DaysInMonth(year, month);
                for (var day = firstMonth ? start.Day : 1; day <= daysInMonth; day++)
                {
                    if (!Has(_days, day) || !Has(_daysOfWeek, (int)new DateTime(year, month, day).DayOfWeek))
                    {
                        continue;
                    }

                    var firstDay = firstMonth && day == start.Day;
                    var hour = Next(_hours, firstDay ? start.Hour : 0);
                    for (; hour >= 0; hour = Next(_hours, hour + 1))
                    {
                        var firstHour = firstDay && hour == start.Hour;
                        for (var minute = Next(_minutes, firstHour ? start.Minute : 0); minute >= 0; minute = Next(_minutes, minute + 1))
                        {
                            var firstMinute = firstHour && minute == start.Minute;
                            var second = Next(_seconds, firstMinute ? start.Second : 0);
                            if (second >= 0)
                            {
                                return new DateTime(year, month, day, hour, minute, second, after.Kind);
                            }
                        }
                    }
                }
            }
        }

        return null;
    }

    public override string ToString() => Expression;

    private static bool Has(ulong mask, int value) => (mask & (1UL << value)) != 0;

    /// <summary>The smallest allowed value ≥ <paramref name="from"/>, or -1.</summary>
    private static int Next(ulong mask, int from)
    {
        if (from > 63)
        {
            return -1;
        }

        var rest = mask >> from;
        return rest == 0 ? -1 : from + BitOperations.TrailingZeroCount(rest);
    }

    private static ulong ParseField(string expression, FieldSpec spec, string text)
    {
        ulong mask = 0;
        foreach (var element in text.Split(','))
        {
            if (element.Length == 0)
            {
                throw spec.Error(expression, text, "has an empty list element.");
            }

            mask |= ParseElement(expression, spec, text, element);
        }

        return mask;
    }

    private static ulong ParseElement(string expression, FieldSpec spec, string field, string element)
    {
        var step = 1;
        var hasStep = false;
        var body = element;
        var slash = element.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            var stepText = element[(slash + 1)..];
            if (!int.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 1)
            {
                throw spec.Error(expression, field, $"has the step '{stepText}'; a step is a whole number of at least 1.");
            }

            hasStep = true;
            body = element[..slash];
        }

        int first, last;
        if (body == "*")
        {
            (first, last) = (spec.Min, spec.Max);
        }
        else
        {
            var dash = body.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0)
            {
                first = spec.Value(expression, field, body[..dash]);
                last = spec.Value(expression, field, body[(dash + 1)..]);
                if (first > last)
                {
                    throw spec.Error(expression, field, $"has the range '{body}', which runs backwards; write the smaller value first.");
                }
            }
            else
            {
                first = spec.Value(expression, field, body);
                last = hasStep ? spec.Max : first;
            }
        }

        ulong mask = 0;
        for (var value = first; value <= last; value += step)
        {
            mask |= 1UL << value;
        }

        return mask;
    }

    private sealed record FieldSpec(string Name, int Min, int Max, string[]? Names)
    {
        public CronFormatException Error(string expression, string field, string problem) =>
            new(expression, Name, $"the {Name} field '{field}' {problem}");

        public int Value(string expression, string field, string text)
        {
            if (text.Length == 0)
            {
                throw Error(expression, field, "has an empty value.");
            }

            if (char.IsAsciiDigit(text[0]))
            {
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                {
                    throw Error(expression, field, $"has '{text}', which is not a number.");
                }

                return number < Min || number > Max
                    ? throw Error(expression, field, $"has {number}, outside {Min}–{Max}.")
                    : number;
            }

            if (Names is not null)
            {
                for (var i = 0; i < Names.Length; i++)
                {
                    if (text.Equals(Names[i], StringComparison.OrdinalIgnoreCase)
                        || (text.Length == 3 && Names[i].StartsWith(text, StringComparison.OrdinalIgnoreCase)))
                    {
                        return Min + i;
                    }
                }

                throw Error(expression, field, $"has '{text}', which is neither a number ({Min}–{Max}) nor a name such as '{Names[0][..3].ToUpperInvariant()}'.");
            }

            throw Error(expression, field, $"has '{text}'; the {Name} field takes numbers {Min}–{Max} only.");
        }
    }
}

/// <summary>An NCRONTAB expression is malformed. <see cref="Field"/> names the field at fault (null: the whole expression).</summary>
public sealed class CronFormatException : FormatException
{
    public CronFormatException(string expression, string? field, string problem)
        : base($"The schedule '{expression}' is not a valid NCRONTAB expression: {problem}")
    {
        Expression = expression;
        Field = field;
    }

    public string Expression { get; }

    public string? Field { get; }
}
