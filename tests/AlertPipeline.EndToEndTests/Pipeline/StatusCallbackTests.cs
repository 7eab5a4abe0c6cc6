using System.Net;
using System.Text.Json.Nodes;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Testing;
using Xunit.Abstractions;

namespace AlertPipeline.EndToEndTests.Pipeline;

/// <summary>Invariant 4 through the real app: Twilio's signed status callbacks, through the local host's HTTP port, are queued on
/// <c>sms-status</c> and applied by <c>ApplySmsStatus</c> (a queue trigger over gRPC), and only move rows forward.</summary>
[Collection(PipelineCollection.Name)]
public sealed class StatusCallbackTests(ITestOutputHelper output)
{
    [Fact]
    public async Task StatusCallbacks_OutOfOrderAndTwice_LeaveRowsAtTheirFurthestStatus()
    {
        await using var world = await PipelineEnvironment.CreateAsync(output);
        var alert = await SendHearingToMembersAsync(world);
        var sent = world.SmsOf(alert.AlertId);
        var toAigul = sent.Single(m => m.To == TestSeeds.AigulPhone);
        var toCallum = sent.Single(m => m.To == TestSeeds.CallumPhone);

        // Aigul: delivered overtakes sent, and both come twice (the queue may apply them in any order: the furthest stands).
        foreach (var status in new[] { "delivered", "sent", "delivered", "sent", "queued" })
        {
            using var response = await world.Twilio.SendStatusCallbackAsync(new Uri(toAigul.StatusCallback!), toAigul.Sid, status);
            response.StatusCode.Should().Be(HttpStatusCode.OK, $"callback '{status}' is accepted");
        }

        // Callum: undelivered (handset unreachable), applied; then a late "delivered" report and a stale "sent".
        using (var response = await world.Twilio.SendStatusCallbackAsync(new Uri(toCallum.StatusCallback!), toCallum.Sid, "undelivered", 30003))
        {
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await Poll.ForAsync(() => RowOfAsync(world, alert.AlertId, TestSeeds.CallumPhone), r => r.Status == DeliveryStatus.Undelivered, "Callum's undelivered report to be applied");
        foreach (var status in new[] { "delivered", "sent" })
        {
            using var response = await world.Twilio.SendStatusCallbackAsync(new Uri(toCallum.StatusCallback!), toCallum.Sid, status);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using (var forged = await world.Twilio.PostSignedAsync(
                   new Uri(toAigul.StatusCallback!), [new("MessageSid", toAigul.Sid), new("MessageStatus", "failed")], signatureOverride: "bm90IGEgc2lnbmF0dXJl"))
        {
            forged.StatusCode.Should().Be(HttpStatusCode.Forbidden, "an unsigned callback is refused");
        }

        await Poll.UntilAsync(async () => await world.Queue(QueueNames.SmsStatus).GetApproximateMessageCountAsync() == 0, "ApplySmsStatus to apply every accepted callback");
        var rows = await world.RowsAsync(alert.AlertId);
        var aigul = rows.Single(r => r.Key.Recipient == world.HashPhone(TestSeeds.AigulPhone));
        aigul.Status.Should().Be(DeliveryStatus.Delivered);
        aigul.ProviderId.Should().Be(toAigul.Sid);
        var callum = rows.Single(r => r.Key.Recipient == world.HashPhone(TestSeeds.CallumPhone));
        callum.Status.Should().Be(DeliveryStatus.Undelivered, "terminal is terminal: the first final report stands");
        callum.FailureReason.Should().Be(FailureReason.Unreachable);
        callum.ErrorCode.Should().Be("30003");
        rows.Where(r => r.Key.Recipient != aigul.Key.Recipient && r.Key.Recipient != callum.Key.Recipient && r.Status != DeliveryStatus.Skipped)
            .Should().OnlyContain(r => r.Status == DeliveryStatus.Sent, "no callback came for them");
        world.SmsOf(alert.AlertId).Should().HaveCount(4, "callbacks never cause a resend");
    }

    [Fact]
    public async Task StatusCallback_AnsweredOnceQueued_ThenTheRowMoves()
    {
        await using var world = await PipelineEnvironment.CreateAsync(output);
        var alert = await SendHearingToMembersAsync(world);
        var toAssel = world.SmsOf(alert.AlertId).Single(m => m.To == TestSeeds.AsselPhone);

        using var response = await world.Twilio.SendStatusCallbackAsync(new Uri(toAssel.StatusCallback!), toAssel.Sid, "delivered");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var row = await Poll.ForAsync(() => RowOfAsync(world, alert.AlertId, TestSeeds.AsselPhone), r => r.Status == DeliveryStatus.Delivered, "the queued callback to reach the row");
        row.ProviderId.Should().Be(toAssel.Sid);
        world.Logs.Lines.Should().Contain(l => l.Contains("queued on " + QueueNames.SmsStatus, StringComparison.Ordinal));
    }

    [Fact]
    public async Task StatusMessage_Malformed_LandsInThePoisonQueueWithItsReason()
    {
        await using var world = await PipelineEnvironment.CreateAsync(output);
        await world.StartHostAsync();
        var queue = world.Queue(QueueNames.SmsStatus);
        await queue.CreateIfNotExistsAsync();

        await queue.SendMessageAsync("""{"reference":"not-a-delivery","messageStatus":"delivered"}""");

        var poison = world.Queue(QueueNames.PoisonOf(QueueNames.SmsStatus));
        var poisoned = await Poll.ForAsync(
            async () => await poison.ExistsAsync() ? (await poison.PeekMessagesAsync(32)).Value : [],
            messages => messages.Length >= 1,
            "the message in sms-status-poison");
        var entry = JsonNode.Parse(poisoned.Should().ContainSingle().Subject.Body.ToString())!;
        ((string?)entry["deadLetterReason"]).Should().Be(DeadLetterReasons.MalformedMessage);
        ((string?)entry["deadLetterDescription"]).Should().Contain("reference");
        ((string?)entry["body"]).Should().Contain("not-a-delivery");
        // The consumer writes the poison entry first, then deletes the original: wait for the delete, then check it came once.
        await Poll.UntilAsync(async () => await queue.GetApproximateMessageCountAsync() == 0, "the malformed message gone from sms-status");
        (await poison.PeekMessagesAsync(32)).Value.Should().ContainSingle("a malformed message is not retried");
    }

    /// <summary>The seven members, the host running, a hearing alert sent to them and every row settled.</summary>
    private static async Task<TestEvent> SendHearingToMembersAsync(PipelineEnvironment world)
    {
        await world.SeedAsync(TestSeeds.Members);
        await world.StartHostAsync();
        var alert = TestEvents.Hearing("appeal-hearing", TestSeeds.Campaign);
        await world.EnqueueAsync(alert.Body);
        await world.WaitForSettledRowsAsync(alert.AlertId, 7);
        return alert;
    }

    private static async Task<DeliveryRecord> RowOfAsync(PipelineEnvironment world, AlertId alertId, string phone) =>
        (await world.RowsAsync(alertId)).Single(r => r.Key.Recipient == world.HashPhone(phone));
}
