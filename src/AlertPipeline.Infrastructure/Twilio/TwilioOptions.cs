using System.Text.RegularExpressions;

namespace AlertPipeline.Infrastructure.Twilio;

/// <summary>
/// Configuration section <c>Twilio</c> (environment: <c>Twilio__AccountSid</c>, …). When <see cref="AccountSid"/> is
/// not set, the SMS outbox is used instead of Twilio (see <c>AddSmsGateway</c>).
/// </summary>
public sealed partial class TwilioOptions
{
    public const string SectionName = "Twilio";

    public static readonly Uri DefaultBaseUri = new("https://api.twilio.com");

    /// <summary><c>AC</c> + 32 hex digits.</summary>
    public string? AccountSid { get; set; }

    public string? AuthToken { get; set; }

    /// <summary><c>MG</c> + 32 hex digits. Set this or <see cref="From"/>, not both.</summary>
    public string? MessagingServiceSid { get; set; }

    /// <summary>The sending number in E.164 (or an alphanumeric sender ID). Set this or <see cref="MessagingServiceSid"/>.</summary>
    public string? From { get; set; }

    /// <summary>
    /// Where the SDK's requests to <c>https://api.twilio.com</c> go: leave it unset. Tests point it at the loopback
    /// fake (the SDK builds its URLs itself; the <see cref="System.Net.Http.HttpClient"/> it is given rewrites them).
    /// </summary>
    public Uri BaseUri { get; set; } = DefaultBaseUri;

    /// <summary>
    /// The public base URL of our Twilio webhooks (e.g. <c>https://alerts.example.org/api</c>). When set, every send
    /// asks Twilio to POST status callbacks to <c>{StatusCallbackBaseUrl}/{StatusCallbackPath}?ref={deliveryReference}</c>.
    /// </summary>
    public Uri? StatusCallbackBaseUrl { get; set; }

    public string StatusCallbackPath { get; set; } = "twilio/status";

    /// <summary>Sending rate in message segments per second (a long code: about 1). 0 turns pacing off.</summary>
    public double SegmentsPerSecond { get; set; }

    /// <summary>How long one HTTP attempt may take before it counts as failed.</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after a 429, a 5xx (reads only, see docs/channels.md) or a connection failure.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first retry's delay; each further retry waits twice as long, up to 30 seconds.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Page size of the message reads that reconcile a send (Twilio allows up to 1000).</summary>
    public int PageSize { get; set; } = 100;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(AccountSid);

    /// <summary>Every problem with these settings, each naming the key; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (AccountSid is null || !AccountSidPattern().IsMatch(AccountSid))
        {
            errors.Add("Twilio:AccountSid must be 'AC' followed by 32 hexadecimal digits.");
        }

        if (string.IsNullOrWhiteSpace(AuthToken))
        {
            errors.Add("Twilio:AuthToken is required.");
        }

        var hasService = !string.IsNullOrWhiteSpace(MessagingServiceSid);
        var hasFrom = !string.IsNullOrWhiteSpace(From);
        if (hasService == hasFrom)
        {
            errors.Add("Set exactly one of Twilio:MessagingServiceSid and Twilio:From.");
        }
        else if (hasService && !MessagingServiceSidPattern().IsMatch(MessagingServiceSid!))
        {
            errors.Add("Twilio:MessagingServiceSid must be 'MG' followed by 32 hexadecimal digits.");
        }

        if (BaseUri is null || !BaseUri.IsAbsoluteUri || (BaseUri.Scheme != Uri.UriSchemeHttps && BaseUri.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add("Twilio:BaseUri must be an absolute http(s) URL.");
        }
        else if (BaseUri.Scheme == Uri.UriSchemeHttp && !BaseUri.IsLoopback)
        {
            errors.Add("Twilio:BaseUri may use plain http only for a loopback address (the auth token would travel in clear).");
        }

        if (StatusCallbackBaseUrl is not null
            && (!StatusCallbackBaseUrl.IsAbsoluteUri || (StatusCallbackBaseUrl.Scheme != Uri.UriSchemeHttps && StatusCallbackBaseUrl.Scheme != Uri.UriSchemeHttp)))
        {
            errors.Add("Twilio:StatusCallbackBaseUrl must be an absolute http(s) URL.");
        }

        if (double.IsNaN(SegmentsPerSecond) || SegmentsPerSecond < 0)
        {
            errors.Add("Twilio:SegmentsPerSecond must be 0 (no pacing) or a positive rate.");
        }

        if (NetworkTimeout <= TimeSpan.Zero)
        {
            errors.Add("Twilio:NetworkTimeout must be positive.");
        }

        if (MaxRetries is < 0 or > 10)
        {
            errors.Add("Twilio:MaxRetries must be between 0 and 10.");
        }

        if (RetryDelay <= TimeSpan.Zero)
        {
            errors.Add("Twilio:RetryDelay must be positive.");
        }

        if (PageSize is < 1 or > 1000)
        {
            errors.Add("Twilio:PageSize must be between 1 and 1000.");
        }

        return errors;
    }

    /// <summary>The status callback URL for one delivery, or null when no callback base URL is configured.</summary>
    public Uri? StatusCallbackFor(string deliveryReference)
    {
        if (StatusCallbackBaseUrl is null)
        {
            return null;
        }

        var baseText = StatusCallbackBaseUrl.AbsoluteUri.TrimEnd('/');
        return new Uri($"{baseText}/{StatusCallbackPath.Trim('/')}?ref={Uri.EscapeDataString(deliveryReference)}");
    }

    [GeneratedRegex("^AC[0-9a-fA-F]{32}$")]
    private static partial Regex AccountSidPattern();

    [GeneratedRegex("^MG[0-9a-fA-F]{32}$")]
    private static partial Regex MessagingServiceSidPattern();
}
