using System.Net;
using System.Text;

namespace AlertPipeline.UnitTests.Storage.Queues;

/// <summary>What the client put on the wire, as HttpClient sent it.</summary>
public sealed record RecordedRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string? Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}

/// <summary>
/// The transport seam for unit tests: plugged into the real pipeline through <c>HttpClientTransport</c>, it records every
/// request and answers from a script; an unscripted request fails the test.
/// </summary>
public sealed class MockHandler : HttpMessageHandler
{
    private readonly Queue<Func<HttpResponseMessage>> _script = new();

    public List<RecordedRequest> Requests { get; } = [];

    public MockHandler Respond(HttpStatusCode status, string? xml = null, params (string Name, string Value)[] headers)
    {
        _script.Enqueue(() =>
        {
            var response = new HttpResponseMessage(status);
            if (xml is not null)
            {
                response.Content = new StringContent(xml, Encoding.UTF8, "application/xml");
            }

            foreach (var (name, value) in headers)
            {
                response.Headers.TryAddWithoutValidation(name, value);
            }

            return response;
        });
        return this;
    }

    public MockHandler Fail(Exception exception)
    {
        _script.Enqueue(() => throw exception);
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = string.Join(",", values);
        }

        string? body = null;
        if (request.Content is not null)
        {
            foreach (var (name, values) in request.Content.Headers)
            {
                headers[name] = string.Join(",", values);
            }

            body = await request.Content.ReadAsStringAsync(cancellationToken);
        }

        Requests.Add(new RecordedRequest(request.Method, request.RequestUri!, headers, body));
        if (_script.Count == 0)
        {
            throw new InvalidOperationException($"Unexpected request {request.Method} {request.RequestUri}.");
        }

        return _script.Dequeue()();
    }
}
