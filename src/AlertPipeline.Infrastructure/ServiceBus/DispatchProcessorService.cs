using AlertPipeline.Core.Pipeline;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AlertPipeline.Infrastructure.ServiceBus;

/// <summary>
/// The consumer of the Service Bus dispatch queues, hosted in the worker (the Service Bus trigger's host extension cannot
/// be restored here): one <see cref="ServiceBusProcessor"/> per channel queue, PeekLock, no auto-complete, its
/// concurrency and prefetch sized to the SMS pacer (<see cref="ServiceBusDispatchOptions.SmsConcurrency"/>), locks renewed
/// while a batch runs, and every message handed to <see cref="DispatchSettler.SettleAsync"/>, which settles it explicitly.
/// <para>
/// Stopping drains: <see cref="ServiceBusProcessor.StopProcessingAsync"/> stops receiving and waits for the handlers in
/// flight, whose sends run under this service's own token rather than the processor's, so a batch half sent finishes and
/// settles. Only when the host's shutdown time runs out is that token cancelled; those messages are abandoned (or their
/// locks expire) and are delivered again, where their rows' claims keep every recipient to one message.
/// </para>
/// </summary>
public sealed class DispatchProcessorService(
    ServiceBusClient client, DispatchSettler settler, ServiceBusDispatchOptions options, double smsSegmentsPerSecond, int sendsPerBatch, ILogger<DispatchProcessorService> logger)
    : IHostedService, IAsyncDisposable, IDisposable
{
    private readonly CancellationTokenSource _hardStop = new();
    private readonly List<(string Queue, ServiceBusProcessor Processor)> _processors = [];

    /// <summary>The dispatch queues this service consumes, with each processor's options.</summary>
    public IReadOnlyList<(string Queue, ServiceBusProcessorOptions Options)> Plan()
    {
        var sms = options.SmsConcurrency(smsSegmentsPerSecond, sendsPerBatch);
        return
        [
            (QueueNames.SmsDispatch, ProcessorOptions(QueueNames.SmsDispatch, sms)),
            (QueueNames.EmailDispatch, ProcessorOptions(QueueNames.EmailDispatch, options.EmailMaxConcurrentCalls)),
        ];
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (queue, processorOptions) in Plan())
        {
            var processor = client.CreateProcessor(queue, processorOptions);
            processor.ProcessMessageAsync += args => settler.SettleAsync(args.Message, new ProcessorSettleActions(args), _hardStop.Token);
            processor.ProcessErrorAsync += OnErrorAsync;
            _processors.Add((queue, processor));
            await processor.StartProcessingAsync(cancellationToken).ConfigureAwait(false);
            ServiceBusLog.ProcessorStarted(logger, queue, processorOptions.MaxConcurrentCalls, processorOptions.PrefetchCount, processorOptions.MaxAutoLockRenewalDuration);
        }
    }

    /// <summary>
    /// Stops every processor and waits for its in-flight messages to settle; when <paramref name="cancellationToken"/>
    /// fires first (the host's shutdown timeout), their work is cancelled so the stop completes.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await using var timeout = cancellationToken.Register(() =>
        {
            foreach (var (queue, _) in _processors)
            {
                ServiceBusLog.StopTimedOut(logger, queue);
            }

            _hardStop.Cancel();
        }).ConfigureAwait(false);

        await Task.WhenAll(_processors.Select(p => StopOneAsync(p.Queue, p.Processor))).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, processor) in _processors)
        {
            await processor.DisposeAsync().ConfigureAwait(false);
        }

        _processors.Clear();
        _hardStop.Dispose();
    }

    /// <summary>For a container disposed synchronously: closes the processors the same way.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task StopOneAsync(string queue, ServiceBusProcessor processor)
    {
        // No token here: a cancelled StopProcessingAsync leaves the processor running. The hard-stop token ends the work instead.
        await processor.StopProcessingAsync(CancellationToken.None).ConfigureAwait(false);
        await processor.CloseAsync(CancellationToken.None).ConfigureAwait(false);
        ServiceBusLog.ProcessorStopped(logger, queue);
    }

    private Task OnErrorAsync(ProcessErrorEventArgs args)
    {
        var reason = args.Exception is ServiceBusException sb ? sb.Reason.ToString() : "-";
        var transient = args.Exception is ServiceBusException { IsTransient: true };
        ServiceBusLog.ProcessorError(logger, args.EntityPath, args.ErrorSource, args.Exception.GetType().FullName ?? args.Exception.GetType().Name, reason, transient);
        return Task.CompletedTask;
    }

    private ServiceBusProcessorOptions ProcessorOptions(string queue, int concurrency) => new()
    {
        ReceiveMode = ServiceBusReceiveMode.PeekLock,
        AutoCompleteMessages = false,
        MaxConcurrentCalls = concurrency,
        PrefetchCount = options.Prefetch(concurrency),
        MaxAutoLockRenewalDuration = options.MaxAutoLockRenewalDuration,
        Identifier = $"dispatch-{queue}",
    };
}
