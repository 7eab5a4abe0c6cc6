using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace AlertPipeline.IntegrationTests.Persistence;

/// <summary>Records method, URL and body of every request an SDK client sends (per call, before signing and retries).</summary>
public sealed class RequestRecorder : HttpPipelineSynchronousPolicy
{
    private readonly ConcurrentQueue<(string Method, Uri Uri, byte[]? Body)> _requests = new();

    public IReadOnlyList<(string Method, Uri Uri, byte[]? Body)> All => _requests.ToArray();

    public override void OnSendingRequest(HttpMessage message)
    {
        byte[]? body = null;
        if (message.Request.Content is { } content)
        {
            using var stream = new MemoryStream();
            content.WriteTo(stream, CancellationToken.None);
            body = stream.ToArray();
        }

        _requests.Enqueue((message.Request.Method.Method, message.Request.Uri.ToUri(), body));
    }
}
