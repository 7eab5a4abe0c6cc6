using System.Net.Http;
using System.Net.Sockets;
using Azure.Core;

namespace AlertPipeline.Infrastructure.Twilio;

/// <summary>
/// Which Twilio answers the pipeline retries. Reads (<paramref name="repeatable"/> true): 429, 408, 5xx and transport
/// failures. Sends (false): only 429 (Twilio did not process it) and failures to connect (nothing was sent) — a 5xx
/// or a timeout may hide an accepted message, and repeating it could text the member twice.
/// </summary>
internal sealed class TwilioResponseClassifier(bool repeatable) : ResponseClassifier
{
    public override bool IsRetriableResponse(HttpMessage message)
    {
        var status = message.Response.Status;
        return status == 429 || (repeatable && (status >= 500 || status == 408));
    }

    public override bool IsRetriableException(Exception exception) =>
        repeatable ? base.IsRetriableException(exception) : NeverReachedServer(exception);

    public override bool IsRetriable(HttpMessage message, Exception exception) =>
        repeatable ? base.IsRetriable(message, exception) : NeverReachedServer(exception);

    public override bool IsErrorResponse(HttpMessage message) => message.Response.Status >= 400;

    /// <summary>True when the exception proves the request never reached the server (refused, unresolvable).</summary>
    internal static bool NeverReachedServer(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }:
                    return true;
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.HostUnreachable or SocketError.NetworkUnreachable }:
                    return true;
            }
        }

        return false;
    }
}
