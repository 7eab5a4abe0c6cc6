using System.Security;

namespace AlertPipeline.Infrastructure.Twilio;

/// <summary>TwiML replies to an inbound message webhook (<c>text/xml</c>).</summary>
public static class Twiml
{
    public const string ContentType = "text/xml";

    private const string Declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

    /// <summary><c>&lt;Response&gt;&lt;Message&gt;text&lt;/Message&gt;&lt;/Response&gt;</c> with the text XML-escaped, or an empty <c>&lt;Response/&gt;</c> for null.</summary>
    public static string Reply(string? message) =>
        string.IsNullOrEmpty(message)
            ? Declaration + "<Response/>"
            : $"{Declaration}<Response><Message>{SecurityElement.Escape(message)}</Message></Response>";
}
