using System.Diagnostics;
using AlertPipeline.Infrastructure.Storage.Queues;
using AlertPipeline.LocalHost.Transport;
using Azure;

namespace AlertPipeline.LocalHost.Queues;

/// <summary>
/// Feeds one queue- or Service-Bus-triggered function with the WebJobs queue listener's semantics: receive a batch with
/// the lease as visibility; fetch again once in-flight work is at or below newBatchThreshold (Service Bus: below
/// maxConcurrentCalls); back off randomly and exponentially after empty polls; renew the visibility at half the lease
/// while the function runs; on success write the outputs, then delete; on failure retry (update visibility) or, from the
/// last allowed delivery on, copy the message to the poison queue and delete it.
/// </summary>
internal sealed class QueueListener
{
    private readonly ListenerSettings _settings;
    private readonly IFunctionTransport _transport;
    private readonly OutputWriter _outputs;
    private readonly QueueConnections _connections;
    private readonly ILogger _logger;
    private readonly AsyncSignal _completed = new();
    private readonly AsyncSignal _enqueued = new();
    private CancellationToken _stopFetching;
    private CancellationToken _hardStop;
    private Task _loop = Task.CompletedTask;
    private int _inFlight;
    private long _sequence;

    public QueueListener(ListenerSettings settings, IFunctionTransport transport, OutputWriter outputs, QueueConnections connections, ILogger logger)
    {
        _settings = settings;
        _transport = transport;
        _outputs = outputs;
        _connections = connections;
        _logger = logger;
        connections.Watch(settings.Queue, _enqueued);
    }

    public ListenerSettings Settings => _settings;

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Starts polling until <paramref name="stopFetching"/>; <paramref name="hardStop"/> abandons running invocations.</summary>
    public void Start(CancellationToken stopFetching, CancellationToken hardStop)
    {
        _stopFetching = stopFetching;
        _hardStop = hardStop;
        _loop = Task.Run(RunAsync, CancellationToken.None);
    }

    /// <summary>Completes once polling has stopped and every message in flight is finished.</summary>
    public async Task DrainAsync()
    {
        await _loop.ConfigureAwait(false);
        while (true)
        {
            var wait = _completed.WaitTask;
            if (InFlight == 0)
            {
                return;
            }

            await wait.ConfigureAwait(false);
        }
    }

    private async Task RunAsync()
    {
        var backoff = new PollingBackoff(_settings.MaxPollingInterval);
        var reportedMissing = false;
        while (!_stopFetching.IsCancellationRequested)
        {
            var enqueued = _enqueued.WaitTask;
            try
            {
                await _transport.WaitUntilReadyAsync(_stopFetching).ConfigureAwait(false);
                int count;
                while (true)
                {
                    var completed = _completed.WaitTask;
                    count = _settings.FetchCount(InFlight);
                    if (count > 0)
                    {
                        break;
                    }

                    await completed.WaitAsync(_stopFetching).ConfigureAwait(false);
                }

                enqueued = _enqueued.WaitTask;

                // Not cancelled by the stop signal: a receive cut short could still lease messages on the service.
                var messages = await _settings.Queue.ReceiveMessagesAsync(count, _settings.Lease, _hardStop).ConfigureAwait(false);
                reportedMissing = false;
                if (messages.Count == 0)
                {
                    await DelayAsync(backoff.NextDelay(), enqueued).ConfigureAwait(false);
                    continue;
                }

                backoff.Reset();
                Interlocked.Add(ref _inFlight, messages.Count);
                LocalHostLog.BatchReceived(_logger, _settings.FunctionName, messages.Count, _settings.Queue.Name, InFlight);
                foreach (var message in messages)
                {
                    _ = Task.Run(() => ProcessAsync(message), CancellationToken.None);
                }
            }
            catch (OperationCanceledException) when (_stopFetching.IsCancellationRequested || _hardStop.IsCancellationRequested)
            {
                break;
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == QueueErrorCode.QueueNotFound)
            {
                if (!reportedMissing)
                {
                    LocalHostLog.QueueNotFound(_logger, _settings.FunctionName, _settings.Queue.Name);
                    reportedMissing = true;
                }

                await DelayAsync(backoff.NextDelay(), enqueued).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                var delay = backoff.NextDelay();
                LocalHostLog.PollFailed(_logger, ex, _settings.FunctionName, _settings.Queue.Name, (long)delay.TotalMilliseconds);
                await DelayAsync(delay, enqueued).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Waits out the back-off, cut short when this host enqueues to the queue or stops.</summary>
    private async Task DelayAsync(TimeSpan delay, Task enqueued)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopFetching);
        var sleep = Task.Delay(delay, cts.Token);
        await Task.WhenAny(sleep, enqueued).ConfigureAwait(false);
        await cts.CancelAsync().ConfigureAwait(false);
    }

    private async Task ProcessAsync(QueueMessage message)
    {
        var lease = new MessageLease(message.MessageId, message.PopReceipt);
        var outcome = "failed";
        try
        {
            if (!TryDecode(message.MessageText, out var body))
            {
                var reason = "the message is not valid base64 (messageEncoding is base64)";
                await PoisonAsync(message, lease, reason).ConfigureAwait(false);
                outcome = _settings.PoisonOutcomeName;
                return;
            }

            InvocationOutcome result;
            var renewal = new LeaseRenewal(this, lease);
            await using (renewal.ConfigureAwait(false))
            {
                result = await _transport.InvokeAsync(_settings.FunctionName, BuildTrigger(message, body), _hardStop).ConfigureAwait(false);
                if (result.Succeeded)
                {
                    result = await WriteOutputsAsync(result).ConfigureAwait(false);
                }
            }

            if (result.Abandoned)
            {
                LocalHostLog.MessageAbandonedAtShutdown(_logger, _settings.FunctionName, message.MessageId);
                outcome = "abandoned";
                return;
            }

            if (result.Succeeded)
            {
                await DeleteAsync(lease, "delete").ConfigureAwait(false);
                outcome = "succeeded";
                LocalHostLog.MessageCompleted(_logger, _settings.FunctionName, message.MessageId, message.DequeueCount);
                return;
            }

            var failure = result.FailureReason ?? "failed";
            LocalHostLog.MessageFailed(_logger, _settings.FunctionName, message.MessageId, message.DequeueCount, _settings.MaxAttempts, failure);
            if (message.DequeueCount >= _settings.MaxAttempts)
            {
                await PoisonAsync(message, lease, failure).ConfigureAwait(false);
                outcome = _settings.PoisonOutcomeName;
            }
            else
            {
                await ReleaseAsync(lease).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            LocalHostLog.MessageOperationFailed(_logger, ex, _settings.FunctionName, message.MessageId, "processing");
        }
        finally
        {
            LocalHostMetrics.MessageProcessed(_settings.FunctionName, outcome);
            Interlocked.Decrement(ref _inFlight);
            _completed.Pulse();
        }
    }

    private async Task<InvocationOutcome> WriteOutputsAsync(InvocationOutcome result)
    {
        try
        {
            await _outputs.WriteAsync(_settings.FunctionName, _settings.Outputs, result.Outputs!, _hardStop).ConfigureAwait(false);
            return result;
        }
        catch (OperationCanceledException) when (_hardStop.IsCancellationRequested)
        {
            return InvocationOutcome.Abandon("the host stopped while writing outputs");
        }
        catch (RequestFailedException ex)
        {
            return InvocationOutcome.Failure($"writing an output failed (status {ex.Status}, {ex.ErrorCode ?? "no error code"})");
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return InvocationOutcome.Failure($"writing an output failed ({ex.GetType().Name}: {Redaction.Mask(ex.Message)})");
        }
    }

    private TriggerInput BuildTrigger(QueueMessage message, byte[] body)
    {
        if (_settings.Kind == TriggerKind.StorageQueue)
        {
            return new QueueTriggerInput(
                _settings.BindingName,
                new QueueMessageInfo(
                    message.MessageId, body, message.DequeueCount, message.InsertionTime, message.ExpirationTime, message.NextVisibleOn, message.PopReceipt),
                _settings.Binary);
        }

        // A monotonic stand-in for the Service Bus sequence number: insertion time, then arrival order on this host.
        var sequence = (message.InsertionTime.ToUnixTimeMilliseconds() * 1000) + (Interlocked.Increment(ref _sequence) % 1000);
        return new ServiceBusTriggerInput(
            _settings.BindingName,
            new ServiceBusMessageInfo(
                message.MessageId,
                body,
                (int)Math.Min(message.DequeueCount, int.MaxValue),
                sequence,
                message.InsertionTime,
                message.ExpirationTime,
                Guid.NewGuid().ToString()),
            _settings.Binary);
    }

    private bool TryDecode(string messageText, out byte[] body)
    {
        if (!_settings.Base64)
        {
            body = System.Text.Encoding.UTF8.GetBytes(messageText);
            return true;
        }

        body = new byte[(messageText.Length + 3) / 4 * 3];
        if (Convert.TryFromBase64String(messageText, body, out var written))
        {
            Array.Resize(ref body, written);
            return true;
        }

        body = [];
        return false;
    }

    /// <summary>Copies the message text as is to the poison queue (created if missing), then deletes the original.</summary>
    private async Task PoisonAsync(QueueMessage message, MessageLease lease, string reason)
    {
        var poison = _settings.PoisonQueue;
        await _connections.EnsureCreatedAsync(poison, CancellationToken.None).ConfigureAwait(false);
        try
        {
            await poison.SendMessageAsync(message.MessageText).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == QueueErrorCode.QueueNotFound)
        {
            _connections.ForgetCreated(poison);
            await _connections.EnsureCreatedAsync(poison, CancellationToken.None).ConfigureAwait(false);
            await poison.SendMessageAsync(message.MessageText).ConfigureAwait(false);
        }

        _connections.Notify(poison);
        LocalHostLog.MessagePoisoned(_logger, _settings.FunctionName, message.MessageId, poison.Name, message.DequeueCount, reason);
        await DeleteAsync(lease, "delete after poisoning").ConfigureAwait(false);
    }

    private async Task DeleteAsync(MessageLease lease, string operation)
    {
        try
        {
            await _settings.Queue.DeleteMessageAsync(lease.MessageId, lease.PopReceipt).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (IsGoneOrReleased(ex))
        {
            LocalHostLog.MessageLost(_logger, _settings.FunctionName, lease.MessageId, operation, ex.ErrorCode);
        }
    }

    private async Task ReleaseAsync(MessageLease lease)
    {
        try
        {
            await _settings.Queue.UpdateMessageAsync(lease.MessageId, lease.PopReceipt, _settings.RetryVisibility).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (IsGoneOrReleased(ex))
        {
            LocalHostLog.MessageLost(_logger, _settings.FunctionName, lease.MessageId, "release for retry", ex.ErrorCode);
        }
    }

    private static bool IsGoneOrReleased(RequestFailedException ex) =>
        ex.ErrorCode is QueueErrorCode.MessageNotFound or QueueErrorCode.PopReceiptMismatch;

    /// <summary>A received message's identity and current pop receipt (renewals replace it).</summary>
    private sealed class MessageLease(string messageId, string popReceipt)
    {
        private string _popReceipt = popReceipt;

        public string MessageId { get; } = messageId;

        public string PopReceipt
        {
            get => Volatile.Read(ref _popReceipt);
            set => Volatile.Write(ref _popReceipt, value);
        }
    }

    /// <summary>Keeps a message invisible while its function runs: Update Message with the lease every half lease.</summary>
    private sealed class LeaseRenewal : IAsyncDisposable
    {
        private readonly QueueListener _owner;
        private readonly MessageLease _lease;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public LeaseRenewal(QueueListener owner, MessageLease lease)
        {
            _owner = owner;
            _lease = lease;
            _loop = Task.Run(RunAsync, CancellationToken.None);
        }

        /// <summary>Stops renewing and waits for a renewal in progress (so the pop receipt is final).</summary>
        public async Task StopAsync()
        {
            if (!_stop.IsCancellationRequested)
            {
                await _stop.CancelAsync().ConfigureAwait(false);
            }

            await _loop.ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync().ConfigureAwait(false);
            _stop.Dispose();
        }

        private async Task RunAsync()
        {
            var settings = _owner._settings;
            var normal = settings.Lease / 2;
            var interval = normal;
            var watch = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    await Task.Delay(interval, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                if (settings.MaxRenewalDuration is { } cap && watch.Elapsed >= cap)
                {
                    return;
                }

                try
                {
                    // Never cancelled midway: a renewal the service applied but we did not hear of would orphan the pop receipt.
                    var receipt = await settings.Queue.UpdateMessageAsync(_lease.MessageId, _lease.PopReceipt, settings.Lease).ConfigureAwait(false);
                    _lease.PopReceipt = receipt.PopReceipt;
                    interval = normal;
                    LocalHostLog.LeaseRenewed(_owner._logger, settings.FunctionName, _lease.MessageId, receipt.TimeNextVisible);
                }
                catch (RequestFailedException ex) when (IsGoneOrReleased(ex))
                {
                    LocalHostLog.MessageLost(_owner._logger, settings.FunctionName, _lease.MessageId, "lease renewal", ex.ErrorCode);
                    return;
                }
                catch (Exception ex)
                {
                    LocalHostLog.LeaseRenewalFailed(_owner._logger, ex, settings.FunctionName, _lease.MessageId);
                    interval = TimeSpan.FromMilliseconds(Math.Min(1000, normal.TotalMilliseconds / 2));
                }
            }
        }
    }
}
