using System.Text.Json;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Pipeline;
using AlertPipeline.Infrastructure.Storage;
using AlertPipeline.Testing;
using Azure.Storage.Queues;

namespace AlertPipeline.IntegrationTests.Pipeline;

/// <summary>
/// The shared dispatch-queue contract on the Storage-queue transport, on a real Azurite. The transport's queue names are
/// fixed (<c>sms-dispatch</c>, <c>email-dispatch</c>), so this class runs on an Azurite of its own and empties the queues
/// before each test; what a consumer could receive now is what a peek returns.
/// </summary>
public sealed class StorageQueueDispatchQueueContractTests : DispatchQueueContract, IAsyncLifetime
{
    private static readonly Lazy<Task<AzuriteFixture>> OwnAzurite = new(AzuriteFixture.StartAsync);
    private QueueServiceClient? _queues;

    protected override IDispatchQueue Queue => new StorageQueueDispatchQueue(_queues!, TimeProvider.System);

    protected override DateTimeOffset Now => DateTimeOffset.UtcNow;

    public async Task InitializeAsync()
    {
        var azurite = await OwnAzurite.Value;
        _queues = new QueueServiceClient(azurite.ConnectionString, StorageServiceCollectionExtensions.QueueOptions());
        foreach (var name in new[] { QueueNames.SmsDispatch, QueueNames.EmailDispatch })
        {
            var queue = _queues.GetQueueClient(name);
            await queue.CreateIfNotExistsAsync();
            await queue.ClearMessagesAsync();
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    protected override async Task<IReadOnlyList<DispatchBatch>> VisibleNowAsync(string queueName)
    {
        var peeked = (await _queues!.GetQueueClient(queueName).PeekMessagesAsync(maxMessages: 32)).Value;
        var batches = new List<DispatchBatch>();
        foreach (var message in peeked)
        {
            var body = JsonSerializer.Deserialize<DispatchBatchMessage>(message.Body.ToString(), JsonSerializerOptions.Web)!;
            Assert.True(body.TryParse(out var batch, out var error), error);
            if (batch.AlertId == Alert)
            {
                batches.Add(batch);
            }
        }

        return batches;
    }

    // Storage queues have no message id of their own to deduplicate on: the dispatch id travels in the body.
    protected override Task<IReadOnlyList<string>?> MessageIdsAsync(string queueName) => Task.FromResult<IReadOnlyList<string>?>(null);
}
