using System.Collections.Concurrent;
using AlertPipeline.Testing;
using Xunit.Abstractions;

namespace AlertPipeline.EndToEndTests.LocalHost;

[Collection(LocalHostCollection.Name)]
public sealed class ServiceBusTriggerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ServiceBusTrigger_Message_EchoedToOutputQueueWithServiceBusMetadata()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        using var app = TestHandlerApp.Create(azurite, ["ServiceBusEcho"]);
        using var logs = new CapturedLogs(output);
        var queues = new TestQueues(azurite.ConnectionString);
        await using var host = app.CreateHost(logs);
        await host.StartAsync();

        var receipt = await queues.SendAsync(app.Queue("sb"), """{"alertId":"a-1","deliveryKey":"sms~abc"}""");

        var echoes = new ConcurrentBag<string>();
        await queues.CollectUntilAsync(app.Queue("sb-out"), echoes, e => e.Count >= 1, "the Service Bus echo");
        await Poll.UntilAsync(async () => await queues.CountAsync(app.Queue("sb")) == 0, "the message to be completed", TestQueues.Patience);
        await host.StopAsync();

        var echo = TestQueues.Observation(echoes.Should().ContainSingle().Subject);
        echo.Function.Should().Be("ServiceBusEcho");
        echo.Text.Should().Be("""{"alertId":"a-1","deliveryKey":"sms~abc"}""");
        echo.Attempt.Should().Be(1, "DeliveryCount is the dequeue count");
        echo.MessageId.Should().Be(receipt.MessageId);
    }

    [Fact]
    public async Task ServiceBusTrigger_AlwaysFailing_DeadLetteredAfterMaxDeliveryCount()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        using var app = TestHandlerApp.Create(azurite, ["ServiceBusEcho"]);
        using var logs = new CapturedLogs(output);
        var queues = new TestQueues(azurite.ConnectionString);
        await using var host = app.CreateHost(logs, o => o.Settings["LocalHost:MaxDeliveryCount"] = "4");
        await host.StartAsync();

        const string body = """{"alwaysFail":true}""";
        await queues.SendAsync(app.Queue("sb"), body);

        var deadLettered = new ConcurrentBag<string>();
        await Poll.UntilAsync(
            async () =>
            {
                deadLettered.AddRange(await queues.DrainRawAsync(app.Queue("sb-poison")));
                return !deadLettered.IsEmpty;
            },
            "the message in the dead-letter (poison) queue",
            TestQueues.Patience);
        await host.StopAsync();

        deadLettered.Should().ContainSingle().Which.Should().Be(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(body)));
        logs.Events(301).Select(e => e.Property("DequeueCount")).Should().Equal("1", "2", "3", "4");
        logs.Events(302).Should().ContainSingle().Which.Property("Reason").Should().Contain("alwaysFail is set (attempt 4)");
        (await queues.CountAsync(app.Queue("sb"))).Should().Be(0);
        (await queues.CountAsync(app.Queue("sb-out"))).Should().Be(0);
    }
}
