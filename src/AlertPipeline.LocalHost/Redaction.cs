using AlertPipeline.Core.Common;

namespace AlertPipeline.LocalHost;

/// <summary>
/// Last line of defence for text the host did not write itself (a worker's log lines and error messages, its console
/// output): clipped to <see cref="MaxLength"/>, then <see cref="Redact.ForeignText"/> (phone numbers and email addresses
/// masked, and nothing else: ids and ISO dates are kept). The app must never log personal data in the first place; this
/// only keeps a mistake out of the logs.
/// </summary>
internal static class Redaction
{
    /// <summary>The longest piece of foreign text the host logs.</summary>
    public const int MaxLength = 500;

    public static string Mask(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        return Redact.ForeignText(text.Length > MaxLength ? text[..MaxLength] + "…" : text);
    }
}
