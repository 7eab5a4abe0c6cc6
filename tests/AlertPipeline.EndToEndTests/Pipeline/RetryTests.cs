using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Testing;
using Xunit.Abstractions;

namespace AlertPipeline.EndToEndTests.Pipeline;

/// <summary>Retries through the real app: what Twilio did not process is retried until it goes once; what it refused for good is not.</summary>
[Collection(PipelineCollection.Name)]
public sealed class RetryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TooManyRequests_BeyondTheClientsRetries_RedeliveredAndSentExactlyOnce()
    {
        await using var world = await PipelineEnvironment.CreateAsync(output);
        await world.SeedAsync(TestSeeds.Members);
        // Three 429s: the client's own attempts (1 + Twilio:MaxRetries 1) give up, the claim is released and the
        // Service Bus message comes back; the redelivery meets one more 429, retries, and Twilio accepts.
        world.Settings["Twilio:MaxRetries"] = "1";
        world.Twilio.FailFor(TestSeeds.AigulPhone, TwilioFault.TooManyRequests, times: 3);
        await world.StartHostAsync();

        var alert = TestEvents.Hearing("appeal-hearing", TestSeeds.Campaign);
        await world.EnqueueAsync(alert.Body);
        var rows = await world.WaitForSettledRowsAsync(alert.AlertId, 7);

        rows.Where(r => r.Status != DeliveryStatus.Skipped).Should().HaveCount(4).And.OnlyContain(r => r.Status == DeliveryStatus.Sent);
        var aigul = rows.Single(r => r.Key.Recipient == world.HashPhone(TestSeeds.AigulPhone));
        aigul.Attempt.Should().Be(2, "the first claim was released after the client's retries, the redelivery claimed again");
        var toAigul = world.Twilio.CreateRequests.Where(r => r.FormValue("To") == TestSeeds.AigulPhone).ToList();
        toAigul.Select(r => r.ResponseStatus).Should().Equal([429, 429, 429, 201]);
        world.SmsOf(alert.AlertId).GroupBy(m => m.To).Should().HaveCount(4).And.OnlyContain(g => g.Count() == 1, "429 means not processed: one SMS each in the end");
        world.Logs.Lines.Should().Contain(l => l.Contains("SendSms", StringComparison.Ordinal) && l.Contains("will be retried", StringComparison.Ordinal));
        (await world.Queue(QueueNames.SmsDispatch + "-poison").ExistsAsync() && await world.Queue(QueueNames.SmsDispatch + "-poison").GetApproximateMessageCountAsync() > 0)
            .Should().BeFalse("nothing was dead-lettered");
    }

    [Fact]
    public async Task InvalidNumber21211_FailedInvalidNumber_NeverRetried()
    {
        await using var world = await PipelineEnvironment.CreateAsync(output);
        await world.SeedAsync(TestSeeds.Members);
        world.Twilio.FailFor(TestSeeds.CallumPhone, TwilioFault.InvalidTo);
        await world.StartHostAsync();

        var alert = TestEvents.Hearing("appeal-hearing", TestSeeds.Campaign);
        await world.EnqueueAsync(alert.Body);
        var rows = await world.WaitForSettledRowsAsync(alert.AlertId, 7);
        await OneMessagePerPersonTests.WaitUntilQueuesDrainedAsync(world);

        var callum = rows.Single(r => r.Key.Recipient == world.HashPhone(TestSeeds.CallumPhone));
        callum.Status.Should().Be(DeliveryStatus.Failed);
        callum.FailureReason.Should().Be(FailureReason.InvalidNumber);
        callum.ErrorCode.Should().Be("21211");
        callum.Attempt.Should().Be(1);
        callum.Address.Should().BeNull();
        world.Twilio.CreateRequests.Count(r => r.FormValue("To") == TestSeeds.CallumPhone).Should().Be(1, "a permanent refusal is not retried, by the client or the queue");
        world.SmsOf(alert.AlertId).Should().HaveCount(3);
        world.Logs.Lines.Should().NotContain(l => l.Contains(TestSeeds.CallumPhone, StringComparison.Ordinal), "Twilio's error text quotes the number; our logs must not");
    }
}
