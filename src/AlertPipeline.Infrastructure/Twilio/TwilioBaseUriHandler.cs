namespace AlertPipeline.Infrastructure.Twilio;

/// <summary>
/// The transport under the SDK's <see cref="global::Twilio.Http.SystemNetHttpClient"/>. With the default
/// <see cref="TwilioOptions.BaseUri"/> (<c>https://api.twilio.com</c>) it passes requests through untouched; tests set
/// a loopback base and it sends the SDK's <c>api.twilio.com</c> requests there instead (scheme, host and port
/// replaced, path and query kept). Redirects are not followed, as the SDK's own client does not follow them.
/// The default transport has no per-server connection limit (sends in flight are bounded by the dispatch concurrency
/// and the pacer) and renews pooled connections after <see cref="PooledConnectionLifetime"/>: the client lives as long
/// as the process, and a connection kept forever would never see a DNS change of the API host.
/// </summary>
public sealed class TwilioBaseUriHandler : DelegatingHandler
{
    /// <summary>How long the default transport keeps one pooled connection before opening a new one.</summary>
    public static readonly TimeSpan PooledConnectionLifetime = TimeSpan.FromMinutes(5);

    private readonly Uri? _target;

    public TwilioBaseUriHandler(Uri baseUri, HttpMessageHandler? inner = null)
        : base(inner ?? new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = PooledConnectionLifetime })
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        _target = Uri.Compare(baseUri, TwilioOptions.DefaultBaseUri, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
            ? null
            : baseUri;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_target is not null && request.RequestUri is { } uri && uri.Host.EndsWith("twilio.com", StringComparison.OrdinalIgnoreCase))
        {
            request.RequestUri = new UriBuilder(uri) { Scheme = _target.Scheme, Host = _target.Host, Port = _target.Port }.Uri;
        }

        return base.SendAsync(request, cancellationToken);
    }
}
