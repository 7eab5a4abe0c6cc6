using System.Text;
using System.Text.RegularExpressions;

namespace AlertPipeline.Testing;

/// <summary>
/// A minimal MIME reader for test assertions: unfolded headers (RFC 2047 encoded-words decoded), and the leaf parts
/// of a multipart tree with base64 / quoted-printable bodies decoded in their charset.
/// </summary>
public sealed partial class MimeMessage
{
    private MimeMessage(string raw, IReadOnlyList<KeyValuePair<string, string>> headers, IReadOnlyList<MimeMessage> parts, string body)
    {
        Raw = raw;
        Headers = headers;
        Parts = parts;
        Body = body;
    }

    public string Raw { get; }

    /// <summary>Headers in order, names as written, values unfolded and decoded.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>Leaf parts (for a single-part message: none; read <see cref="Body"/>).</summary>
    public IReadOnlyList<MimeMessage> Parts { get; }

    /// <summary>The decoded body of a single part (empty for a multipart container).</summary>
    public string Body { get; }

    public string? Subject => Header("Subject");

    /// <summary>The media type without parameters, lower case (<c>text/plain</c> when absent).</summary>
    public string ContentType => (Header("Content-Type") ?? "text/plain").Split(';')[0].Trim().ToLowerInvariant();

    public string? TextBody => FindBody("text/plain");

    public string? HtmlBody => FindBody("text/html");

    public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public IEnumerable<string> HeaderValues(string name) =>
        Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    public static MimeMessage Parse(string raw)
    {
        var text = raw.Replace("\r\n", "\n", StringComparison.Ordinal);
        var split = text.IndexOf("\n\n", StringComparison.Ordinal);
        var headerText = split < 0 ? text : text[..split];
        var bodyText = split < 0 ? string.Empty : text[(split + 2)..];
        var headers = ParseHeaders(headerText);
        string? Get(string name) => headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

        var contentType = Get("Content-Type") ?? "text/plain";
        if (contentType.TrimStart().StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            var boundary = Parameter(contentType, "boundary") ?? throw new FormatException("A multipart part has no boundary.");
            var parts = new List<MimeMessage>();
            foreach (var chunk in SplitMultipart(bodyText, boundary))
            {
                var part = Parse(chunk);
                if (part.Parts.Count > 0)
                {
                    parts.AddRange(part.Parts);
                }
                else
                {
                    parts.Add(part);
                }
            }

            return new MimeMessage(raw, headers, parts, string.Empty);
        }

        var charset = Parameter(contentType, "charset") ?? "us-ascii";
        var encoding = (Get("Content-Transfer-Encoding") ?? "7bit").Trim().ToLowerInvariant();
        var bytes = encoding switch
        {
            "base64" => Convert.FromBase64String(string.Concat(bodyText.Where(c => !char.IsWhiteSpace(c)))),
            "quoted-printable" => DecodeQuotedPrintable(bodyText),
            _ => Encoding.UTF8.GetBytes(bodyText),
        };
        return new MimeMessage(raw, headers, [], EncodingFor(charset).GetString(bytes));
    }

    private string? FindBody(string mediaType) =>
        Parts.Count == 0 ? (ContentType == mediaType ? Body : null) : Parts.FirstOrDefault(p => p.ContentType == mediaType)?.Body;

    private static List<KeyValuePair<string, string>> ParseHeaders(string headerText)
    {
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in headerText.Split('\n'))
        {
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t') && headers.Count > 0)
            {
                var last = headers[^1];
                headers[^1] = new(last.Key, last.Value + " " + line.Trim());
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
            }
        }

        return headers.Select(h => new KeyValuePair<string, string>(h.Key, DecodeEncodedWords(h.Value))).ToList();
    }

    private static IEnumerable<string> SplitMultipart(string body, string boundary)
    {
        var delimiter = "--" + boundary;
        var lines = body.Split('\n');
        StringBuilder? current = null;
        foreach (var line in lines)
        {
            var trimmed = line.TrimEnd();
            if (trimmed == delimiter + "--")
            {
                if (current is not null)
                {
                    yield return current.ToString();
                }

                yield break;
            }

            if (trimmed == delimiter)
            {
                if (current is not null)
                {
                    yield return current.ToString();
                }

                current = new StringBuilder();
                continue;
            }

            current?.Append(line).Append('\n');
        }

        if (current is not null)
        {
            yield return current.ToString();
        }
    }

    private static string? Parameter(string headerValue, string name)
    {
        foreach (var piece in headerValue.Split(';').Skip(1))
        {
            var eq = piece.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && piece[..eq].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return piece[(eq + 1)..].Trim().Trim('"');
            }
        }

        return null;
    }

    private static byte[] DecodeQuotedPrintable(string text)
    {
        var output = new List<byte>(text.Length);
        var input = text.Replace("=\n", string.Empty, StringComparison.Ordinal);
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i] == '=' && i + 2 < input.Length && Uri.IsHexDigit(input[i + 1]) && Uri.IsHexDigit(input[i + 2]))
            {
                output.Add(Convert.ToByte(input.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                output.AddRange(Encoding.UTF8.GetBytes(input[i].ToString()));
            }
        }

        return [.. output];
    }

    private static string DecodeEncodedWords(string value)
    {
        // Whitespace between two adjacent encoded words is not part of the text (RFC 2047 §6.2).
        var joined = AdjacentEncodedWords().Replace(value, "$1");
        return EncodedWord().Replace(joined, m =>
        {
            var encoding = EncodingFor(m.Groups["charset"].Value);
            var payload = m.Groups["text"].Value;
            var bytes = m.Groups["enc"].Value.Equals("B", StringComparison.OrdinalIgnoreCase)
                ? Convert.FromBase64String(payload)
                : DecodeQuotedPrintable(payload.Replace('_', ' '));
            return encoding.GetString(bytes);
        });
    }

    private static Encoding EncodingFor(string charset)
    {
        try
        {
            return Encoding.GetEncoding(charset.Trim().Trim('"'));
        }
        catch (ArgumentException)
        {
            return Encoding.UTF8;
        }
    }

    [GeneratedRegex(@"=\?(?<charset>[^?]+)\?(?<enc>[BbQq])\?(?<text>[^?]*)\?=")]
    private static partial Regex EncodedWord();

    [GeneratedRegex(@"(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)")]
    private static partial Regex AdjacentEncodedWords();
}
