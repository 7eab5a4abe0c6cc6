using System.Collections.Frozen;
using AlertPipeline.Core.Common;

namespace AlertPipeline.Core.Messaging;

/// <summary>How an SMS body is encoded on the air.</summary>
public enum SmsEncodingKind
{
    /// <summary>The GSM 03.38 7-bit default alphabet (with its extension table); units are septets.</summary>
    Gsm7,

    /// <summary>UCS-2/UTF-16; units are 16-bit code units (a character outside the BMP takes two).</summary>
    Ucs2,
}

/// <summary>
/// What a body costs to send.
/// </summary>
/// <param name="Encoding">GSM-7 when every character is in the GSM 03.38 basic or extension table, otherwise UCS-2.</param>
/// <param name="Characters">Unicode characters (code points; an unpaired surrogate counts as one).</param>
/// <param name="Units">Septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2.</param>
/// <param name="Segments">Message parts billed by the carrier: 1 up to 160 septets / 70 units, otherwise parts of at most
/// 153 septets / 67 units. An empty text is 1 segment of 0 units (Twilio rejects an empty body; templates refuse to
/// render one).</param>
/// <param name="SegmentTexts">The text of each segment, split so that no escape sequence or surrogate pair is broken;
/// concatenated they give back the input.</param>
public sealed record SmsAnalysis(
    SmsEncodingKind Encoding, int Characters, int Units, int Segments, ValueList<string> SegmentTexts);

/// <summary>
/// SMS encoding and segmentation (GSM 03.38 / 3GPP TS 23.038 and the concatenated-SMS user data header), pure functions.
/// </summary>
public static class SmsEncoder
{
    public const int Gsm7SingleSegmentSeptets = 160;
    public const int Gsm7ConcatenatedSegmentSeptets = 153;
    public const int Ucs2SingleSegmentUnits = 70;
    public const int Ucs2ConcatenatedSegmentUnits = 67;

    /// <summary>Twilio refuses a body longer than this many characters.</summary>
    public const int MaxBodyLength = 1600;

    /// <summary>The GSM 03.38 basic character set (127 characters; 0x1B is the escape to the extension table).</summary>
    public const string Gsm7BasicCharacters =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    /// <summary>
    /// The GSM 03.38 extension table: each is sent as ESC + character and costs 2 septets. Besides the nine printable
    /// characters <c>^ { } \ [ ~ ] | €</c> listed in our Twilio reference, TS 23.038 puts FORM FEED (U+000C) at 0x1B0A.
    /// </summary>
    public const string Gsm7ExtensionCharacters = "\f^{}\\[~]|€";

    private static readonly FrozenSet<char> Basic = Gsm7BasicCharacters.ToFrozenSet();
    private static readonly FrozenSet<char> Extension = Gsm7ExtensionCharacters.ToFrozenSet();

    /// <summary>Septets <paramref name="c"/> costs in GSM-7: 1 (basic), 2 (extension) or 0 when it is not GSM-7 at all.</summary>
    public static int Gsm7Septets(char c) => Basic.Contains(c) ? 1 : Extension.Contains(c) ? 2 : 0;

    /// <summary>Whether the whole text can be sent as GSM-7.</summary>
    public static bool IsGsm7(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var c in text)
        {
            if (Gsm7Septets(c) == 0)
            {
                return false;
            }
        }

        return true;
    }

    public static SmsAnalysis Analyze(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return IsGsm7(text) ? AnalyzeGsm7(text) : AnalyzeUcs2(text);
    }

    private static SmsAnalysis AnalyzeGsm7(string text)
    {
        var septets = 0;
        foreach (var c in text)
        {
            septets += Gsm7Septets(c);
        }

        if (septets <= Gsm7SingleSegmentSeptets)
        {
            return new(SmsEncodingKind.Gsm7, text.Length, septets, 1, ValueList.From([text]));
        }

        // Greedy split; a 2-septet extension character that does not fit whole moves to the next segment.
        var segments = new List<string>();
        var start = 0;
        var used = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var cost = Gsm7Septets(text[i]);
            if (used + cost > Gsm7ConcatenatedSegmentSeptets)
            {
                segments.Add(text[start..i]);
                start = i;
                used = 0;
            }

            used += cost;
        }

        segments.Add(text[start..]);
        return new(SmsEncodingKind.Gsm7, text.Length, septets, segments.Count, ValueList.From(segments));
    }

    private static SmsAnalysis AnalyzeUcs2(string text)
    {
        var characters = CountCodePoints(text);
        if (text.Length <= Ucs2SingleSegmentUnits)
        {
            return new(SmsEncodingKind.Ucs2, characters, text.Length, 1, ValueList.From([text]));
        }

        // Greedy split on whole code points: a surrogate pair that does not fit whole moves to the next segment.
        var segments = new List<string>();
        var start = 0;
        var i = 0;
        while (i < text.Length)
        {
            var width = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            if (i + width - start > Ucs2ConcatenatedSegmentUnits)
            {
                segments.Add(text[start..i]);
                start = i;
            }

            i += width;
        }

        segments.Add(text[start..]);
        return new(SmsEncodingKind.Ucs2, characters, text.Length, segments.Count, ValueList.From(segments));
    }

    private static int CountCodePoints(string text)
    {
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }

            count++;
        }

        return count;
    }
}
