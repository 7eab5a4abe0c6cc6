using System.Diagnostics.CodeAnalysis;

namespace AlertPipeline.Core.Contacts;

/// <summary>
/// A block of numbers in E.164 from <see cref="First"/> to <see cref="Last"/> (same length), written
/// <c>+447700900000-+447700900999</c>: Ofcom's drama range, reserved for fiction and unassigned, which the demo and
/// the tests use (<see cref="PhoneNumber.FictionalRanges"/>).
/// </summary>
public sealed record PhoneNumberRange
{
    private PhoneNumberRange(string first, string last)
    {
        First = first;
        Last = last;
    }

    public string First { get; }

    public string Last { get; }

    /// <summary>Ofcom's drama range for UK mobiles: 07700 900000 to 07700 900999.</summary>
    public static PhoneNumberRange UkDrama { get; } = new("+447700900000", "+447700900999");

    public static PhoneNumberRange Parse(string text) =>
        TryParse(text, out var range, out var error) ? range : throw new FormatException(error);

    public static bool TryParse(string? text, [NotNullWhen(true)] out PhoneNumberRange? range, [NotNullWhen(false)] out string? error)
    {
        range = null;
        var parts = (text ?? string.Empty).Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !IsE164(parts[0]) || !IsE164(parts[1]))
        {
            error = "a range is two E.164 numbers joined by '-', e.g. +447700900000-+447700900999";
            return false;
        }

        if (parts[0].Length != parts[1].Length || string.CompareOrdinal(parts[0], parts[1]) > 0)
        {
            error = "a range's two numbers must have the same length, the smaller first";
            return false;
        }

        range = new PhoneNumberRange(parts[0], parts[1]);
        error = null;
        return true;
    }

    /// <summary>True when <paramref name="e164"/> lies in the range.</summary>
    public bool Contains(string e164) =>
        e164.Length == First.Length && string.CompareOrdinal(e164, First) >= 0 && string.CompareOrdinal(e164, Last) <= 0;

    public override string ToString() => $"{First}-{Last}";

    private static bool IsE164(string text) =>
        text.Length is >= 8 and <= 16 && text[0] == '+' && text[1] != '0' && text.Skip(1).All(char.IsAsciiDigit);
}
