using System.Text;
using System.Text.RegularExpressions;

namespace AlertPipeline.Infrastructure.Twilio;

/// <summary>A Twilio account SID and its auth token (HTTP Basic for the REST API, HMAC key for webhook signatures).</summary>
public sealed partial class TwilioCredential
{
    public TwilioCredential(string accountSid, string authToken)
    {
        if (!IsAccountSid(accountSid))
        {
            throw new ArgumentException("The Twilio account SID must be 'AC' followed by 32 hexadecimal digits.", nameof(accountSid));
        }

        if (string.IsNullOrWhiteSpace(authToken))
        {
            throw new ArgumentException("The Twilio auth token is empty.", nameof(authToken));
        }

        AccountSid = accountSid;
        AuthToken = authToken;
    }

    public string AccountSid { get; }

    public string AuthToken { get; }

    internal string BasicAuthorizationHeader =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AccountSid}:{AuthToken}"));

    public static bool IsAccountSid(string? value) => value is not null && AccountSidPattern().IsMatch(value);

    public static bool IsMessagingServiceSid(string? value) => value is not null && MessagingServiceSidPattern().IsMatch(value);

    /// <summary>Never prints the token.</summary>
    public override string ToString() => $"TwilioCredential {{ AccountSid = {AccountSid}, AuthToken = *** }}";

    [GeneratedRegex("^AC[0-9a-fA-F]{32}$")]
    private static partial Regex AccountSidPattern();

    [GeneratedRegex("^MG[0-9a-fA-F]{32}$")]
    private static partial Regex MessagingServiceSidPattern();
}
