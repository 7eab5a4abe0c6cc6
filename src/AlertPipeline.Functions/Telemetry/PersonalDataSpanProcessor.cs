using System.Diagnostics;
using AlertPipeline.Core.Common;
using OpenTelemetry;

namespace AlertPipeline.Functions.Telemetry;

/// <summary>
/// The last line of defence before any exporter: every string attribute of every span, and its status description, pass
/// <see cref="Redact.ForeignText"/> (phone numbers and emails masked; ids, trace ids and timestamps kept). Our own spans
/// never set personal data (ids, channels, outcomes only); this catches what an instrumentation library might record,
/// e.g. a URL whose query names a recipient (percent-encoded or not). Registered before the exporters, so they see the masked span.
/// </summary>
public sealed class PersonalDataSpanProcessor : BaseProcessor<Activity>
{
    public override void OnEnd(Activity data)
    {
        ArgumentNullException.ThrowIfNull(data);
        List<KeyValuePair<string, string>>? masked = null;
        foreach (var tag in data.TagObjects)
        {
            if (tag.Value is string text && Mask(text) is { } clean)
            {
                (masked ??= []).Add(KeyValuePair.Create(tag.Key, clean));
            }
        }

        foreach (var (key, clean) in masked ?? [])
        {
            data.SetTag(key, clean);
        }

        if (data.StatusDescription is { } description && Mask(description) is { } cleanDescription)
        {
            data.SetStatus(data.Status, cleanDescription);
        }
    }

    /// <summary>
    /// The masked text, or null when there is nothing to mask. URLs are read percent-decoded (<c>To=%2B447700900123</c> is
    /// a number too); a value that needed masking is exported decoded and masked.
    /// </summary>
    internal static string? Mask(string text)
    {
        var decoded = text.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(text) : text;
        var clean = Redact.ForeignText(decoded);
        return string.Equals(clean, decoded, StringComparison.Ordinal) ? null : clean;
    }
}
