using Azure.Core;

namespace AlertPipeline.Infrastructure.Storage.Queues;

/// <summary>How a queue client encodes the text it sends and decodes the text it receives.</summary>
public enum QueueMessageEncoding
{
    /// <summary>MessageText is base64(UTF-8(text)) — what Azure Functions' queue trigger expects by default.</summary>
    Base64,

    /// <summary>MessageText is the text itself (XML-escaped on the wire).</summary>
    None,
}

/// <summary>
/// Options for <see cref="QueueServiceClient"/> and <see cref="QueueClient"/>. Retries (408, 429, 500, 502, 503, 504 and
/// transport errors, with exponential back-off) and the per-try network timeout come from <see cref="ClientOptions.Retry"/>.
/// </summary>
public sealed class QueueClientOptions : ClientOptions
{
    /// <summary>The Queue service version this client speaks (the one Azurite 3.35 and Azure both accept).</summary>
    public const string DefaultServiceVersion = "2021-12-02";

    public QueueClientOptions()
    {
        Retry.Mode = RetryMode.Exponential;
        Retry.MaxRetries = 3;
        Retry.Delay = TimeSpan.FromMilliseconds(400);
        Retry.MaxDelay = TimeSpan.FromSeconds(10);
        Retry.NetworkTimeout = TimeSpan.FromSeconds(30);

        // Safe to log: never the pop receipt (a capability) and never message content.
        foreach (var name in new[] { "numofmessages", "visibilitytimeout", "messagettl", "peekonly", "comp" })
        {
            Diagnostics.LoggedQueryParameters.Add(name);
        }

        foreach (var name in new[] { "x-ms-version", "x-ms-error-code", "x-ms-approximate-messages-count", "x-ms-time-next-visible" })
        {
            Diagnostics.LoggedHeaderNames.Add(name);
        }
    }

    /// <summary>The <c>x-ms-version</c> sent with every request. Default <see cref="DefaultServiceVersion"/>.</summary>
    public string ServiceVersion { get; set; } = DefaultServiceVersion;

    /// <summary>How message text is encoded when sent and decoded by <see cref="QueueMessage.Body"/>. Default base64.</summary>
    public QueueMessageEncoding MessageEncoding { get; set; } = QueueMessageEncoding.Base64;
}
