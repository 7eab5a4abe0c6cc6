using System.Net;
using AlertPipeline.Core.Deliveries;
using Xunit.Abstractions;

namespace AlertPipeline.EndToEndTests.Pipeline;

/// <summary>Invariant 4 through the real app: Twilio's signed status callbacks, through the local host's HTTP port, only move rows forward.</summary>
[Collection(PipelineCollection.Name)]
public sealed class StatusCallbackTests(ITestOutputHelper output)
{
    [Fact]
    public async Task StatusCallbacks_OutOfOrderAndTwice_LeaveRowsAtTheirFurthestStatus()
    {
        await using var world = await PipelineEnvironment.CreateAsync(output);
        await world.SeedAsync(TestSeeds.Members);
        await world.StartHostAsync();
        var alert = TestEvents.Hearing("appeal-hearing", TestSeeds.Campaign);
        await world.EnqueueAsync(alert.Body);
        await world.WaitForSettledRowsAsync(alert.AlertId, 7);
        var sent = world.SmsOf(alert.AlertId);
        var toAigul = sent.Single(m => m.To == TestSeeds.AigulPhone);
        var toCallum = sent.Single(m => m.To == TestSeeds.CallumPhone);

        // Aigul: delivered overtakes sent, and both come twice.
        foreach (var status in new[] { "delivered", "sent", "delivered", "sent", "queued" })
        {
            using var response = await world.Twilio.SendStatusCallbackAsync(new Uri(toAigul.StatusCallback!), toAigul.Sid, status);
            response.StatusCode.Should().Be(HttpStatusCode.OK, $"callback '{status}' is accepted");
        }

        // Callum: undelivered (handset unreachable), then a late "delivered" report and a stale "sent".
        foreach (var (status, code) in new[] { ("undelivered", (int?)30003), ("delivered", null), ("sent", null) })
        {
            using var response = await world.Twilio.SendStatusCallbackAsync(new Uri(toCallum.StatusCallback!), toCallum.Sid, status, code);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using (var forged = await world.Twilio.PostSignedAsync(
                   new Uri(toAigul.StatusCallback!), [new("MessageSid", toAigul.Sid), new("MessageStatus", "failed")], signatureOverride: "bm90IGEgc2lnbmF0dXJl"))
        {
            forged.StatusCode.Should().Be(HttpStatusCode.Forbidden, "an unsigned callback is refused");
        }

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
}
