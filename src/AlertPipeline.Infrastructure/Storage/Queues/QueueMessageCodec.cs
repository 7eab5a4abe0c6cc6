using System.Buffers;
using System.Text;
using System.Xml;

namespace AlertPipeline.Infrastructure.Storage.Queues;

/// <summary>Message text on the wire: encoding, the size limit, decoding, XML escaping.</summary>
internal static class QueueMessageCodec
{
    /// <summary>The largest MessageText the Queue service accepts, in UTF-8 bytes (after encoding, before XML escaping).</summary>
    public const int MaxMessageTextBytes = 64 * 1024;

    private static readonly SearchValues<char> XmlSpecial = SearchValues.Create("&<>\"'\r");

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The MessageText to send for <paramref name="text"/>; throws ArgumentException when it cannot be sent.</summary>
    public static string Encode(string text, QueueMessageEncoding encoding, string paramName)
    {
        ArgumentNullException.ThrowIfNull(text, paramName);
        string wire;
        if (encoding == QueueMessageEncoding.Base64)
        {
            byte[] bytes;
            try
            {
                bytes = StrictUtf8.GetBytes(text);
            }
            catch (EncoderFallbackException ex)
            {
                throw new ArgumentException($"The message text has an unpaired surrogate at index {ex.Index} and cannot be encoded as UTF-8.", paramName, ex);
            }

            wire = Convert.ToBase64String(bytes);
        }
        else
        {
            var bad = IndexOfInvalidXmlChar(text);
            if (bad >= 0)
            {
                throw new ArgumentException(
                    $"The message text has the character U+{(int)text[bad]:X4} at index {bad}, which XML cannot carry; send it with QueueMessageEncoding.Base64.",
                    paramName);
            }

            wire = text;
        }

        EnsureWithinLimit(wire, encoding, paramName);
        return wire;
    }

    public static void EnsureWithinLimit(string wireText, QueueMessageEncoding encoding, string paramName)
    {
        var size = Encoding.UTF8.GetByteCount(wireText);
        if (size > MaxMessageTextBytes)
        {
            throw new ArgumentException(
                $"The message is {size:N0} bytes once encoded ({encoding}); the Queue service accepts at most {MaxMessageTextBytes:N0} bytes.",
                paramName);
        }
    }

    /// <summary>Decodes MessageText as the receiving client's encoding says; false (with a reason) when it cannot.</summary>
    public static bool TryDecode(string wireText, QueueMessageEncoding encoding, out string body, out string? error)
    {
        if (encoding == QueueMessageEncoding.None)
        {
            body = wireText;
            error = null;
            return true;
        }

        var buffer = new byte[((wireText.Length + 3) / 4) * 3];
        if (!Convert.TryFromBase64String(wireText, buffer, out var written))
        {
            body = string.Empty;
            error = $"The message text ({wireText.Length} characters) is not valid base64.";
            return false;
        }

        try
        {
            body = StrictUtf8.GetString(buffer, 0, written);
            error = null;
            return true;
        }
        catch (DecoderFallbackException)
        {
            body = string.Empty;
            error = "The message text is valid base64 but its bytes are not valid UTF-8.";
            return false;
        }
    }

    public static string Decode(string wireText, QueueMessageEncoding encoding) =>
        TryDecode(wireText, encoding, out var body, out var error) ? body : throw new FormatException(error);

    /// <summary>Escapes text for an XML element's content. CR is escaped so XML line-end normalisation keeps it.</summary>
    public static string EscapeXml(string text)
    {
        if (text.AsSpan().IndexOfAny(XmlSpecial) < 0)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&apos;"); break;
                case '\r': sb.Append("&#xD;"); break;
                default: sb.Append(c); break;
            }
        }

        return sb.ToString();
    }

    private static int IndexOfInvalidXmlChar(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (!XmlConvert.IsXmlChar(c))
            {
                return i;
            }
        }

        return -1;
    }
}
