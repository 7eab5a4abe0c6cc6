using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Testing;
using Xunit.Abstractions;

namespace AlertPipeline.EndToEndTests.Pipeline;

/// <summary>Invariants 1–3 through the real app: one message per person and channel, opt-outs and unusable numbers skipped, re-sent events change nothing.</summary>
[Collection(PipelineCollection.Name)]
public sealed class OneMessagePerPersonTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Alert_PersonInTwoBranchesAndTwoUnions_GetsOneSmsAndOneEmail_OthersSkippedWithReasons()
    {
        await using var world = await PipelineEnvironment.CreateAsync(output, withSmtp: true);
        await world.SeedAsync(TestSeeds.Members);
        await world.StartHostAsync();
        var alert = TestEvents.Hearing("aqtau-appeal", TestSeeds.Campaign, "\"sms\", \"email\"");

        await world.EnqueueAsync(alert.Body);
        var rows = await world.WaitForSettledRowsAsync(alert.AlertId, expected: 14);
        var mail = await world.Smtp!.WaitForMessagesAsync(6);

        var sms = rows.Where(r => r.Channel == Channel.Sms).ToList();
        sms.Should().HaveCount(7, "7 people, one SMS row each (Aigul's three listings are one row)");
        sms.Count(r => r.Status == DeliveryStatus.Sent).Should().Be(4);
        sms.Where(r => r.Status == DeliveryStatus.Skipped).Select(r => r.SkipReason)
            .Should().BeEquivalentTo([SkipReason.OptedOut, SkipReason.InvalidNumber, SkipReason.NoAddress]);
        sms.Single(r => r.Key.Recipient == world.HashPhone(TestSeeds.NurlanPhone)).SkipReason.Should().Be(SkipReason.OptedOut);

        var sent = world.SmsOf(alert.AlertId);
        sent.GroupBy(m => m.To).Should().OnlyContain(g => g.Count() == 1, "nobody gets the same alert twice");
        sent.Select(m => m.To).Should().BeEquivalentTo([TestSeeds.AigulPhone, TestSeeds.AsselPhone, TestSeeds.BerikPhone, TestSeeds.CallumPhone]);
        world.Twilio.CreateRequests.Should().NotContain(r => r.FormValue("To") == TestSeeds.NurlanPhone, "an opted-out number is never sent to");
        sms.Single(r => r.Key.Recipient == world.HashPhone(TestSeeds.AigulPhone)).Contact!.ContactId.Value
            .Should().BeOneOf(["aigul-seitkali", "aigul-s", "a-seitkali"], "whichever of her listings fanned out first owns the row");
        sent.Should().OnlyContain(m => m.MessagingServiceSid == PipelineEnvironment.MessagingServiceSid && m.StatusCallback!.StartsWith(world.Webhook("twilio/status").AbsoluteUri + "?ref=", StringComparison.Ordinal));

        var email = rows.Where(r => r.Channel == Channel.Email).ToList();
        email.Should().HaveCount(7);
        email.Count(r => r.Status == DeliveryStatus.Sent).Should().Be(6);
        email.Single(r => r.Status == DeliveryStatus.Skipped).SkipReason.Should().Be(SkipReason.NoAddress, "Berik has no email");
        mail.Select(m => m.Header("To")!.ToLowerInvariant()).Should().OnlyHaveUniqueItems()
            .And.HaveCount(6).And.ContainSingle(to => to.Contains(TestSeeds.AigulEmail, StringComparison.Ordinal));

        // The same event again (a producer retry, or a redelivered queue message): nothing new is written or sent.
        await world.EnqueueAsync(alert.Body);
        await WaitUntilQueuesDrainedAsync(world);
        (await world.RowsAsync(alert.AlertId)).Should().HaveCount(14);
        world.SmsOf(alert.AlertId).Should().HaveCount(4);
        (await world.Smtp.ReadMessagesAsync()).Should().HaveCount(6);
    }

    internal static Task WaitUntilQueuesDrainedAsync(PipelineEnvironment world) =>
        Testing.Poll.UntilAsync(
            async () =>
            {
                foreach (var name in new[] { QueueNames.AlertEvents, QueueNames.FanOutChunks, QueueNames.SmsDispatch, QueueNames.EmailDispatch })
                {
                    var queue = world.Queue(name);
                    if (await queue.ExistsAsync() && await queue.GetApproximateMessageCountAsync() > 0)
                    {
                        return false;
                    }
                }

                return true;
            },
            "the pipeline's queues to drain",
            TimeSpan.FromSeconds(30));
}
