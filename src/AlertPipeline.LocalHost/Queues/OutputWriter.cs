using System.Text;
using AlertPipeline.Infrastructure.Storage.Queues;
using AlertPipeline.LocalHost.Transport;
using Azure;

namespace AlertPipeline.LocalHost.Queues;

/// <summary>
/// One queue or Service Bus output binding of a function, mapped to a queue. <paramref name="Base64"/>: the queue's
/// message encoding (host.json <c>messageEncoding</c> for queues; always base64 for Service Bus entities mapped to queues).
/// </summary>
internal sealed record OutputTarget(string BindingName, string BindingType, QueueClient Queue, bool Binary, bool Base64);

/// <summary>
/// Writes a successful invocation's outputs as the Functions host does (the transport expands each value: see
/// <see cref="IInvocationOutputs"/>): an array becomes one message per element, null nothing. Queues are created on first write. Listeners of this host on a queue
/// written to are woken.
/// </summary>
internal sealed class OutputWriter(QueueConnections connections, ILogger logger)
{
    private const int MaxParallelSends = 16;

    public async Task WriteAsync(string functionName, IReadOnlyList<OutputTarget> targets, IInvocationOutputs response, CancellationToken cancellationToken)
    {
        foreach (var target in targets)
        {
            var messages = response.GetOutputMessages(target.BindingName, target.Binary);
            if (messages.Count == 0)
            {
                continue;
            }

            await connections.EnsureCreatedAsync(target.Queue, cancellationToken).ConfigureAwait(false);
            if (messages.Count == 1)
            {
                await SendAsync(target, messages[0], cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await Parallel.ForEachAsync(
                    messages,
                    new ParallelOptions { MaxDegreeOfParallelism = MaxParallelSends, CancellationToken = cancellationToken },
                    async (message, token) => await SendAsync(target, message, token).ConfigureAwait(false)).ConfigureAwait(false);
            }

            connections.Notify(target.Queue);
            LocalHostLog.OutputsWritten(logger, functionName, messages.Count, target.Queue.Name, target.BindingName);
        }
    }

    /// <summary>The MessageText the host sends for an output message's bytes.</summary>
    public static string ToWireText(ReadOnlySpan<byte> body, bool base64) =>
        base64 ? Convert.ToBase64String(body) : Encoding.UTF8.GetString(body);

    private async Task SendAsync(OutputTarget target, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        var wire = ToWireText(message.Span, target.Base64);
        try
        {
            await target.Queue.SendMessageAsync(wire, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == QueueErrorCode.QueueNotFound)
        {
            // Deleted since we created it: create it again, once.
            connections.ForgetCreated(target.Queue);
            await connections.EnsureCreatedAsync(target.Queue, cancellationToken).ConfigureAwait(false);
            await target.Queue.SendMessageAsync(wire, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }
}
