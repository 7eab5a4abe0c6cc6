using Azure.Core;
using Azure.Core.Pipeline;

namespace AlertPipeline.Infrastructure.Storage.Queues;

/// <summary>The Queue service of one storage account: hands out <see cref="QueueClient"/>s sharing one pipeline.</summary>
public class QueueServiceClient
{
    /// <summary>The OAuth scope for Azure Storage.</summary>
    public const string StorageScope = "https://storage.azure.com/.default";

    private readonly HttpPipeline _pipeline = null!;
    private readonly QueueClientOptions _options = null!;

    /// <summary>From a storage connection string with an account key (<c>UseDevelopmentStorage=true</c> works).</summary>
    public QueueServiceClient(string connectionString, QueueClientOptions? options = null)
        : this(FromConnectionString(connectionString, out var credential), credential, options)
    {
    }

    /// <summary>Shared Key: <paramref name="endpoint"/> is the queue endpoint, e.g. <c>http://127.0.0.1:10001/devstoreaccount1</c>.</summary>
    public QueueServiceClient(Uri endpoint, StorageSharedKeyCredential credential, QueueClientOptions? options = null)
        : this(endpoint, options, new QueueSharedKeyPolicy(credential ?? throw new ArgumentNullException(nameof(credential))))
    {
        AccountName = credential.AccountName;
    }

    /// <summary>Microsoft Entra ID (e.g. managed identity): bearer tokens for <see cref="StorageScope"/>; the endpoint must be https.</summary>
    public QueueServiceClient(Uri endpoint, TokenCredential credential, QueueClientOptions? options = null)
        : this(endpoint, options, new BearerTokenAuthenticationPolicy(credential ?? throw new ArgumentNullException(nameof(credential)), StorageScope))
    {
    }

    /// <summary>For mocking.</summary>
    protected QueueServiceClient()
    {
        Uri = null!;
        AccountName = null!;
    }

    private QueueServiceClient(Uri endpoint, QueueClientOptions? options, HttpPipelinePolicy authentication)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The queue endpoint '{endpoint}' is not an absolute http(s) URL.", nameof(endpoint));
        }

        if (!string.IsNullOrEmpty(endpoint.Query))
        {
            throw new ArgumentException("The queue endpoint must not carry a query string (SAS tokens are not supported).", nameof(endpoint));
        }

        _options = options ?? new QueueClientOptions();
        if (string.IsNullOrWhiteSpace(_options.ServiceVersion))
        {
            throw new ArgumentException("QueueClientOptions.ServiceVersion is empty.", nameof(options));
        }

        Uri = new Uri(endpoint.AbsoluteUri.TrimEnd('/'));
        AccountName = AccountFromEndpoint(Uri);
        var pipelineOptions = new HttpPipelineOptions(_options) { RequestFailedDetailsParser = QueueErrorParser.Instance };
        pipelineOptions.PerCallPolicies.Add(new QueueVersionPolicy(_options.ServiceVersion));
        pipelineOptions.PerRetryPolicies.Add(authentication);
        _pipeline = HttpPipelineBuilder.Build(pipelineOptions);
    }

    /// <summary>The queue endpoint, without a trailing slash.</summary>
    public virtual Uri Uri { get; }

    public virtual string AccountName { get; }

    /// <summary>A client for one queue (nothing is sent); throws ArgumentException for a name the service would reject.</summary>
    public virtual QueueClient GetQueueClient(string queueName) => new(this.Uri, queueName, _pipeline, _options);

    internal static Uri FromConnectionString(string connectionString, out StorageSharedKeyCredential credential)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var parsed = StorageConnectionString.Parse(connectionString);
        credential = parsed.Credential
            ?? throw new ArgumentException(
                "The storage connection string has no AccountKey; use the TokenCredential constructor for keyless access.",
                nameof(connectionString));
        return parsed.EndpointFor(StorageService.Queue);
    }

    private static string AccountFromEndpoint(Uri endpoint)
    {
        var path = endpoint.AbsolutePath.Trim('/');
        return path.Length > 0 ? path.Split('/')[0] : endpoint.Host.Split('.')[0];
    }

    /// <summary>Puts <c>x-ms-version</c> on every request, whatever the authentication.</summary>
    private sealed class QueueVersionPolicy(string version) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message) => message.Request.Headers.SetValue("x-ms-version", version);
    }
}
