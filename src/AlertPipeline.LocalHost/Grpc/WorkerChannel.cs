using System.Collections.Concurrent;
using System.Threading.Channels;
using AlertPipeline.LocalHost.Grpc.Messages;
using Grpc.Core;
using RpcException = Grpc.Core.RpcException;

namespace AlertPipeline.LocalHost.Grpc;

/// <summary>The worker's stream ended (it exited, crashed or was stopped) before it answered.</summary>
internal sealed class WorkerUnavailableException(string message) : Exception(message);

/// <summary>
/// One worker's <c>EventStream</c>: one writer loop sends host messages in order; incoming messages complete the request
/// waiting for them (init and metadata by <c>request_id</c>, load by function id, invocations by invocation id), and
/// <c>RpcLog</c>s go to <paramref name="onLog"/>. Other messages (status, the worker's content-less acknowledgements) are
/// ignored, as the Functions host ignores them. When the stream ends every waiting request fails.
/// </summary>
internal sealed class WorkerChannel(string workerId, Action<RpcLog> onLog)
{
    private readonly Channel<StreamingMessage> _outbound = Channel.CreateUnbounded<StreamingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _pending = new();
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string? _closeReason;

    public string WorkerId => workerId;

    /// <summary>Completes when the worker has opened its stream (StartStream).</summary>
    public Task Connected => _connected.Task;

    /// <summary>Completes when the stream has ended.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Serves the stream until it ends (called by the gRPC service after StartStream).</summary>
    public async Task RunAsync(IAsyncStreamReader<StreamingMessage> requests, IServerStreamWriter<StreamingMessage> responses, CancellationToken cancellationToken)
    {
        _connected.TrySetResult();
        var writer = Task.Run(() => WriteLoopAsync(responses, cancellationToken), CancellationToken.None);
        try
        {
            while (await requests.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                Dispatch(requests.Current);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or RpcException or InvalidOperationException)
        {
            // The connection is gone.
        }
        finally
        {
            Close("the worker's stream ended");
        }

        await writer.ConfigureAwait(false);
    }

    /// <summary>Sends <paramref name="message"/> and waits for the answer registered under <paramref name="key"/>.</summary>
    public async Task<StreamingMessage> RequestAsync(string key, StreamingMessage message, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[key] = answer;
        try
        {
            if (_closeReason is { } reason || !_outbound.Writer.TryWrite(message))
            {
                throw new WorkerUnavailableException(_closeReason ?? "the worker's stream ended");
            }

            return await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(new KeyValuePair<string, TaskCompletionSource<StreamingMessage>>(key, answer));
        }
    }

    /// <summary>Sends without waiting for an answer (WorkerTerminate, InvocationCancel).</summary>
    public bool Send(StreamingMessage message) => _closeReason is null && _outbound.Writer.TryWrite(message);

    /// <summary>Ends the stream from the host's side: every waiting request fails with <paramref name="reason"/>.</summary>
    public void Close(string reason)
    {
        _closeReason ??= reason;
        _outbound.Writer.TryComplete();
        foreach (var (_, pending) in _pending)
        {
            pending.TrySetException(new WorkerUnavailableException(_closeReason));
        }

        _connected.TrySetException(new WorkerUnavailableException(_closeReason));
        _closed.TrySetResult();
    }

    public static string InvocationKey(string invocationId) => "invocation:" + invocationId;

    public static string LoadKey(string functionId) => "load:" + functionId;

    public static string RequestKey(string requestId) => "request:" + requestId;

    private async Task WriteLoopAsync(IServerStreamWriter<StreamingMessage> responses, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in _outbound.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await responses.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or RpcException or InvalidOperationException)
        {
            Close("writing to the worker failed");
        }
    }

    private void Dispatch(StreamingMessage message)
    {
        var key = message.ContentCase switch
        {
            StreamingMessage.ContentOneofCase.WorkerInitResponse or StreamingMessage.ContentOneofCase.FunctionMetadataResponse => RequestKey(message.RequestId),
            StreamingMessage.ContentOneofCase.FunctionLoadResponse => LoadKey(message.FunctionLoadResponse.FunctionId),
            StreamingMessage.ContentOneofCase.InvocationResponse => InvocationKey(message.InvocationResponse.InvocationId),
            _ => null,
        };
        if (key is not null)
        {
            if (_pending.TryGetValue(key, out var pending))
            {
                pending.TrySetResult(message);
            }

            return;
        }

        if (message.ContentCase == StreamingMessage.ContentOneofCase.RpcLog)
        {
            onLog(message.RpcLog);
        }
    }
}
