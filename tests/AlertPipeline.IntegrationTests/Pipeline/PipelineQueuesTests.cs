using AlertPipeline.Core.Events;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Infrastructure.Pipeline;
using AlertPipeline.Infrastructure.Storage;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using AlertPipeline.Testing;

namespace AlertPipeline.IntegrationTests.Pipeline;

public sealed class PipelineQueuesTests
{
    [Fact]
    public async Task Publish_ThroughTheRegisteredClient_IsBase64JsonThatTheFanOutTriggerDecodesBackToTheSameEvent()
    {
        // The client as the app gets it (AddStorageClients from AzureWebJobsStorage), against an Azurite that checks the
        // API version: a client that is not pinned to what Azurite 3.35 speaks fails here with a 400.
        var azurite = await AzuriteFixture.SharedAsync();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString })
            .Build();
        await using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddStorageClients().BuildServiceProvider();
        var queues = new PipelineQueues(services.QueueService());
        await queues.CreateAllAsync();
        var eventId = AzuriteFixture.UniqueName("e");
        var alertEvent = AlertEventParser.Parse(File.ReadAllText(RepositoryPaths.Combine("demo", "zhanaozen-event.json"))).Value
            with { EventId = EventId.Parse(eventId) };

        var receipt = await queues.PublishAsync(alertEvent);

        var raw = new QueueClient(azurite.ConnectionString, QueueNames.AlertEvents, StorageServiceCollectionExtensions.QueueOptions(QueueMessageEncoding.None));
        var wire = (await raw.PeekMessagesAsync(32)).Value.Single(m => m.MessageId == receipt.MessageId).Body.ToString();
        wire.Should().NotContain("{", "the queue trigger expects base64 (host.json messageEncoding)");
        var decoded = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(wire)); // what the host hands FanOut's string parameter
        AlertEventParser.Parse(decoded).Value.Should().Be(alertEvent);
    }

    [Fact]
    public async Task Publish_InvalidEvent_IsRefusedNamingTheErrors()
    {
        var queues = new PipelineQueues(new QueueServiceClient((await AzuriteFixture.SharedAsync()).ConnectionString, StorageServiceCollectionExtensions.QueueOptions()));
        var alertEvent = AlertEventParser.Parse(File.ReadAllText(RepositoryPaths.Combine("demo", "zhanaozen-event.json"))).Value
            with { Channels = Core.Common.ValueList.Empty<Core.Contacts.Channel>() };

        var act = () => queues.PublishAsync(alertEvent);

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*$.channels*");
    }
}
