using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Infrastructure.Pipeline;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Moq;

namespace AlertPipeline.UnitTests.Storage;

/// <summary>
/// <see cref="PoisonQueueRedriver"/>'s holds: a pass reads the poison queue holding its messages for
/// <see cref="PoisonQueueRedriver.PassHold"/> only, so a pass cut short by a kill leaves them to a tick a minute later;
/// a message it leaves there is then hidden for the whole <c>lookAgainAfter</c>.
/// </summary>
public sealed class PoisonQueueRedriverHoldTests
{
    private readonly Mock<QueueServiceClient> _queues = new(MockBehavior.Strict);
    private readonly Mock<QueueClient> _poison = new(MockBehavior.Strict);

    [Fact]
    public async Task Redrive_ReadsForThePassHold_AndHidesWhatItLeavesForLookAgainAfter()
    {
        var left = QueuesModelFactory.QueueMessage("m1", "pop1", BinaryData.FromString("not a chunk"), 1);
        _queues.Setup(q => q.GetQueueClient("chunks-poison")).Returns(_poison.Object);
        _poison.Setup(p => p.ExistsAsync(It.IsAny<CancellationToken>())).ReturnsAsync(Response.FromValue(true, Mock.Of<Response>()));
        _poison.Setup(p => p.ReceiveMessagesAsync(PoisonQueueRedriver.MessagesPerTick, PoisonQueueRedriver.PassHold, It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(new[] { left }, Mock.Of<Response>()));
        _queues.Setup(q => q.GetQueueClient("chunks")).Returns(new Mock<QueueClient>(MockBehavior.Strict).Object);
        _poison.Setup(p => p.UpdateMessageAsync("m1", "pop1", left.Body, TimeSpan.FromMinutes(10), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(QueuesModelFactory.UpdateReceipt("pop2", DateTimeOffset.UtcNow.AddMinutes(10)), Mock.Of<Response>()));

        var result = await new NothingRedrivable(_queues.Object).RedriveAsync(default);

        result.Kept.Should().Be(1);
        _poison.Verify(p => p.UpdateMessageAsync("m1", "pop1", left.Body, TimeSpan.FromMinutes(10), It.IsAny<CancellationToken>()), Times.Once);
    }

    /// <summary>A redriver for which no poison message is a re-drivable item (it keeps every one).</summary>
    private sealed class NothingRedrivable(QueueServiceClient queues)
        : PoisonQueueRedriver(queues, new PipelineTables(new TableServiceClient("UseDevelopmentStorage=true")), TimeProvider.System, "Redrives", "chunks", 3, null)
    {
        protected override PoisonedItem? Read(string text) => null;
    }
}
