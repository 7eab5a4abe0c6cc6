using System.Globalization;
using System.Text.RegularExpressions;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace AlertPipeline.Infrastructure.Storage.Queues;

/// <summary>
/// One Azure Storage queue over the Queue REST API. Failures throw <see cref="RequestFailedException"/> with
/// <c>Status</c> and <c>ErrorCode</c> (see <see cref="QueueErrorCode"/>); retries and timeouts come from the pipeline.
/// </summary>
public partial class QueueClient
{
    /// <summary>Pass as <c>timeToLive</c> for a message that never expires (<c>messagettl=-1</c>).</summary>
    public static readonly TimeSpan MessageNeverExpires = TimeSpan.FromSeconds(-1);

    /// <summary>The most messages one receive or peek returns.</summary>
    public const int MaxMessagesPerRequest = 32;

    /// <summary>The longest visibility timeout the service accepts.</summary>
    public static readonly TimeSpan MaxVisibilityTimeout = TimeSpan.FromDays(7);

    private static readonly ResponseClassifier Status201Or204 = new StatusCodeClassifier([201, 204]);
    private static readonly ResponseClassifier Status204Or404 = new StatusCodeClassifier([204, 404]);
    private static readonly ResponseClassifier Status200Or404 = new StatusCodeClassifier([200, 404]);
    private static readonly ResponseClassifier Status200 = new StatusCodeClassifier([200]);
    private static readonly ResponseClassifier Status201 = new StatusCodeClassifier([201]);
    private static readonly ResponseClassifier Status204 = new StatusCodeClassifier([204]);

    private readonly HttpPipeline _pipeline = null!;
    private readonly QueueMessageEncoding _encoding;

    /// <summary>A client for <paramref name="queueName"/> from a connection string with an account key.</summary>
    public QueueClient(string connectionString, string queueName, QueueClientOptions? options = null)
        : this(new QueueServiceClient(connectionString, options).GetQueueClient(queueName))
    {
    }

    /// <summary>For mocking.</summary>
    protected QueueClient()
    {
        Name = null!;
        Uri = null!;
    }

    internal QueueClient(Uri serviceUri, string queueName, HttpPipeline pipeline, QueueClientOptions options)
    {
        ValidateQueueName(queueName);
        Name = queueName;
        Uri = new Uri(serviceUri.AbsoluteUri.TrimEnd('/') + "/" + queueName);
        _pipeline = pipeline;
        _encoding = options.MessageEncoding;
    }

    private QueueClient(QueueClient other)
    {
        Name = other.Name;
        Uri = other.Uri;
        _pipeline = other._pipeline;
        _encoding = other._encoding;
    }

    public virtual string Name { get; }

    public virtual Uri Uri { get; }

    /// <summary>The encoding this client sends with and decodes received messages with.</summary>
    public virtual QueueMessageEncoding MessageEncoding => _encoding;

    /// <summary>Creates the queue; true if it was created, false if it already existed.</summary>
    public virtual async Task<bool> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Put, null, Status201Or204);
        await SendAsync(message, cancellationToken).ConfigureAwait(false);
        return message.Response.Status == 201;
    }

    /// <summary>Deletes the queue and its messages; true if it existed.</summary>
    public virtual async Task<bool> DeleteIfExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Delete, null, Status204Or404);
        await SendAsync(message, cancellationToken).ConfigureAwait(false);
        return message.Response.Status == 204;
    }

    public virtual async Task<bool> ExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Get, null, Status200Or404);
        message.Request.Uri.AppendQuery("comp", "metadata");
        await SendAsync(message, cancellationToken).ConfigureAwait(false);
        return message.Response.Status == 200;
    }

    /// <summary>The service's approximate count of messages (visible or not, not yet expired or deleted).</summary>
    public virtual async Task<int> GetApproximateMessageCountAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Get, null, Status200);
        message.Request.Uri.AppendQuery("comp", "metadata");
        await SendAsync(message, cancellationToken).ConfigureAwait(false);
        var header = RequiredHeader(message.Response, "x-ms-approximate-messages-count");
        return int.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : throw new InvalidDataException($"The Queue service's x-ms-approximate-messages-count '{header}' is not a number.");
    }

    /// <summary>
    /// Sends a message. <paramref name="messageText"/> is encoded per <see cref="QueueClientOptions.MessageEncoding"/>
    /// and must then fit in 64 KiB (checked before any request). <paramref name="visibilityTimeout"/>: 0 to 7 days, default 0;
    /// <paramref name="timeToLive"/>: at least 1 s, or <see cref="MessageNeverExpires"/>; default 7 days. Fractions of a second round up.
    /// </summary>
    public virtual async Task<SendReceipt> SendMessageAsync(
        string messageText,
        TimeSpan? visibilityTimeout = null,
        TimeSpan? timeToLive = null,
        CancellationToken cancellationToken = default)
    {
        var wire = QueueMessageCodec.Encode(messageText, _encoding, nameof(messageText));
        var visibilitySeconds = visibilityTimeout is { } v ? Seconds(v, TimeSpan.Zero, nameof(visibilityTimeout)) : (long?)null;
        long? ttlSeconds = null;
        if (timeToLive is { } ttl)
        {
            if (ttl == MessageNeverExpires)
            {
                ttlSeconds = -1;
            }
            else if (ttl < TimeSpan.FromSeconds(1))
            {
                throw new ArgumentOutOfRangeException(nameof(timeToLive), ttl, "The time to live must be at least 1 second, or QueueClient.MessageNeverExpires.");
            }
            else
            {
                ttlSeconds = (long)Math.Ceiling(ttl.TotalSeconds);
                if (visibilitySeconds >= ttlSeconds)
                {
                    throw new ArgumentException(
                        $"The visibility timeout ({visibilitySeconds} s) must be shorter than the time to live ({ttlSeconds} s).",
                        nameof(visibilityTimeout));
                }
            }
        }

        using var message = CreateMessage(RequestMethod.Post, "/messages", Status201);
        if (visibilitySeconds is { } vs)
        {
            message.Request.Uri.AppendQuery("visibilitytimeout", vs.ToString(CultureInfo.InvariantCulture));
        }

        if (ttlSeconds is { } ts)
        {
            message.Request.Uri.AppendQuery("messagettl", ts.ToString(CultureInfo.InvariantCulture));
        }

        SetXmlBody(message.Request, wire);
        await SendAsync(message, cancellationToken).ConfigureAwait(false);
        var element = QueueXml.Messages(QueueXml.Load(message.Response.ContentStream!)).FirstOrDefault()
            ?? throw new InvalidDataException("The Queue service answered a sent message without a QueueMessage.");
        return new SendReceipt(
            QueueXml.Text(element, "MessageId"),
            QueueXml.Text(element, "PopReceipt"),
            QueueXml.Time(element, "InsertionTime"),
            QueueXml.Time(element, "ExpirationTime"),
            QueueXml.Time(element, "TimeNextVisible"));
    }

    /// <summary>
    /// Receives up to <paramref name="maxMessages"/> (1–32) visible messages and hides them for
    /// <paramref name="visibilityTimeout"/> (1 s to 7 days; the service default is 30 s). An empty list when none are visible.
    /// </summary>
    public virtual async Task<IReadOnlyList<QueueMessage>> ReceiveMessagesAsync(
        int maxMessages = 1,
        TimeSpan? visibilityTimeout = null,
        CancellationToken cancellationToken = default)
    {
        ValidateMaxMessages(maxMessages);
        var visibilitySeconds = visibilityTimeout is { } v ? Seconds(v, TimeSpan.FromSeconds(1), nameof(visibilityTimeout)) : (long?)null;
        using var message = CreateMessage(RequestMethod.Get, "/messages", Status200);
        message.Request.Uri.AppendQuery("numofmessages", maxMessages.ToString(CultureInfo.InvariantCulture));
        if (visibilitySeconds is { } vs)
        {
            message.Request.Uri.AppendQuery("visibilitytimeout", vs.ToString(CultureInfo.InvariantCulture));
        }

        await SendAsync(message, cancellationToken).ConfigureAwait(false);
        return QueueXml.Messages(QueueXml.Load(message.Response.ContentStream!))
            .Select(e => new QueueMessage(
                QueueXml.Text(e, "MessageId"),
                QueueXml.Text(e, "PopReceipt"),
                QueueXml.Long(e, "DequeueCount"),
                QueueXml.Time(e, "InsertionTime"),
                QueueXml.Time(e, "ExpirationTime"),
                QueueXml.Time(e, "TimeNextVisible"),
                QueueXml.OptionalText(e, "MessageText"),
                _encoding))
            .ToList();
    }

    /// <summary>Looks at up to <paramref name="maxMessages"/> (1–32) visible messages without changing their visibility.</summary>
    public virtual async Task<IReadOnlyList<PeekedMessage>> PeekMessagesAsync(int maxMessages = 1, CancellationToken cancellationToken = default)
    {
        ValidateMaxMessages(maxMessages);
        using var message = CreateMessage(RequestMethod.Get, "/messages", Status200);
        message.Request.Uri.AppendQuery("peekonly", "true");
        message.Request.Uri.AppendQuery("numofmessages", maxMessages.ToString(CultureInfo.InvariantCulture));
        await SendAsync(message, cancellationToken).ConfigureAwait(false);
        return QueueXml.Messages(QueueXml.Load(message.Response.ContentStream!))
            .Select(e => new PeekedMessage(
                QueueXml.Text(e, "MessageId"),
                QueueXml.Long(e, "DequeueCount"),
                QueueXml.Time(e, "InsertionTime"),
                QueueXml.Time(e, "ExpirationTime"),
                QueueXml.OptionalText(e, "MessageText"),
                _encoding))
            .ToList();
    }

    /// <summary>Deletes a received message. A stale pop receipt fails (404 MessageNotFound or 400 PopReceiptMismatch).</summary>
    public virtual async Task DeleteMessageAsync(string messageId, string popReceipt, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessageOperation(RequestMethod.Delete, messageId, popReceipt, Status204);
        await SendAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Changes a received message's visibility (0 s to 7 days from now) and, when <paramref name="messageText"/> is given,
    /// its content (encoded like a sent message). Returns the new pop receipt; the old one no longer works.
    /// </summary>
    public virtual async Task<UpdateReceipt> UpdateMessageAsync(
        string messageId,
        string popReceipt,
        TimeSpan visibilityTimeout,
        string? messageText = null,
        CancellationToken cancellationToken = default)
    {
        var visibilitySeconds = Seconds(visibilityTimeout, TimeSpan.Zero, nameof(visibilityTimeout));
        var wire = messageText is null ? null : QueueMessageCodec.Encode(messageText, _encoding, nameof(messageText));
        using var message = CreateMessageOperation(RequestMethod.Put, messageId, popReceipt, Status204);
        message.Request.Uri.AppendQuery("visibilitytimeout", visibilitySeconds.ToString(CultureInfo.InvariantCulture));
        if (wire is not null)
        {
            SetXmlBody(message.Request, wire);
        }

        await SendAsync(message, cancellationToken).ConfigureAwait(false);
        return new UpdateReceipt(
            RequiredHeader(message.Response, "x-ms-popreceipt"),
            QueueXml.ParseTime(RequiredHeader(message.Response, "x-ms-time-next-visible"), "x-ms-time-next-visible"));
    }

    /// <summary>Deletes every message in the queue.</summary>
    public virtual async Task ClearMessagesAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Delete, "/messages", Status204);
        await SendAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Queue names: 3–63 characters, lowercase letters, digits and single hyphens, starting and ending with a letter or digit.</summary>
    internal static void ValidateQueueName(string queueName)
    {
        ArgumentNullException.ThrowIfNull(queueName);
        if (queueName.Length is < 3 or > 63 || !QueueNamePattern().IsMatch(queueName))
        {
            throw new ArgumentException(
                $"'{queueName}' is not a valid queue name: use 3–63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.",
                nameof(queueName));
        }
    }

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$", RegexOptions.CultureInvariant)]
    private static partial Regex QueueNamePattern();

    private static void ValidateMaxMessages(int maxMessages)
    {
        if (maxMessages is < 1 or > MaxMessagesPerRequest)
        {
            throw new ArgumentOutOfRangeException(nameof(maxMessages), maxMessages, $"maxMessages must be between 1 and {MaxMessagesPerRequest}.");
        }
    }

    private static long Seconds(TimeSpan value, TimeSpan min, string paramName)
    {
        if (value < min || value > MaxVisibilityTimeout)
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be between {min.TotalSeconds:0} s and 7 days.");
        }

        return (long)Math.Ceiling(value.TotalSeconds);
    }

    private static string RequiredHeader(Response response, string name) =>
        response.Headers.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value)
            ? value
            : throw new InvalidDataException($"The Queue service's response has no {name} header.");

    private static void SetXmlBody(Request request, string wireText)
    {
        request.Headers.SetValue("Content-Type", "application/xml; charset=utf-8");
        request.Content = RequestContent.Create(QueueXml.MessageBody(wireText));
    }

    private HttpMessage CreateMessageOperation(RequestMethod method, string messageId, string popReceipt, ResponseClassifier classifier)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        ArgumentException.ThrowIfNullOrWhiteSpace(popReceipt);
        var message = CreateMessage(method, "/messages/" + Uri.EscapeDataString(messageId), classifier);
        message.Request.Uri.AppendQuery("popreceipt", popReceipt, escapeValue: true);
        return message;
    }

    private HttpMessage CreateMessage(RequestMethod method, string? path, ResponseClassifier classifier)
    {
        var message = _pipeline.CreateMessage(context: null, classifier);
        message.Request.Method = method;
        message.Request.Uri.Reset(Uri);
        if (path is not null)
        {
            message.Request.Uri.AppendPath(path, escape: false);
        }

        return message;
    }

    private async Task SendAsync(HttpMessage message, CancellationToken cancellationToken)
    {
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (message.Response.IsError)
        {
            throw new RequestFailedException(message.Response, null, QueueErrorParser.Instance);
        }
    }
}
