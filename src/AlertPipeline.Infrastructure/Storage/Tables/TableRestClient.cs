using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace AlertPipeline.Infrastructure.Storage.Tables;

/// <summary>
/// What <see cref="TableServiceClient"/> and <see cref="TableClient"/> share: the pipeline, the service endpoint, the
/// version header, URL building and error mapping.
/// </summary>
internal sealed class TableRestClient
{
    internal const string JsonMinimalMetadata = "application/json;odata=minimalmetadata";
    internal const string StorageScope = "https://storage.azure.com/.default";

    public TableRestClient(Uri endpoint, HttpPipeline pipeline, string version)
    {
        Endpoint = endpoint;
        BaseUrl = endpoint.AbsoluteUri.TrimEnd('/');
        Pipeline = pipeline;
        Version = version;
    }

    public Uri Endpoint { get; }

    /// <summary>The service endpoint without a trailing slash, e.g. <c>http://127.0.0.1:10002/devstoreaccount1</c>.</summary>
    public string BaseUrl { get; }

    public HttpPipeline Pipeline { get; }

    public string Version { get; }

    public static TableRestClient ForSharedKey(Uri endpoint, StorageSharedKeyCredential credential, TableClientOptions? options)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(credential);
        options ??= new TableClientOptions();
        return new TableRestClient(endpoint, Build(options, new TableSharedKeyLitePolicy(credential)), options.VersionString);
    }

    public static TableRestClient ForToken(Uri endpoint, TokenCredential credential, TableClientOptions? options)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(credential);
        options ??= new TableClientOptions();
        return new TableRestClient(
            endpoint,
            Build(options, new BearerTokenAuthenticationPolicy(credential, StorageScope)),
            options.VersionString);
    }

    public static TableRestClient ForConnectionString(string connectionString, TableClientOptions? options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var parsed = StorageConnectionString.Parse(connectionString);
        var credential = parsed.Credential
                         ?? throw new ArgumentException(
                             "The storage connection string has no AccountKey; use the TokenCredential constructor for endpoint-only settings.",
                             nameof(connectionString));
        return ForSharedKey(parsed.EndpointFor(StorageService.Table), credential, options);
    }

    private static HttpPipeline Build(TableClientOptions options, HttpPipelinePolicy authentication)
    {
        var pipelineOptions = new HttpPipelineOptions(options) { ResponseClassifier = TableResponseClassifier.Instance };
        pipelineOptions.PerRetryPolicies.Add(authentication);
        return HttpPipelineBuilder.Build(pipelineOptions);
    }

    public string TableUrl(string table) => BaseUrl + "/" + table;

    /// <summary><c>{base}/{table}(PartitionKey='pk',RowKey='rk')</c> with quotes doubled, then percent-encoded.</summary>
    public string EntityUrl(string table, string partitionKey, string rowKey) =>
        $"{BaseUrl}/{table}(PartitionKey='{EscapeKey(partitionKey)}',RowKey='{EscapeKey(rowKey)}')";

    internal static string EscapeKey(string key) => Uri.EscapeDataString(key.Replace("'", "''", StringComparison.Ordinal));

    public HttpMessage CreateMessage(RequestMethod method, string url, ReadOnlyMemory<byte>? body = null, string contentType = "application/json")
    {
        var message = Pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(new Uri(url));
        request.Headers.SetValue("x-ms-version", Version);
        request.Headers.SetValue("DataServiceVersion", "3.0");
        request.Headers.SetValue("MaxDataServiceVersion", "3.0;NetFx");
        request.Headers.SetValue(HttpHeader.Names.Accept, JsonMinimalMetadata);
        if (body is { } content)
        {
            request.Headers.SetValue(HttpHeader.Names.ContentType, contentType);
            request.Content = RequestContent.Create(content);
        }

        return message;
    }

    public async ValueTask<Response> SendAsync(HttpMessage message, CancellationToken cancellationToken)
    {
        await Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return message.Response;
    }

    /// <summary>Maps an error response to a typed exception (the entity-level ones only for entity operations).</summary>
    public static RequestFailedException Error(Response response, string operation, bool entityOperation = false)
    {
        var (code, serviceMessage) = ReadError(response);
        var message = $"{operation} failed: {response.Status} {code ?? response.ReasonPhrase}. {serviceMessage}".TrimEnd();
        return (response.Status, code) switch
        {
            (409, TableErrorCode.EntityAlreadyExists) when entityOperation => new TableEntityAlreadyExistsException(message, code),
            (404, TableErrorCode.ResourceNotFound) when entityOperation => new TableEntityNotFoundException(message, code),
            (412, _) => new TableConcurrencyException(message, code),
            _ => new RequestFailedException(response.Status, message, code, null),
        };
    }

    public static (string? Code, string? Message) ReadError(Response response)
    {
        response.Headers.TryGetValue("x-ms-error-code", out var headerCode);
        var (bodyCode, bodyMessage) = ReadOdataError(response.Content?.ToMemory() ?? ReadOnlyMemory<byte>.Empty);
        return (headerCode ?? bodyCode, bodyMessage);
    }

    /// <summary>Reads <c>{"odata.error":{"code":"…","message":{"value":"…"}}}</c>; the message's first line only (the rest is RequestId/Time).</summary>
    public static (string? Code, string? Message) ReadOdataError(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (!document.RootElement.TryGetProperty("odata.error", out var error))
            {
                return (null, null);
            }

            var code = error.TryGetProperty("code", out var c) ? c.GetString() : null;
            string? text = null;
            if (error.TryGetProperty("message", out var m))
            {
                text = m.ValueKind == JsonValueKind.Object && m.TryGetProperty("value", out var v) ? v.GetString() : m.ToString();
            }

            return (code, text?.Split('\n')[0].Trim());
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    /// <summary>Retries 408, 429 and 5xx (except 501 and 505, which will not get better), and transport failures.</summary>
    private sealed class TableResponseClassifier : ResponseClassifier
    {
        public static readonly TableResponseClassifier Instance = new();

        public override bool IsRetriableResponse(HttpMessage message) =>
            message.Response.Status is 408 or 429 or (>= 500 and not 501 and not 505);
    }
}
