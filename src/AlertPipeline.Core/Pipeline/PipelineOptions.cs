namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// Configuration section <c>Pipeline</c> (environment: <c>Pipeline__FanOutPageSize</c>, …). Validated on start; every
/// problem names its key.
/// </summary>
public sealed class PipelineOptions
{
    public const string SectionName = "Pipeline";

    /// <summary>Contacts read per fan-out chunk (one Table query page; 1–1000). Memory per chunk is bounded by it.</summary>
    public int FanOutPageSize { get; set; } = 250;

    /// <summary>A Sending claim older than this is treated as abandoned (the sender died) and reconciled.</summary>
    public TimeSpan StuckSendingAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a sender waits, in-process, for another sender's fresh claim to finish or go stale before failing the
    /// invocation so the message is retried. Service Bus redelivers a failed message at once, so waiting here (bounded, well
    /// inside the function timeout) is what lets a crashed claim be picked up instead of dead-lettered.</summary>
    public TimeSpan MaxBusyWait { get; set; } = TimeSpan.FromMinutes(2.5);

    /// <summary>How often a waiting sender re-reads a claimed row.</summary>
    public TimeSpan BusyPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Reconciliation looks for provider messages created from the first claim minus this (clock skew).</summary>
    public TimeSpan ReconcileSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Entries kept per in-memory cache (alerts; campaigns, unions, branches).</summary>
    public int CacheCapacity { get; set; } = 1000;

    /// <summary>How long campaigns, unions and branches are cached (alerts never change and are kept until evicted).</summary>
    public TimeSpan ReferenceDataTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>One-click unsubscribe base URL (https); each email gets <c>{base}?ref={deliveryKey}</c>. None: no URL.</summary>
    public Uri? EmailUnsubscribeBaseUrl { get; set; }

    /// <summary>An unsubscribe mailbox for <c>List-Unsubscribe: &lt;mailto:…&gt;</c>. None: no mailto.</summary>
    public string? EmailUnsubscribeMailto { get; set; }

    /// <summary>The reply to HELP when the number has had no alert yet (no campaign to name).</summary>
    public string DefaultHelpText { get; set; } = "Union solidarity alerts. Reply STOP to unsubscribe, START to resubscribe.";

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (FanOutPageSize is < 1 or > 1000)
        {
            errors.Add($"{SectionName}:{nameof(FanOutPageSize)} must be between 1 and 1000 (one Table query page).");
        }

        if (StuckSendingAfter < TimeSpan.FromSeconds(10))
        {
            errors.Add($"{SectionName}:{nameof(StuckSendingAfter)} must be at least 00:00:10 (longer than one provider call).");
        }

        if (MaxBusyWait < TimeSpan.Zero || MaxBusyWait > TimeSpan.FromMinutes(9))
        {
            errors.Add($"{SectionName}:{nameof(MaxBusyWait)} must be between 0 and 00:09:00 (inside the 10-minute function timeout).");
        }

        if (BusyPollInterval <= TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:{nameof(BusyPollInterval)} must be positive.");
        }

        if (ReconcileSkew < TimeSpan.Zero || ReconcileSkew > TimeSpan.FromHours(1))
        {
            errors.Add($"{SectionName}:{nameof(ReconcileSkew)} must be between 0 and 01:00:00.");
        }

        if (CacheCapacity < 1)
        {
            errors.Add($"{SectionName}:{nameof(CacheCapacity)} must be at least 1.");
        }

        if (ReferenceDataTtl < TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:{nameof(ReferenceDataTtl)} must not be negative.");
        }

        if (EmailUnsubscribeBaseUrl is { } url && (!url.IsAbsoluteUri || url.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(url.Query)))
        {
            errors.Add($"{SectionName}:{nameof(EmailUnsubscribeBaseUrl)} must be an absolute https URL without a query (one-click unsubscribe requires https).");
        }

        if (!string.IsNullOrWhiteSpace(EmailUnsubscribeMailto) && !System.Net.Mail.MailAddress.TryCreate(EmailUnsubscribeMailto, out _))
        {
            errors.Add($"{SectionName}:{nameof(EmailUnsubscribeMailto)} must be an email address.");
        }

        if (string.IsNullOrWhiteSpace(DefaultHelpText) || DefaultHelpText.Length > 300)
        {
            errors.Add($"{SectionName}:{nameof(DefaultHelpText)} must be 1–300 characters.");
        }

        return errors;
    }
}
