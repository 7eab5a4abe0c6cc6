using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Testing;

namespace AlertPipeline.UnitTests.ServiceBus;

/// <summary>
/// The shared dispatch-queue contract on the Service Bus transport, over the SDK's types: what a consumer could receive
/// now is every message the mocked sender transferred whose <c>ScheduledEnqueueTime</c> is not ahead of the clock (the
/// broker's rule); small batches (3 messages) so that sends span several transfers.
/// </summary>
public sealed class ServiceBusDispatchQueueContractTests : DispatchQueueContract
{
    private readonly ServiceBusKit _kit = new() { BatchCapacity = 3 };

    protected override IDispatchQueue Queue => _kit.Queue;

    protected override DateTimeOffset Now => _kit.Time.GetUtcNow();

    protected override Task<IReadOnlyList<DispatchBatch>> VisibleNowAsync(string queueName) =>
        Task.FromResult<IReadOnlyList<DispatchBatch>>(
            [.. Transferred(queueName).Where(m => m.ScheduledEnqueueTime <= Now).Select(ServiceBusKit.BodyOf).Where(b => b.AlertId == Alert)]);

    protected override Task<IReadOnlyList<string>?> MessageIdsAsync(string queueName) =>
        Task.FromResult<IReadOnlyList<string>?>([.. Transferred(queueName).Where(m => m.CorrelationId == Alert.Value).Select(m => m.MessageId)]);

    private IEnumerable<Azure.Messaging.ServiceBus.ServiceBusMessage> Transferred(string queueName) =>
        _kit.Sent.TryGetValue(queueName, out var transfers) ? transfers.SelectMany(t => t) : [];
}
