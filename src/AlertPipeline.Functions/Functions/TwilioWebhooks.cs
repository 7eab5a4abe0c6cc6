using AlertPipeline.Infrastructure.Twilio;
using Microsoft.Extensions.Options;
using Twilio.Security;

namespace AlertPipeline.Functions.Functions;

/// <summary>
/// Settings of our Twilio webhooks, from the <c>Twilio</c> section: <c>Twilio:AuthToken</c> (the signing key) and
/// <c>Twilio:WebhookBaseUrl</c>, the public origin Twilio calls (e.g. <c>https://alerts.example.org</c>, or with a path
/// prefix a proxy adds). The signed URL is that base + the request's path (<c>/api/twilio/status</c>) + its query, so
/// it equals what Twilio was given: <c>Twilio:StatusCallbackBaseUrl</c> should be <c>{WebhookBaseUrl}/api</c>.
/// Without both settings every webhook is refused (403).
/// </summary>
public sealed class TwilioWebhookOptions
{
    public string? AuthToken { get; set; }

    public Uri? WebhookBaseUrl { get; set; }

    public bool IsConfigured => !string.IsNullOrEmpty(AuthToken) && WebhookBaseUrl is not null;

    public IReadOnlyList<string> Validate() =>
        WebhookBaseUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp) || !string.IsNullOrEmpty(url.Query))
            ? ["Twilio:WebhookBaseUrl must be an absolute http(s) URL without a query (the public origin Twilio calls)."]
            : [];
}

/// <summary>Checks X-Twilio-Signature against the public URL: <c>Twilio:WebhookBaseUrl</c> + path + query.</summary>
public sealed class TwilioWebhookValidator(IOptions<TwilioWebhookOptions> options)
{
    /// <summary>The form, when the request is signed by Twilio with our auth token; null otherwise (answer 403).</summary>
    public async Task<IFormCollection?> ReadSignedFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.Value;
        if (!settings.IsConfigured || !request.HasFormContentType)
        {
            return null;
        }

        var form = await request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
        var url = settings.WebhookBaseUrl!.AbsoluteUri.TrimEnd('/') + request.PathBase.ToUriComponent() + request.Path.ToUriComponent() + request.QueryString.ToUriComponent();
        var signature = request.Headers[TwilioWebhookSignature.Header].ToString();
        return TwilioWebhookSignature.IsValid(new RequestValidator(settings.AuthToken!), url, form, signature) ? form : null;
    }
}
