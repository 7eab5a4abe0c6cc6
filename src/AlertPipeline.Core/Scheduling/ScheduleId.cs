namespace AlertPipeline.Core.Scheduling;

/// <summary>
/// Identifies one schedule (an anniversary or a trial). It is the first part of every
/// <see cref="OccurrenceKey"/>, so it is restricted to characters that are safe in table keys,
/// queue messages and file names: ASCII letters, digits, '-', '_' and '.', at most 64 of them.
/// </summary>
public sealed record ScheduleId
{
    public const int MaxLength = 64;

    public ScheduleId(string value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException("A schedule id must not be empty.", nameof(value));
        }

        if (value.Length > MaxLength)
        {
            throw new ArgumentException(
                $"A schedule id must be at most {MaxLength} characters; '{value[..16]}…' has {value.Length}.", nameof(value));
        }

        foreach (var c in value)
        {
            if (!IsAllowed(c))
            {
                throw new ArgumentException(
                    $"Schedule id '{value}' contains '{c}'; only ASCII letters, digits, '-', '_' and '.' are allowed.",
                    nameof(value));
            }
        }

        Value = value;
    }

    public string Value { get; }

    public override string ToString() => Value;

    private static bool IsAllowed(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';
}
