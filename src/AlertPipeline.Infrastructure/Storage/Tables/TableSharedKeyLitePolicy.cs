using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;

namespace AlertPipeline.Infrastructure.Storage.Tables;

/// <summary>
/// Signs every attempt with Shared Key Lite, as Azure.Data.Tables does: <c>x-ms-date</c> is set per attempt (it is a
/// per-retry policy) and <c>Authorization: SharedKeyLite account:signature</c> covers <c>date\n/account/path[?comp=v]</c>.
/// </summary>
internal sealed class TableSharedKeyLitePolicy(StorageSharedKeyCredential credential, TimeProvider? clock = null)
    : HttpPipelineSynchronousPolicy
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public override void OnSendingRequest(HttpMessage message)
    {
        var date = _clock.GetUtcNow().ToString("r", CultureInfo.InvariantCulture);
        message.Request.Headers.SetValue("x-ms-date", date);
        var stringToSign = BuildStringToSign(date, credential.AccountName, message.Request.Uri.ToUri());
        message.Request.Headers.SetValue(
            HttpHeader.Names.Authorization,
            $"SharedKeyLite {credential.AccountName}:{credential.ComputeSignature(stringToSign)}");
    }

    /// <summary>
    /// The Shared Key Lite string to sign for the Table service: the <c>x-ms-date</c> value, a newline, then the
    /// canonicalized resource — <c>/account</c> + the URL's (still percent-encoded) absolute path, plus
    /// <c>?comp=value</c> when the URL has a <c>comp</c> parameter; no other query parameter is signed.
    /// </summary>
    internal static string BuildStringToSign(string xMsDate, string accountName, Uri uri)
    {
        var resource = "/" + accountName + uri.AbsolutePath;
        var comp = FindComp(uri.Query);
        if (comp is not null)
        {
            resource += "?comp=" + comp;
        }

        return xMsDate + "\n" + resource;
    }

    private static string? FindComp(string query)
    {
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? pair : pair[..eq];
            if (string.Equals(Uri.UnescapeDataString(name), "comp", StringComparison.OrdinalIgnoreCase))
            {
                return eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..]);
            }
        }

        return null;
    }
}
