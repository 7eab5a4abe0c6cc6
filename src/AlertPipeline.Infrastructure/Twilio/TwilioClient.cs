using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using AlertPipeline.Core.Common;
using AlertPipeline.Infrastructure.Channels;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace AlertPipeline.Infrastructure.Twilio;

/// <summary>
/// Twilio Programmable Messaging over REST, on Azure.Core's pipeline (retries, timeouts, diagnostics).
/// Failures throw <see cref="TwilioApiException"/>; cancellation throws <see cref="OperationCanceledException"/>
/// (a send cancelled mid-flight has an unknown outcome too).
/// </summary>
public class TwilioClient
{
    private const string ApiVersion = "2010-04-01";
    private readonly HttpPipeline _pipeline = null!;
    private readonly Uri _root = null!;
    private readonly TwilioClientOptions _options = null!;
    private readonly ResponseClassifier _sendClassifier = null!;
    private readonly ResponseClassifier _readClassifier = null!;

    public TwilioClient(string accountSid, string authToken, TwilioClientOptions? options = null)
        : this(TwilioOptions.DefaultBaseUri, new TwilioCredential(accountSid, authToken), options)
    {
    }

    /// <param name="endpoint">The API host root, e.g. <c>https://api.twilio.com</c> (any path is ignored).</param>
    public TwilioClient(Uri endpoint, TwilioCredential credential, TwilioClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(credential);
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException("The Twilio endpoint must be an absolute http(s) URL.", nameof(endpoint));
        }

        _root = new Uri(endpoint.GetLeftPart(UriPartial.Authority) + "/");
        AccountSid = credential.AccountSid;
        _options = options ?? new TwilioClientOptions();
        _sendClassifier = new TwilioResponseClassifier(repeatable: false);
        _readClassifier = new TwilioResponseClassifier(repeatable: true);
        _pipeline = HttpPipelineBuilder.Build(_options, [new BasicAuthenticationPolicy(credential)], [], _readClassifier);
    }

    /// <summary>For mocking.</summary>
    protected TwilioClient()
    {
        AccountSid = string.Empty;
    }

    public string AccountSid { get; }

    public Uri Endpoint => _root;

    private string MessagesPath => $"{ApiVersion}/Accounts/{AccountSid}/Messages.json";

    /// <summary>Creates a message (<c>POST …/Messages.json</c>). Returns Twilio's resource, normally with status <c>queued</c> or <c>accepted</c>.</summary>
    public virtual async Task<TwilioMessage> SendMessageAsync(TwilioSendRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var message = _pipeline.CreateMessage();
        message.ResponseClassifier = _options.RetryAmbiguousSends ? _readClassifier : _sendClassifier;
        message.Request.Method = RequestMethod.Post;
        message.Request.Uri.Reset(new Uri(_root, MessagesPath));
        message.Request.Headers.SetValue("Accept", "application/json");
        message.Request.Headers.SetValue("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
        message.Request.Content = RequestContent.Create(Encoding.UTF8.GetBytes(FormEncoding.Encode(request.ToFormFields())));

        await SendAsync(message, isSend: true, cancellationToken).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(message.Response.Content.ToMemory());
            return TwilioMessage.FromJson(document.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            throw new TwilioApiException(
                message.Response.Status,
                null,
                "Twilio accepted the message but its answer is unreadable; reconcile before resending.",
                TwilioErrorKind.OutcomeUnknown,
                innerException: ex);
        }
    }

    /// <summary>
    /// Messages sent to <paramref name="to"/> on or after the UTC date of <paramref name="dateSentAfter"/>
    /// (<c>GET …/Messages.json?To=…&amp;DateSent&gt;=YYYY-MM-DD</c>), newest first, following <c>next_page_uri</c>.
    /// Twilio filters by whole days: compare <see cref="TwilioMessage.DateCreated"/> yourself for finer bounds.
    /// </summary>
    public virtual async IAsyncEnumerable<TwilioMessage> ListMessagesAsync(
        string to,
        DateTimeOffset dateSentAfter,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(to))
        {
            throw new ArgumentException("The recipient to list messages for is empty.", nameof(to));
        }

        var query = FormEncoding.Encode(
        [
            new("To", to),
            new("DateSent>", dateSentAfter.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            new("PageSize", _options.PageSize.ToString(CultureInfo.InvariantCulture)),
        ]);
        Uri? next = new(_root, $"{MessagesPath}?{query}");
        while (next is not null)
        {
            var page = new List<TwilioMessage>();
            using (var message = _pipeline.CreateMessage())
            {
                message.ResponseClassifier = _readClassifier;
                message.Request.Method = RequestMethod.Get;
                message.Request.Uri.Reset(next);
                message.Request.Headers.SetValue("Accept", "application/json");
                await SendAsync(message, isSend: false, cancellationToken).ConfigureAwait(false);

                using var document = ParseJson(message.Response);
                var root = document.RootElement;
                if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
                {
                    throw new TwilioApiException(message.Response.Status, null, "Twilio's message list has no 'messages' array.", TwilioErrorKind.Permanent);
                }

                foreach (var item in messages.EnumerateArray())
                {
                    page.Add(TwilioMessage.FromJson(item));
                }

                next = root.TryGetProperty("next_page_uri", out var nextUri) && nextUri.ValueKind == JsonValueKind.String
                       && !string.IsNullOrEmpty(nextUri.GetString())
                    ? ResolveNextPage(nextUri.GetString()!)
                    : null;
            }

            foreach (var item in page)
            {
                yield return item;
            }
        }
    }

    private Uri ResolveNextPage(string nextPageUri)
    {
        var resolved = new Uri(_root, nextPageUri);
        if (!string.Equals(resolved.GetLeftPart(UriPartial.Authority), _root.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase))
        {
            // Never send our credentials to another host.
            throw new TwilioApiException(0, null, "Twilio's next_page_uri points at another host.", TwilioErrorKind.Permanent);
        }

        return resolved;
    }

    private async Task SendAsync(HttpMessage message, bool isSend, CancellationToken cancellationToken)
    {
        try
        {
            await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsTransportFailure(ex))
        {
            throw TransportException(ex, isSend);
        }

        if (message.Response.IsError)
        {
            throw ErrorFromResponse(message.Response, isSend);
        }
    }

    private static bool IsTransportFailure(Exception ex) => ex switch
    {
        TwilioApiException => false,
        RequestFailedException { Status: 0 } => true,
        OperationCanceledException => true, // the pipeline's network timeout, not our caller's token
        AggregateException aggregate => aggregate.InnerExceptions.All(IsTransportFailure),
        _ => false,
    };

    private static TwilioApiException TransportException(Exception ex, bool isSend)
    {
        var failures = ex is AggregateException aggregate ? aggregate.InnerExceptions : [ex];
        var neverSent = failures.All(TwilioResponseClassifier.NeverReachedServer);
        var timedOut = failures.Any(f => f is OperationCanceledException);
        var kind = isSend && !neverSent ? TwilioErrorKind.OutcomeUnknown : TwilioErrorKind.Transient;
        var what = timedOut ? "did not answer within the network timeout" : "could not be reached";
        var outcome = kind == TwilioErrorKind.OutcomeUnknown ? " The message may have been accepted; reconcile before resending." : string.Empty;
        return new TwilioApiException(
            0,
            null,
            $"Twilio {what} after {failures.Count} attempt(s): {Redact.PersonalDataIn(failures[^1].Message)}.{outcome}",
            kind,
            innerException: ex);
    }

    private static TwilioApiException ErrorFromResponse(Response response, bool isSend)
    {
        int? code = null;
        string? text = null;
        string? moreInfo = null;
        try
        {
            using var document = JsonDocument.Parse(response.Content.ToMemory());
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("code", out var c) && c.TryGetInt32(out var parsed))
                {
                    code = parsed;
                }

                text = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                moreInfo = root.TryGetProperty("more_info", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            }
        }
        catch (JsonException)
        {
            // Not Twilio's JSON (a proxy's page, an empty body): the status alone classifies it.
        }

        var kind = TwilioErrorClassification.ForApiError(response.Status, code, isSend);
        var builder = new StringBuilder($"Twilio answered {response.Status.ToString(CultureInfo.InvariantCulture)} {response.ReasonPhrase}");
        if (code is not null)
        {
            builder.Append(CultureInfo.InvariantCulture, $" (code {code})");
        }

        if (!string.IsNullOrWhiteSpace(text))
        {
            builder.Append(": ").Append(Redact.PersonalDataIn(text));
        }

        builder.Append(CultureInfo.InvariantCulture, $" [{kind}]");
        return new TwilioApiException(response.Status, code, builder.ToString(), kind, moreInfo);
    }

    private static JsonDocument ParseJson(Response response)
    {
        try
        {
            return JsonDocument.Parse(response.Content.ToMemory());
        }
        catch (JsonException ex)
        {
            throw new TwilioApiException(response.Status, null, "Twilio's answer is not JSON.", TwilioErrorKind.Permanent, innerException: ex);
        }
    }

    private sealed class BasicAuthenticationPolicy(TwilioCredential credential) : HttpPipelineSynchronousPolicy
    {
        private readonly string _header = credential.BasicAuthorizationHeader;

        public override void OnSendingRequest(HttpMessage message) => message.Request.Headers.SetValue("Authorization", _header);
    }
}
