using System.Net;
using System.Text;

namespace AlertPipeline.UnitTests.Cli;

/// <summary>A request the CLI sent, read in full (method, URL, headers that matter, body).</summary>
public sealed record RecordedRequest(HttpMethod Method, Uri Uri, string? Authorization, string? ContentType, string Body, string Accept);

/// <summary>Records every request and answers with a canned response (JSON 200 by default), or throws like a dead network.</summary>
public sealed class RecordingHandler : HttpMessageHandler
{
    private readonly Func<RecordedRequest, HttpResponseMessage> _answer;

    public RecordingHandler(Func<RecordedRequest, HttpResponseMessage>? answer = null) =>
        _answer = answer ?? (_ => Json(HttpStatusCode.OK, "{}"));

    public List<RecordedRequest> Requests { get; } = [];

    public Exception? Failure { get; init; }

    public static HttpResponseMessage Json(HttpStatusCode status, string json, string mediaType = "application/json") =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, mediaType) };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Failure is not null)
        {
            throw Failure;
        }

        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        var recorded = new RecordedRequest(
            request.Method, request.RequestUri!, request.Headers.Authorization?.ToString(), request.Content?.Headers.ContentType?.MediaType, body,
            request.Headers.Accept.ToString());
        Requests.Add(recorded);
        return _answer(recorded);
    }
}
