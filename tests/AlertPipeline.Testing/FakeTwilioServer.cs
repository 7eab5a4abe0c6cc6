using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AlertPipeline.Infrastructure.Channels;
using AlertPipeline.Infrastructure.Twilio;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AlertPipeline.Testing;

/// <summary>What the fake answers instead of accepting a message.</summary>
public enum TwilioFault
{
    /// <summary>429, code 20429: not processed.</summary>
    TooManyRequests,

    /// <summary>500, code 20500: not processed (the fake records nothing).</summary>
    ServerError,

    /// <summary>503, code 20503.</summary>
    ServiceUnavailable,

    /// <summary>400, code 21211: invalid To (the message quotes the number, as Twilio's does).</summary>
    InvalidTo,

    /// <summary>400, code 21610: the recipient replied STOP.</summary>
    OptedOut,

    /// <summary>400, code 21614: To is not a mobile number.</summary>
    NotMobile,

    /// <summary>Never answers, until the client gives up (or the server stops).</summary>
    Hang,

    /// <summary>Accepts and records the message, then answers 500: the "outcome unknown" case.</summary>
    AcceptThenServerError,

    /// <summary>Accepts and records the message, then never answers: the "process died / timed out" case.</summary>
    AcceptThenHang,

    /// <summary>Waits <see cref="FakeTwilioServer.SlowResponseDelay"/>, then accepts and answers normally.</summary>
    Slow,
}

/// <summary>One HTTP request the fake received.</summary>
public sealed record FakeTwilioRequest(
    string Method,
    string Path,
    IReadOnlyList<KeyValuePair<string, string>> Query,
    IReadOnlyList<KeyValuePair<string, string>> Form,
    bool Authorized,
    int ResponseStatus,
    DateTimeOffset ReceivedAt)
{
    /// <summary>The request's W3C <c>traceparent</c> header (the caller's trace, propagated by HttpClient), or null.</summary>
    public string? TraceParent { get; init; }

    public string? FormValue(string name) => Form.FirstOrDefault(f => f.Key == name).Value;

    public string? QueryValue(string name) => Query.FirstOrDefault(f => f.Key == name).Value;
}

/// <summary>A message the fake accepted.</summary>
public sealed record FakeTwilioMessage(
    string Sid,
    string To,
    string? From,
    string? MessagingServiceSid,
    string Body,
    string? StatusCallback,
    int? ValidityPeriod,
    int NumSegments,
    DateTimeOffset DateCreated)
{
    public string Status { get; internal set; } = MessagingServiceSid is null ? "queued" : "accepted";
}

/// <summary>
/// A real HTTP server on a free loopback port that speaks enough of Twilio's Messages API for the Twilio SDK (whose
/// <c>api.twilio.com</c> requests reach it through <see cref="TwilioBaseUriHandler"/> when <c>Twilio:BaseUri</c> names it):
/// <c>POST/GET /2010-04-01/Accounts/{sid}/Messages.json</c> with Basic auth, Twilio-shaped JSON and errors, paging,
/// scriptable faults (<see cref="FailNext"/>, <see cref="FailFor"/>), and signed webhook calls
/// (<see cref="SendStatusCallbackAsync"/>, <see cref="SendInboundMessageAsync"/>).
/// </summary>
public sealed class FakeTwilioServer : IAsyncDisposable
{
    public const string DefaultAccountSid = "AC0123456789abcdef0123456789abcdef";
    public const string DefaultAuthToken = "fake-twilio-auth-token";
    public const string DefaultFrom = "+15005550006";

    private static readonly HttpClient CallbackClient = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private int _sentCallbacksAnswered;
    private int _sentCallbacksFailed;
    private readonly List<FakeTwilioRequest> _requests = [];
    private readonly List<FakeTwilioMessage> _messages = [];
    private readonly Queue<TwilioFault> _createFaults = new();
    private readonly Queue<TwilioFault> _listFaults = new();
    private readonly ConcurrentDictionary<string, (TwilioFault Fault, int? Remaining)> _recipientFaults = new();

    private FakeTwilioServer(WebApplication app, string accountSid, string authToken)
    {
        _app = app;
        AccountSid = accountSid;
        AuthToken = authToken;
    }

    public string AccountSid { get; }

    public string AuthToken { get; }

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>How long a <see cref="TwilioFault.Slow"/> answer takes.</summary>
    public TimeSpan SlowResponseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Consulted for every message-create request that no <see cref="FailNext"/> or <see cref="FailFor"/> fault claims:
    /// the fault to answer with, or null to accept. The fault harness's storms are one (called concurrently).
    /// </summary>
    public Func<TwilioFault?>? FaultSchedule { get; set; }

    /// <summary>Default page size of message lists when the client sends none.</summary>
    public int DefaultPageSize { get; set; } = 50;

    /// <summary>
    /// When set, every accepted message with a <c>StatusCallback</c> gets a signed <c>sent</c> callback this long after
    /// its creation, as Twilio sends one (once: Twilio does not retry a status callback that fails by default).
    /// </summary>
    public TimeSpan? SentCallbackAfter { get; set; }

    /// <summary>Automatic <c>sent</c> callbacks (<see cref="SentCallbackAfter"/>) answered 2xx.</summary>
    public int SentCallbacksAnswered => Volatile.Read(ref _sentCallbacksAnswered);

    /// <summary>Automatic <c>sent</c> callbacks that failed (no connection, an error status).</summary>
    public int SentCallbacksFailed => Volatile.Read(ref _sentCallbacksFailed);

    /// <summary>Every request received, in arrival order (snapshot).</summary>
    public IReadOnlyList<FakeTwilioRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Message-create requests received (accepted or not).</summary>
    public IReadOnlyList<FakeTwilioRequest> CreateRequests => Requests.Where(r => r.Method == "POST").ToList();

    /// <summary>Every message accepted, in order (snapshot).</summary>
    public IReadOnlyList<FakeTwilioMessage> SentMessages
    {
        get
        {
            lock (_gate)
            {
                return [.. _messages];
            }
        }
    }

    public static async Task<FakeTwilioServer> StartAsync(string accountSid = DefaultAccountSid, string authToken = DefaultAuthToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeTwilioServer(app, accountSid, authToken);
        app.MapPost("/2010-04-01/Accounts/{sid}/Messages.json", server.CreateAsync);
        app.MapGet("/2010-04-01/Accounts/{sid}/Messages.json", server.ListAsync);
        await app.StartAsync().ConfigureAwait(false);
        server.BaseUri = new Uri(app.Urls.First());
        return server;
    }

    /// <summary>
    /// The configuration keys pointing the SDK at this server, for <c>AddInMemoryCollection</c>: credentials, From =
    /// <see cref="DefaultFrom"/>, <c>Twilio:BaseUri</c>, millisecond retry delays and a 10 s network timeout.
    /// </summary>
    public IReadOnlyDictionary<string, string?> ConfigurationValues() => new Dictionary<string, string?>
    {
        ["Twilio:AccountSid"] = AccountSid,
        ["Twilio:AuthToken"] = AuthToken,
        ["Twilio:From"] = DefaultFrom,
        ["Twilio:BaseUri"] = BaseUri.AbsoluteUri,
        ["Twilio:RetryDelay"] = "00:00:00.005",
        ["Twilio:NetworkTimeout"] = "00:00:10",
    };

    /// <summary>X-Twilio-Signature as Twilio computes it: base64(HMAC-SHA1(auth token, URL + sorted name+value pairs)).</summary>
    public static string Sign(string authToken, string url, IEnumerable<KeyValuePair<string, string>> form)
    {
        ArgumentException.ThrowIfNullOrEmpty(authToken);
        var data = new StringBuilder(url);
        foreach (var (name, value) in form.OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal))
        {
            data.Append(name).Append(value);
        }

        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString())));
    }

    /// <summary>The next <paramref name="count"/> message-create requests get <paramref name="fault"/>.</summary>
    public void FailNext(int count, TwilioFault fault)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _createFaults.Enqueue(fault);
            }
        }
    }

    /// <summary>The next <paramref name="count"/> list requests get <paramref name="fault"/>.</summary>
    public void FailNextList(int count, TwilioFault fault)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _listFaults.Enqueue(fault);
            }
        }
    }

    /// <summary>Sends to <paramref name="to"/> get <paramref name="fault"/> (every time, or <paramref name="times"/> times).</summary>
    public void FailFor(string to, TwilioFault fault, int? times = null) => _recipientFaults[to] = (fault, times);

    public void ClearFaults()
    {
        lock (_gate)
        {
            _createFaults.Clear();
            _listFaults.Clear();
        }

        _recipientFaults.Clear();
    }

    /// <summary>Changes the status the list reports for an accepted message.</summary>
    public void SetStatus(string sid, string status)
    {
        lock (_gate)
        {
            (_messages.FirstOrDefault(m => m.Sid == sid) ?? throw new ArgumentException($"No message {sid}.", nameof(sid))).Status = status;
        }
    }

    /// <summary>Adds a message as if it had been sent earlier (for reconciliation and paging tests).</summary>
    public FakeTwilioMessage AddMessage(string to, string body, DateTimeOffset dateCreated, string status = "delivered")
    {
        var message = new FakeTwilioMessage(NewSid(), to, DefaultFrom, null, body, null, null, SmsSegments.Estimate(body), dateCreated) { Status = status };
        lock (_gate)
        {
            _messages.Add(message);
        }

        return message;
    }

    /// <summary>POSTs a status callback as Twilio would, signed with this server's auth token.</summary>
    public Task<HttpResponseMessage> SendStatusCallbackAsync(Uri url, string messageSid, string status, int? errorCode = null, CancellationToken cancellationToken = default)
    {
        FakeTwilioMessage? known;
        lock (_gate)
        {
            known = _messages.FirstOrDefault(m => m.Sid == messageSid);
        }

        var form = new List<KeyValuePair<string, string>>
        {
            new("AccountSid", AccountSid),
            new("ApiVersion", "2010-04-01"),
            new("MessageSid", messageSid),
            new("SmsSid", messageSid),
            new("MessageStatus", status),
            new("SmsStatus", status),
        };
        if (known is not null)
        {
            form.Add(new("To", known.To));
            form.Add(new("From", known.From ?? DefaultFrom));
            if (known.MessagingServiceSid is not null)
            {
                form.Add(new("MessagingServiceSid", known.MessagingServiceSid));
            }
        }

        if (errorCode is not null)
        {
            form.Add(new("ErrorCode", errorCode.Value.ToString(CultureInfo.InvariantCulture)));
        }

        return PostSignedAsync(url, form, cancellationToken: cancellationToken);
    }

    /// <summary>POSTs an inbound SMS webhook as Twilio would, signed with this server's auth token.</summary>
    public Task<HttpResponseMessage> SendInboundMessageAsync(Uri url, string from, string to, string body, CancellationToken cancellationToken = default) =>
        PostSignedAsync(
            url,
            [
                new("AccountSid", AccountSid),
                new("ApiVersion", "2010-04-01"),
                new("MessageSid", NewSid()),
                new("SmsSid", NewSid()),
                new("From", from),
                new("To", to),
                new("Body", body),
                new("NumMedia", "0"),
            ],
            cancellationToken: cancellationToken);

    /// <summary>POSTs any form to <paramref name="url"/> with a valid X-Twilio-Signature (or <paramref name="signatureOverride"/>).</summary>
    public async Task<HttpResponseMessage> PostSignedAsync(
        Uri url,
        IReadOnlyList<KeyValuePair<string, string>> form,
        string? signatureOverride = null,
        CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(FormEncoding.Encode(form), Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Add(TwilioWebhookSignature.Header, signatureOverride ?? Sign(AuthToken, url.AbsoluteUri, form));
        return await CallbackClient.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private static string NewSid() => "SM" + Guid.NewGuid().ToString("N");

    private async Task SendSentCallbackAsync(Uri url, string messageSid, TimeSpan after)
    {
        try
        {
            await Task.Delay(after, _stopping.Token).ConfigureAwait(false);
            using var answer = await SendStatusCallbackAsync(url, messageSid, "sent", cancellationToken: _stopping.Token).ConfigureAwait(false);
            if (answer.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref _sentCallbacksAnswered);
            }
            else
            {
                Interlocked.Increment(ref _sentCallbacksFailed);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            if (!_stopping.IsCancellationRequested)
            {
                Interlocked.Increment(ref _sentCallbacksFailed);
            }
        }
    }

    private async Task CreateAsync(HttpContext context, string sid)
    {
        var form = FormEncoding.Decode(await ReadBodyAsync(context.Request).ConfigureAwait(false));
        var authorized = IsAuthorized(context.Request, sid);
        string? Field(string name) => form.FirstOrDefault(f => f.Key == name).Value;

        if (!authorized)
        {
            await ErrorAsync(context, form, false, 401, 20003, "Authenticate").ConfigureAwait(false);
            return;
        }

        var to = Field("To");
        var body = Field("Body");
        var from = Field("From");
        var service = Field("MessagingServiceSid");
        if (string.IsNullOrEmpty(to))
        {
            await ErrorAsync(context, form, true, 400, 21604, "A 'To' phone number is required.").ConfigureAwait(false);
            return;
        }

        if (string.IsNullOrEmpty(body))
        {
            await ErrorAsync(context, form, true, 400, 21602, "Message body is required.").ConfigureAwait(false);
            return;
        }

        if (string.IsNullOrEmpty(from) && string.IsNullOrEmpty(service))
        {
            await ErrorAsync(context, form, true, 400, 21603, "A 'From' phone number is required.").ConfigureAwait(false);
            return;
        }

        var fault = NextFault(_createFaults) ?? RecipientFault(to) ?? FaultSchedule?.Invoke();
        if (fault is TwilioFault.Slow)
        {
            await SlowAsync(context).ConfigureAwait(false);
        }
        else if (fault is not null && fault is not (TwilioFault.AcceptThenHang or TwilioFault.AcceptThenServerError))
        {
            await FaultAsync(context, form, fault.Value, to).ConfigureAwait(false);
            return;
        }

        var message = new FakeTwilioMessage(
            NewSid(),
            to,
            from,
            service,
            body,
            Field("StatusCallback"),
            int.TryParse(Field("ValidityPeriod"), NumberStyles.None, CultureInfo.InvariantCulture, out var validity) ? validity : null,
            SmsSegments.Estimate(body),
            DateTimeOffset.UtcNow);
        lock (_gate)
        {
            _messages.Add(message);
        }

        if (SentCallbackAfter is { } after && message.StatusCallback is { } callback)
        {
            _ = SendSentCallbackAsync(new Uri(callback), message.Sid, after);
        }

        if (fault is TwilioFault.AcceptThenServerError)
        {
            await ErrorAsync(context, form, true, 500, 20500, "Internal Server Error").ConfigureAwait(false);
            return;
        }

        if (fault is TwilioFault.AcceptThenHang)
        {
            Record(context, form, true, 0);
            await HangAsync(context).ConfigureAwait(false);
            return;
        }

        Record(context, form, true, 201);
        await WriteJsonAsync(context, 201, MessageJson(message)).ConfigureAwait(false);
    }

    private async Task ListAsync(HttpContext context, string sid)
    {
        var query = FormEncoding.Decode(context.Request.QueryString.Value ?? string.Empty);
        if (!IsAuthorized(context.Request, sid))
        {
            await ErrorAsync(context, [], false, 401, 20003, "Authenticate", query).ConfigureAwait(false);
            return;
        }

        var fault = NextFault(_listFaults);
        if (fault is not null)
        {
            await FaultAsync(context, [], fault.Value, null, query).ConfigureAwait(false);
            return;
        }

        string? Param(string name) => query.FirstOrDefault(q => q.Key == name).Value;
        var to = Param("To");
        // A day (2026-12-04) or an instant (2026-12-04T00:00:00Z, as the SDK writes it): Twilio filters by the day.
        var dateSent = Param("DateSent>") is { } d
            ? DateOnly.FromDateTime(DateTimeOffset.Parse(d, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcDateTime)
            : (DateOnly?)null;
        var pageSize = int.TryParse(Param("PageSize"), CultureInfo.InvariantCulture, out var size) && size > 0 ? size : DefaultPageSize;
        var page = int.TryParse(Param("Page"), CultureInfo.InvariantCulture, out var p) && p >= 0 ? p : 0;

        List<FakeTwilioMessage> matching;
        lock (_gate)
        {
            matching = _messages
                .Select((m, i) => (m, i))
                .Where(x => to is null || x.m.To == to)
                .Where(x => dateSent is null || DateOnly.FromDateTime(x.m.DateCreated.UtcDateTime) >= dateSent)
                .OrderByDescending(x => x.m.DateCreated).ThenByDescending(x => x.i)
                .Select(x => x.m)
                .ToList();
        }

        var items = matching.Skip(page * pageSize).Take(pageSize).Select(MessageJson).ToList();
        string? next = null;
        if ((page + 1) * pageSize < matching.Count)
        {
            var nextQuery = query.Where(q => q.Key is not ("Page" or "PageToken")).ToList();
            nextQuery.Add(new("Page", (page + 1).ToString(CultureInfo.InvariantCulture)));
            nextQuery.Add(new("PageToken", "PA" + Guid.NewGuid().ToString("N")));
            next = $"{context.Request.Path}?{FormEncoding.Encode(nextQuery)}";
        }

        Record(context, [], true, 200, query);
        await WriteJsonAsync(context, 200, new Dictionary<string, object?>
        {
            ["messages"] = items,
            ["page"] = page,
            ["page_size"] = pageSize,
            ["first_page_uri"] = $"{context.Request.Path}?{FormEncoding.Encode(query.Where(q => q.Key is not ("Page" or "PageToken")))}",
            ["next_page_uri"] = next,
            ["previous_page_uri"] = null,
            ["uri"] = $"{context.Request.Path}{context.Request.QueryString}",
            ["start"] = page * pageSize,
            ["end"] = (page * pageSize) + Math.Max(0, items.Count - 1),
        }).ConfigureAwait(false);
    }

    private Dictionary<string, object?> MessageJson(FakeTwilioMessage m) => new()
    {
        ["account_sid"] = AccountSid,
        ["api_version"] = "2010-04-01",
        ["body"] = m.Body,
        ["date_created"] = m.DateCreated.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture),
        ["date_sent"] = m.Status is "queued" or "accepted" ? null : m.DateCreated.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture),
        ["date_updated"] = m.DateCreated.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture),
        ["direction"] = "outbound-api",
        ["error_code"] = null,
        ["error_message"] = null,
        ["from"] = m.From,
        ["messaging_service_sid"] = m.MessagingServiceSid,
        ["num_media"] = "0",
        ["num_segments"] = m.NumSegments.ToString(CultureInfo.InvariantCulture),
        ["price"] = null,
        ["price_unit"] = "USD",
        ["sid"] = m.Sid,
        ["status"] = m.Status,
        ["to"] = m.To,
        ["uri"] = $"/2010-04-01/Accounts/{AccountSid}/Messages/{m.Sid}.json",
    };

    private TwilioFault? NextFault(Queue<TwilioFault> queue)
    {
        lock (_gate)
        {
            return queue.TryDequeue(out var fault) ? fault : null;
        }
    }

    private TwilioFault? RecipientFault(string to)
    {
        while (_recipientFaults.TryGetValue(to, out var entry))
        {
            if (entry.Remaining is null)
            {
                return entry.Fault;
            }

            if (entry.Remaining <= 0)
            {
                _recipientFaults.TryRemove(new(to, entry));
                return null;
            }

            if (_recipientFaults.TryUpdate(to, (entry.Fault, entry.Remaining - 1), entry))
            {
                return entry.Fault;
            }
        }

        return null;
    }

    private async Task FaultAsync(HttpContext context, IReadOnlyList<KeyValuePair<string, string>> form, TwilioFault fault, string? to, IReadOnlyList<KeyValuePair<string, string>>? query = null)
    {
        switch (fault)
        {
            case TwilioFault.TooManyRequests:
                await ErrorAsync(context, form, true, 429, 20429, "Too Many Requests", query).ConfigureAwait(false);
                break;
            case TwilioFault.ServerError:
                await ErrorAsync(context, form, true, 500, 20500, "Internal Server Error", query).ConfigureAwait(false);
                break;
            case TwilioFault.ServiceUnavailable:
                await ErrorAsync(context, form, true, 503, 20503, "Service Unavailable", query).ConfigureAwait(false);
                break;
            case TwilioFault.InvalidTo:
                await ErrorAsync(context, form, true, 400, 21211, $"The 'To' number {to} is not a valid phone number.", query).ConfigureAwait(false);
                break;
            case TwilioFault.OptedOut:
                await ErrorAsync(context, form, true, 400, 21610, "Attempt to send to unsubscribed recipient", query).ConfigureAwait(false);
                break;
            case TwilioFault.NotMobile:
                await ErrorAsync(context, form, true, 400, 21614, $"'To' number {to} is not a valid mobile number", query).ConfigureAwait(false);
                break;
            default:
                Record(context, form, true, 0, query);
                await HangAsync(context).ConfigureAwait(false);
                break;
        }
    }

    private async Task SlowAsync(HttpContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            await Task.Delay(SlowResponseDelay, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The client gave up first: it is answered (and the message accepted) all the same, as Twilio would.
        }
    }

    private async Task HangAsync(HttpContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            await Task.Delay(TimeSpan.FromMinutes(5), linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The client gave up or the server is stopping: nothing to answer.
        }
    }

    private async Task ErrorAsync(
        HttpContext context,
        IReadOnlyList<KeyValuePair<string, string>> form,
        bool authorized,
        int status,
        int code,
        string message,
        IReadOnlyList<KeyValuePair<string, string>>? query = null)
    {
        Record(context, form, authorized, status, query);
        await WriteJsonAsync(context, status, new Dictionary<string, object?>
        {
            ["code"] = code,
            ["message"] = message,
            ["more_info"] = $"https://www.twilio.com/docs/errors/{code}",
            ["status"] = status,
        }).ConfigureAwait(false);
    }

    private void Record(HttpContext context, IReadOnlyList<KeyValuePair<string, string>> form, bool authorized, int status, IReadOnlyList<KeyValuePair<string, string>>? query = null)
    {
        var request = new FakeTwilioRequest(
            context.Request.Method,
            context.Request.Path.Value ?? string.Empty,
            query ?? FormEncoding.Decode(context.Request.QueryString.Value ?? string.Empty),
            form,
            authorized,
            status,
            DateTimeOffset.UtcNow)
        {
            TraceParent = context.Request.Headers.TryGetValue("traceparent", out var trace) ? trace.ToString() : null,
        };
        lock (_gate)
        {
            _requests.Add(request);
        }
    }

    private bool IsAuthorized(HttpRequest request, string sid)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            return decoded == $"{AccountSid}:{AuthToken}" && sid == AccountSid;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync().ConfigureAwait(false);
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, object payload)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        if (status == (int)HttpStatusCode.TooManyRequests)
        {
            context.Response.Headers.RetryAfter = "0";
        }

        await context.Response.WriteAsync(JsonSerializer.Serialize(payload), Encoding.UTF8).ConfigureAwait(false);
    }
}
