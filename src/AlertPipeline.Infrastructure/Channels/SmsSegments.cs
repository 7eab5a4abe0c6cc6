namespace AlertPipeline.Infrastructure.Channels;

/// <summary>
/// A quick segment count for pacing and for the fakes: GSM-7 (escape-table characters cost two septets) at 160 per
/// single / 153 per concatenated segment, otherwise UCS-2 at 70 / 67 code units. Core's SMS encoder is the
/// authority for what a member is charged; this only has to be close.
/// </summary>
public static class SmsSegments
{
    private const string Gsm7Basic =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001BÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    private const string Gsm7Extension = "^{}\\[~]|€\f";

    public static int Estimate(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (body.Length == 0)
        {
            return 1;
        }

        var septets = 0;
        foreach (var c in body)
        {
            if (Gsm7Basic.Contains(c, StringComparison.Ordinal))
            {
                septets++;
            }
            else if (Gsm7Extension.Contains(c, StringComparison.Ordinal))
            {
                septets += 2;
            }
            else
            {
                return Count(body.Length, single: 70, multi: 67);
            }
        }

        return Count(septets, single: 160, multi: 153);
    }

    private static int Count(int units, int single, int multi) => units <= single ? 1 : (units + multi - 1) / multi;
}
