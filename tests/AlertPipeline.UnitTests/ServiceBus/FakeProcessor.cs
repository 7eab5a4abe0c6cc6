using Azure.Messaging.ServiceBus;

namespace AlertPipeline.UnitTests.ServiceBus;

/// <summary>
/// A <see cref="ServiceBusProcessor"/> built with the SDK's constructor for mocking, driven through its protected
/// <c>OnProcessMessageAsync</c> / <c>OnProcessErrorAsync</c> hooks (which invoke the handlers the code under test
/// attached). Stopping drains like the SDK's processor: it cancels the processor token and waits for handlers in flight.
/// </summary>
internal sealed class FakeProcessor(string queue, ServiceBusProcessorOptions options) : ServiceBusProcessor
{
    private readonly List<Task> _inFlight = [];
    private readonly CancellationTokenSource _processorToken = new();

    public string Queue { get; } = queue;

    public ServiceBusProcessorOptions Options { get; } = options;

    public bool Started { get; private set; }

    public bool Stopped { get; private set; }

    public bool Closed { get; private set; }

    public override string EntityPath => Queue;

    public override Task StartProcessingAsync(CancellationToken cancellationToken = default)
    {
        Started = true;
        return Task.CompletedTask;
    }

    public override async Task StopProcessingAsync(CancellationToken cancellationToken = default)
    {
        await _processorToken.CancelAsync();
        await Task.WhenAll(_inFlight);
        Stopped = true;
    }

    public override Task CloseAsync(CancellationToken cancellationToken = default)
    {
        Closed = true;
        return Task.CompletedTask;
    }

    /// <summary>Hands <paramref name="message"/> to the attached handler, as a receive would, with a receiver for settlement.</summary>
    public Task DeliverAsync(ServiceBusReceivedMessage message, ServiceBusReceiver receiver)
    {
        var task = OnProcessMessageAsync(new ProcessMessageEventArgs(message, receiver, _processorToken.Token));
        _inFlight.Add(task);
        return task;
    }

    public Task RaiseErrorAsync(Exception exception) =>
        OnProcessErrorAsync(new ProcessErrorEventArgs(exception, ServiceBusErrorSource.Receive, "alerts-test.servicebus.windows.net", Queue, CancellationToken.None));
}
