using AlertPipeline.Core.Ports;
using Azure.Core;
using Azure.Core.Pipeline;

namespace AlertPipeline.Infrastructure.Storage;

/// <summary>
/// Raises <see cref="WriteSent.Current"/> once a watched write's request is on the connection: its body is written, then
/// flushed (for HTTP/1.1 the flush hands the buffered request line, headers and body to the socket), before the answer
/// is read. Only an entity update (PUT, PATCH or MERGE) raises it, so a table the write first creates (a POST) cannot
/// stand in for the watched write itself. Requests nobody watches pass through untouched. Added once per call, so every
/// retry of the request raises it.
/// </summary>
public sealed class WriteSentPolicy : HttpPipelinePolicy
{
    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Watch(message);
        return ProcessNextAsync(message, pipeline);
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Watch(message);
        ProcessNext(message, pipeline);
    }

    private static void Watch(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (WriteSent.Current is { } signal && message.Request.Content is { } content && IsEntityUpdate(message.Request.Method))
        {
            message.Request.Content = new FlushedContent(content, signal);
        }
    }

    private static bool IsEntityUpdate(RequestMethod method) =>
        method == RequestMethod.Put || method == RequestMethod.Patch || string.Equals(method.Method, "MERGE", StringComparison.OrdinalIgnoreCase);

    /// <summary>The request's own content, followed by a flush and the signal.</summary>
    private sealed class FlushedContent(RequestContent inner, WriteSent signal) : RequestContent
    {
        public override async Task WriteToAsync(Stream stream, CancellationToken cancellation)
        {
            await inner.WriteToAsync(stream, cancellation).ConfigureAwait(false);
            await stream.FlushAsync(cancellation).ConfigureAwait(false);
            signal.Raise();
        }

        public override void WriteTo(Stream stream, CancellationToken cancellation)
        {
            inner.WriteTo(stream, cancellation);
            stream.Flush();
            signal.Raise();
        }

        public override bool TryComputeLength(out long length) => inner.TryComputeLength(out length);

        public override void Dispose() => inner.Dispose();
    }
}
