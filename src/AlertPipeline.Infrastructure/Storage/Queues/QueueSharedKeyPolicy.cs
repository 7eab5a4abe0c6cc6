using System.Globalization;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace AlertPipeline.Infrastructure.Storage.Queues;

/// <summary>
/// Signs each try with Shared Key (scheme <c>SharedKey</c>, the one Azurite supports for queues): sets <c>x-ms-date</c>
/// and <c>Authorization</c>. Runs per retry, after the per-call policies have added their <c>x-ms-*</c> headers.
/// </summary>
internal sealed class QueueSharedKeyPolicy(StorageSharedKeyCredential credential, TimeProvider? timeProvider = null)
    : HttpPipelineSynchronousPolicy
{
    private static readonly string[] StandardHeaders =
    [
        "Content-Encoding", "Content-Language", "Content-Length", "Content-MD5", "Content-Type", "Date",
        "If-Modified-Since", "If-Match", "If-None-Match", "If-Unmodified-Since", "Range",
    ];

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        request.Headers.SetValue("x-ms-date", _time.GetUtcNow().ToString("r", CultureInfo.InvariantCulture));
        long contentLength = 0;
        if (request.Content is not null && request.Content.TryComputeLength(out var length))
        {
            contentLength = length;
        }

        var headers = request.Headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value));
        var stringToSign = BuildStringToSign(request.Method.Method, request.Uri.ToUri(), headers, contentLength, credential.AccountName);
        request.Headers.SetValue("Authorization", $"SharedKey {credential.AccountName}:{credential.ComputeSignature(stringToSign)}");
    }

    /// <summary>
    /// The Shared Key string to sign for a Queue request: VERB, the eleven standard headers (Content-Length empty when 0,
    /// Date always empty because <c>x-ms-date</c> is sent), the canonicalized <c>x-ms-*</c> headers, then the canonicalized
    /// resource <c>/account</c> + absolute path (so the emulator's path-style account appears twice) and each query
    /// parameter as <c>\nname:value</c>, names lowercased and ordinal-sorted, values decoded, sorted and comma-joined.
    /// </summary>
    internal static string BuildStringToSign(
        string method, Uri uri, IEnumerable<KeyValuePair<string, string>> headers, long contentLength, string accountName)
    {
        var all = headers.ToList();
        string Header(string name)
        {
            var values = all.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();
            return string.Join(",", values);
        }

        var sb = new StringBuilder(256);
        sb.Append(method.ToUpperInvariant()).Append('\n');
        foreach (var name in StandardHeaders)
        {
            var value = name switch
            {
                "Content-Length" => contentLength > 0 ? contentLength.ToString(CultureInfo.InvariantCulture) : string.Empty,
                "Date" => string.Empty,
                _ => Header(name),
            };
            sb.Append(value).Append('\n');
        }

        foreach (var group in all
                     .Where(h => h.Key.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
                     .GroupBy(h => h.Key.ToLowerInvariant())
                     .OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            sb.Append(group.Key).Append(':').Append(string.Join(",", group.Select(h => h.Value.Trim()))).Append('\n');
        }

        sb.Append('/').Append(accountName).Append(uri.AbsolutePath.Length > 0 ? uri.AbsolutePath : "/");
        foreach (var (name, values) in ParseQuery(uri.Query).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            values.Sort(StringComparer.Ordinal);
            sb.Append('\n').Append(name).Append(':').Append(string.Join(",", values));
        }

        return sb.ToString();
    }

    private static Dictionary<string, List<string>> ParseQuery(string query)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]).ToLowerInvariant();
            var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..]);
            if (!result.TryGetValue(name, out var list))
            {
                result[name] = list = [];
            }

            list.Add(value);
        }

        return result;
    }
}
