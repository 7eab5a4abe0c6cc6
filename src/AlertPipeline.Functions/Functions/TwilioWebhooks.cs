using AlertPipeline.Infrastructure.Twilio;
using Microsoft.AspNetCore.WebUtilities;
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

/// <summary>A webhook request read: its form when signed by Twilio, otherwise the status to refuse it with (and why, for the log).</summary>
public sealed record WebhookForm(IFormCollection? Form, int RefusalStatus, string? RefusalReason)
{
    public static WebhookForm Refused(int status, string reason) => new(null, status, reason);
}

/// <summary>
/// Reads a Twilio webhook within bounds and checks X-Twilio-Signature against the public URL:
/// <c>Twilio:WebhookBaseUrl</c> + path + query. Nothing past <see cref="MaxBodyBytes"/> is read (413), a form of more
/// than <see cref="MaxFields"/> fields is refused before any signature work (400), and the signature decides the rest
/// (403). Twilio's own requests are a few KiB with a few dozen fields, so the bounds never refuse them.
/// </summary>
public sealed class TwilioWebhookValidator(IOptions<TwilioWebhookOptions> options)
{
    /// <summary>The largest webhook body read, in bytes (an inbound SMS of 1,600 emoji is about 20 KiB form-encoded).</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>The most form fields a webhook may have (Twilio sends about 20, up to ~40 with media).</summary>
    public const int MaxFields = 100;

    /// <summary>The form when the request is within bounds and signed by Twilio with our auth token; otherwise why not.</summary>
    public async Task<WebhookForm> ReadSignedFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.Value;
        if (!settings.IsConfigured)
        {
            return WebhookForm.Refused(StatusCodes.Status403Forbidden, "Twilio:AuthToken or Twilio:WebhookBaseUrl is not set");
        }

        if (!request.HasFormContentType || request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) != true)
        {
            return WebhookForm.Refused(StatusCodes.Status403Forbidden, "not a form (application/x-www-form-urlencoded)");
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return WebhookForm.Refused(StatusCodes.Status413PayloadTooLarge, $"the body is over {MaxBodyBytes} bytes");
        }

        var body = await ReadBoundedAsync(request.Body, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return WebhookForm.Refused(StatusCodes.Status413PayloadTooLarge, $"the body is over {MaxBodyBytes} bytes");
        }

        FormCollection form;
        try
        {
            using var reader = new FormReader(new MemoryStream(body, writable: false))
            {
                ValueCountLimit = MaxFields,
                KeyLengthLimit = 256,
                ValueLengthLimit = MaxBodyBytes,
            };
            form = new FormCollection(await reader.ReadFormAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (InvalidDataException)
        {
            return WebhookForm.Refused(StatusCodes.Status400BadRequest, $"the form has more than {MaxFields} fields or a field name over 256 characters");
        }

        var url = settings.WebhookBaseUrl!.AbsoluteUri.TrimEnd('/') + request.PathBase.ToUriComponent() + request.Path.ToUriComponent() + request.QueryString.ToUriComponent();
        var signature = request.Headers[TwilioWebhookSignature.Header].ToString();
        return TwilioWebhookSignature.IsValid(new RequestValidator(settings.AuthToken!), url, form, signature)
            ? new WebhookForm(form, StatusCodes.Status200OK, null)
            : WebhookForm.Refused(StatusCodes.Status403Forbidden, "missing or invalid X-Twilio-Signature");
    }

    /// <summary>The whole body, or null as soon as it passes <see cref="MaxBodyBytes"/> (the rest is never read).</summary>
    private static async Task<byte[]?> ReadBoundedAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
