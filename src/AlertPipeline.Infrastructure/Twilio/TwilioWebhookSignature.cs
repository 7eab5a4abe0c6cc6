using Microsoft.Extensions.Primitives;
using Twilio.Security;

namespace AlertPipeline.Infrastructure.Twilio;

/// <summary>
/// <c>X-Twilio-Signature</c> on our webhooks, checked by the SDK's <see cref="RequestValidator"/> (HMAC-SHA1 of the
/// URL and the sorted form, compared in constant time, with and without the default port).
/// </summary>
public static class TwilioWebhookSignature
{
    public const string Header = "X-Twilio-Signature";

    /// <param name="validator">The SDK's validator for our auth token.</param>
    /// <param name="url">The full public URL Twilio requested, query string included (not the URL behind a proxy).</param>
    /// <param name="form">The form-encoded POST parameters (an <c>IFormCollection</c>; a repeated name counts once, its values joined by commas, as the SDK reads a form).</param>
    /// <param name="signature">The header's value; a missing one is simply not valid.</param>
    public static bool IsValid(RequestValidator validator, string url, IEnumerable<KeyValuePair<string, StringValues>> form, string? signature)
    {
        ArgumentNullException.ThrowIfNull(validator);
        ArgumentException.ThrowIfNullOrEmpty(url);
        ArgumentNullException.ThrowIfNull(form);
        if (string.IsNullOrWhiteSpace(signature))
        {
            return false;
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in form)
        {
            parameters[name] = values.ToString();
        }

        return validator.Validate(url, parameters, signature.Trim());
    }
}
