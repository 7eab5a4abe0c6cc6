using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace AlertPipeline.LocalHost.Http;

/// <summary>Copies an incoming request to the app's own HTTP server and its response back (a small reverse proxy).</summary>
internal static class HttpForwarding
{
    private static readonly HashSet<string> HopByHopHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Connection", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade", "Host",
    };

    /// <summary>
    /// The request to send to <paramref name="baseAddress"/> on the same path and query, with the caller's headers (hop-by-hop
    /// ones left out) and body, and <paramref name="invocationHeader"/> set to <paramref name="invocationId"/> (overwriting a
    /// value the caller sent).
    /// </summary>
    public static HttpRequestMessage CreateRequest(HttpContext context, Uri baseAddress, string invocationHeader, string invocationId)
    {
        var request = context.Request;
        var target = new Uri(baseAddress, request.PathBase.Add(request.Path).ToUriComponent() + request.QueryString.ToUriComponent());
        var message = new HttpRequestMessage(new HttpMethod(request.Method), target);
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            message.Content = new StreamContent(request.Body);
        }

        foreach (var (name, values) in request.Headers)
        {
            if (HopByHopHeaders.Contains(name) || string.Equals(name, invocationHeader, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        message.Headers.TryAddWithoutValidation(invocationHeader, invocationId);
        return message;
    }

    /// <summary>Writes the app's response (status, headers but hop-by-hop ones, body) to the caller.</summary>
    public static async Task CopyResponseAsync(HttpResponseMessage response, HttpContext context)
    {
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopByHopHeaders.Contains(name))
            {
                context.Response.Headers[name] = new StringValues(values.ToArray());
            }
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }
}
