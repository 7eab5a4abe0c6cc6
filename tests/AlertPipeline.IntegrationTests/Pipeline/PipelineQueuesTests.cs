using AlertPipeline.Core.Events;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Infrastructure.Pipeline;
using AlertPipeline.Infrastructure.Storage.Queues;
using AlertPipeline.Testing;

namespace AlertPipeline.IntegrationTests.Pipeline;

public sealed class PipelineQueuesTests
{
    [Fact]
    public async Task Publish_AlertEvent_IsBase64JsonThatTheFanOutTriggerDecodesBackToTheSameEvent()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        var service = new QueueServiceClient(azurite.ConnectionString);
        var queues = new PipelineQueues(service);
        await queues.CreateAllAsync();
        var eventId = AzuriteFixture.UniqueName("e");
        var alertEvent = AlertEventParser.Parse(File.ReadAllText(RepositoryPaths.Combine("demo", "zhanaozen-event.json"))).Value
            with { EventId = EventId.Parse(eventId) };

        var receipt = await queues.PublishAsync(alertEvent);

        var peeked = await service.GetQueueClient(QueueNames.AlertEvents).PeekMessagesAsync(32);
        var ours = peeked.Single(m => m.MessageId == receipt.MessageId);
        ours.MessageText.Should().NotContain("{", "the queue trigger expects base64 (host.json messageEncoding)");
        var decoded = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(ours.MessageText)); // what the host hands FanOut's string parameter
        AlertEventParser.Parse(decoded).Value.Should().Be(alertEvent);
    }

    [Fact]
    public async Task Publish_InvalidEvent_IsRefusedNamingTheErrors()
    {
        var queues = new PipelineQueues(new QueueServiceClient((await AzuriteFixture.SharedAsync()).ConnectionString));
        var alertEvent = AlertEventParser.Parse(File.ReadAllText(RepositoryPaths.Combine("demo", "zhanaozen-event.json"))).Value
            with { Channels = Core.Common.ValueList.Empty<Core.Contacts.Channel>() };

        var act = () => queues.PublishAsync(alertEvent);

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*$.channels*");
    }
}
