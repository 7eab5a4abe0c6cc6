using Azure.Core;

namespace AlertPipeline.Infrastructure.Twilio;

/// <summary>Pipeline options for <see cref="TwilioClient"/>: retries, network timeout, transport, diagnostics.</summary>
public sealed class TwilioClientOptions : ClientOptions
{
    public TwilioClientOptions()
    {
        Retry.Mode = RetryMode.Exponential;
        Retry.MaxRetries = 3;
        Retry.Delay = TimeSpan.FromSeconds(1);
        Retry.MaxDelay = TimeSpan.FromSeconds(30);
        Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
    }

    /// <summary>
    /// When false (the default), a send that failed with a 5xx or a timeout is NOT repeated by the pipeline: Twilio
    /// may have accepted it, and repeating would text the member twice. It surfaces as
    /// <see cref="TwilioErrorKind.OutcomeUnknown"/> so the caller can reconcile with
    /// <see cref="TwilioClient.ListMessagesAsync"/>. Sends are always retried after a 429 (Twilio did not process
    /// them) and after a failure to connect (nothing was sent). Reads are always retried.
    /// </summary>
    public bool RetryAmbiguousSends { get; set; }

    /// <summary>Page size for message lists (Twilio allows up to 1000).</summary>
    public int PageSize { get; set; } = 100;
}
