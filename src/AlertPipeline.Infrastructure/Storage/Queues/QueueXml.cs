using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace AlertPipeline.Infrastructure.Storage.Queues;

/// <summary>Reads the Queue service's XML bodies and writes the one it accepts.</summary>
internal static class QueueXml
{
    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreWhitespace = false,
        IgnoreComments = true,
    };

    /// <summary>The PUT/POST body for a message: <c>&lt;QueueMessage&gt;&lt;MessageText&gt;…&lt;/MessageText&gt;&lt;/QueueMessage&gt;</c>.</summary>
    public static byte[] MessageBody(string wireText) =>
        System.Text.Encoding.UTF8.GetBytes(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><QueueMessage><MessageText>" +
            QueueMessageCodec.EscapeXml(wireText) +
            "</MessageText></QueueMessage>");

    public static XDocument Load(Stream stream)
    {
        using var reader = XmlReader.Create(stream, ReaderSettings);
        return XDocument.Load(reader, LoadOptions.PreserveWhitespace);
    }

    public static IEnumerable<XElement> Messages(XDocument doc) =>
        doc.Root?.Elements("QueueMessage") ?? [];

    public static string Text(XElement message, string name) =>
        message.Element(name)?.Value
        ?? throw new InvalidDataException($"The Queue service's response has a QueueMessage without <{name}>.");

    public static string OptionalText(XElement message, string name) => message.Element(name)?.Value ?? string.Empty;

    public static DateTimeOffset Time(XElement message, string name) => ParseTime(Text(message, name), name);

    public static long Long(XElement message, string name) =>
        long.TryParse(Text(message, name), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidDataException($"The Queue service's <{name}> is not a number.");

    /// <summary>RFC 1123 (<c>Fri, 09 Oct 2009 21:04:30 GMT</c>), as the service writes times in bodies and headers.</summary>
    public static DateTimeOffset ParseTime(string value, string what) =>
        DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var exact)
            ? exact
            : DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var loose)
                ? loose
                : throw new InvalidDataException($"The Queue service's {what} '{value}' is not a date.");
}
