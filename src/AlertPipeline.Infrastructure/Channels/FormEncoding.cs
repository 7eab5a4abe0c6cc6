using System.Text;

namespace AlertPipeline.Infrastructure.Channels;

/// <summary>
/// <c>application/x-www-form-urlencoded</c> as browsers and Twilio use it: UTF-8, percent-encoding of everything
/// except unreserved characters, spaces as <c>+</c>. A literal <c>+</c> (every E.164 number) becomes <c>%2B</c>.
/// </summary>
public static class FormEncoding
{
    public static string Encode(IEnumerable<KeyValuePair<string, string>> fields)
    {
        var builder = new StringBuilder();
        foreach (var (name, value) in fields)
        {
            if (builder.Length > 0)
            {
                builder.Append('&');
            }

            builder.Append(EncodeComponent(name)).Append('=').Append(EncodeComponent(value));
        }

        return builder.ToString();
    }

    public static string EncodeComponent(string value) => Uri.EscapeDataString(value).Replace("%20", "+", StringComparison.Ordinal);

    /// <summary>Decodes a form body or query string (without the leading <c>?</c>) into its fields, in order; repeated names stay repeated.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Decode(string encoded)
    {
        var fields = new List<KeyValuePair<string, string>>();
        if (string.IsNullOrEmpty(encoded))
        {
            return fields;
        }

        foreach (var pair in encoded.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? pair : pair[..eq];
            var value = eq < 0 ? string.Empty : pair[(eq + 1)..];
            fields.Add(new(DecodeComponent(name), DecodeComponent(value)));
        }

        return fields;
    }

    public static string DecodeComponent(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}
