using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace AlertPipeline.Infrastructure.Twilio;

/// <summary>
/// Checks <c>X-Twilio-Signature</c>: base64(HMAC-SHA1(key = UTF-8 auth token, data = the URL Twilio called, query
/// included, then every POST parameter as name + value sorted by name ordinally)). Compared in constant time; the
/// URL is accepted with and without an explicit default port (:443 / :80), as Twilio may sign either.
/// </summary>
public sealed class TwilioRequestValidator
{
    public const string SignatureHeader = "X-Twilio-Signature";
    private readonly byte[] _key;

    public TwilioRequestValidator(string authToken)
    {
        if (string.IsNullOrEmpty(authToken))
        {
            throw new ArgumentException("The Twilio auth token is empty.", nameof(authToken));
        }

        _key = Encoding.UTF8.GetBytes(authToken);
    }

    /// <param name="url">The full public URL Twilio requested, query string included (not the URL behind a proxy).</param>
    /// <param name="parameters">The form-encoded POST parameters (none for GET).</param>
    /// <param name="signature">The <c>X-Twilio-Signature</c> header value.</param>
    public bool IsValid(string url, IEnumerable<KeyValuePair<string, string>> parameters, string? signature)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(parameters);
        if (string.IsNullOrEmpty(signature))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(signature.Trim());
        var materialized = parameters as IReadOnlyCollection<KeyValuePair<string, string>> ?? parameters.ToList();
        foreach (var candidate in UrlVariants(url))
        {
            var actual = Encoding.ASCII.GetBytes(Sign(_key, candidate, materialized));
            if (CryptographicOperations.FixedTimeEquals(actual, expected))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>For an ASP.NET Core form (<c>IFormCollection</c>) or query: repeated values each count as a parameter.</summary>
    public bool IsValid(string url, IEnumerable<KeyValuePair<string, StringValues>> parameters, string? signature) =>
        IsValid(url, Flatten(parameters), signature);

    /// <summary>The signature Twilio would send for this URL and these parameters (for tests and fakes).</summary>
    public static string ComputeSignature(string authToken, string url, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        ArgumentException.ThrowIfNullOrEmpty(authToken);
        ArgumentNullException.ThrowIfNull(url);
        return Sign(Encoding.UTF8.GetBytes(authToken), url, parameters ?? []);
    }

    /// <summary>The string that is signed: the URL followed by the sorted name+value pairs.</summary>
    public static string SignedData(string url, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var builder = new StringBuilder(url);
        foreach (var (name, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal))
        {
            builder.Append(name).Append(value);
        }

        return builder.ToString();
    }

    private static string Sign(byte[] key, string url, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var data = Encoding.UTF8.GetBytes(SignedData(url, parameters));
        return Convert.ToBase64String(HMACSHA1.HashData(key, data));
    }

    /// <summary>The URL as given, then the same with the default port added or removed.</summary>
    internal static IEnumerable<string> UrlVariants(string url)
    {
        yield return url;
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            yield break;
        }

        var scheme = url[..schemeEnd].ToLowerInvariant();
        var defaultPort = scheme switch { "https" => "443", "http" => "80", _ => null };
        if (defaultPort is null)
        {
            yield break;
        }

        var authorityStart = schemeEnd + 3;
        var authorityEnd = url.IndexOfAny(['/', '?', '#'], authorityStart);
        if (authorityEnd < 0)
        {
            authorityEnd = url.Length;
        }

        var authority = url[authorityStart..authorityEnd];
        var hostEnd = authority.LastIndexOf(']') + 1; // IPv6 literals contain colons
        var colon = authority.IndexOf(':', hostEnd);
        string variantAuthority;
        if (colon < 0)
        {
            variantAuthority = $"{authority}:{defaultPort}";
        }
        else if (authority[(colon + 1)..] == defaultPort)
        {
            variantAuthority = authority[..colon];
        }
        else
        {
            yield break;
        }

        yield return string.Concat(url.AsSpan(0, authorityStart), variantAuthority, url.AsSpan(authorityEnd));
    }

    private static IEnumerable<KeyValuePair<string, string>> Flatten(IEnumerable<KeyValuePair<string, StringValues>> parameters)
    {
        foreach (var (name, values) in parameters)
        {
            foreach (var value in values)
            {
                yield return new(name, value ?? string.Empty);
            }
        }
    }
}
