using System.Net;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Testing;
using Xunit.Abstractions;

namespace AlertPipeline.EndToEndTests.Pipeline;

/// <summary>Invariant 3 through the real app: Twilio 21610 and STOP/START replies, via Twilio's (fake) API and signed webhooks.</summary>
[Collection(PipelineCollection.Name)]
public sealed class OptOutTests(ITestOutputHelper output)
{
    private const int SmsRows = 7;

    [Fact]
    public async Task Twilio21610_MarksTheContactOptedOut_NotRetried_AndALaterAlertSkipsThem()
    {
        await using var world = await PipelineEnvironment.CreateAsync(output);
        await world.SeedAsync(TestSeeds.Members);
        world.Twilio.FailFor(TestSeeds.AsselPhone, TwilioFault.OptedOut);
        await world.StartHostAsync();
        var assel = world.HashPhone(TestSeeds.AsselPhone);

        var first = TestEvents.Hearing("appeal-hearing", TestSeeds.Campaign);
        await world.EnqueueAsync(first.Body);
        var rows = await world.WaitForSettledRowsAsync(first.AlertId, SmsRows);

        var failed = rows.Single(r => r.Key.Recipient == assel);
        failed.Status.Should().Be(DeliveryStatus.Failed);
        failed.FailureReason.Should().Be(FailureReason.OptedOut);
        failed.ErrorCode.Should().Be("21610");
        failed.Address.Should().BeNull("a row that will never be sent keeps no number");
        (await world.OptOuts.IsOptedOutAsync(assel, Channel.Sms)).Should().BeTrue("21610 records the opt-out");

        var second = TestEvents.Hearing("appeal-verdict", TestSeeds.Campaign);
        await world.EnqueueAsync(second.Body);
        var later = await world.WaitForSettledRowsAsync(second.AlertId, SmsRows);

        later.Single(r => r.Key.Recipient == assel).Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Skipped && r.SkipReason == SkipReason.OptedOut);
        world.Twilio.CreateRequests.Count(r => r.FormValue("To") == TestSeeds.AsselPhone)
            .Should().Be(1, "21610 is never retried, and the later alert does not even try");
        world.SmsOf(second.AlertId).Should().HaveCount(3, "the other sendable members still get it");
    }

    [Fact]
    public async Task InboundStop_OptsTheNumberOut_StartOptsItBackIn_AndAlertsFollow()
    {
        await using var world = await PipelineEnvironment.CreateAsync(output);
        await world.SeedAsync(TestSeeds.Members);
        await world.StartHostAsync();
        var callum = world.HashPhone(TestSeeds.CallumPhone);
        var inbound = world.Webhook("twilio/inbound");

        using (var forged = await world.Twilio.PostSignedAsync(
                   inbound, [new("From", TestSeeds.CallumPhone), new("To", "+15005550006"), new("Body", "STOP")], signatureOverride: "bm90IGEgc2lnbmF0dXJl"))
        {
            forged.StatusCode.Should().Be(HttpStatusCode.Forbidden, "an unsigned (forged) STOP is refused");
        }

        (await world.OptOuts.IsOptedOutAsync(callum, Channel.Sms)).Should().BeFalse();

        using (var stop = await world.Twilio.SendInboundMessageAsync(inbound, TestSeeds.CallumPhone, "+15005550006", " stop "))
        {
            stop.StatusCode.Should().Be(HttpStatusCode.OK);
            stop.Content.Headers.ContentType!.MediaType.Should().Be("text/xml");
            (await stop.Content.ReadAsStringAsync()).Should().EndWith("<Response/>", "Twilio answers its own English STOP");
        }

        using (var russianStop = await world.Twilio.SendInboundMessageAsync(inbound, TestSeeds.AsselPhone, "+15005550006", "СТОП"))
        {
            (await russianStop.Content.ReadAsStringAsync()).Should().Contain("<Message>" + InboundSmsHandler.OptOutConfirmationRu + "</Message>");
        }

        (await world.OptOuts.IsOptedOutAsync(callum, Channel.Sms)).Should().BeTrue();
        var first = TestEvents.Hearing("appeal-hearing", TestSeeds.Campaign);
        await world.EnqueueAsync(first.Body);
        var rows = await world.WaitForSettledRowsAsync(first.AlertId, SmsRows);
        rows.Single(r => r.Key.Recipient == callum).SkipReason.Should().Be(SkipReason.OptedOut);
        rows.Single(r => r.Key.Recipient == world.HashPhone(TestSeeds.AsselPhone)).SkipReason.Should().Be(SkipReason.OptedOut);
        world.SmsOf(first.AlertId).Select(m => m.To).Should().BeEquivalentTo([TestSeeds.AigulPhone, TestSeeds.BerikPhone]);

        using (var start = await world.Twilio.SendInboundMessageAsync(inbound, TestSeeds.CallumPhone, "+15005550006", "START"))
        {
            start.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (await world.OptOuts.IsOptedOutAsync(callum, Channel.Sms)).Should().BeFalse("START lifts the opt-out");
        var second = TestEvents.Hearing("appeal-verdict", TestSeeds.Campaign);
        await world.EnqueueAsync(second.Body);
        var later = await world.WaitForSettledRowsAsync(second.AlertId, SmsRows);
        later.Single(r => r.Key.Recipient == callum).Status.Should().Be(DeliveryStatus.Sent);
        world.SmsOf(second.AlertId).Should().ContainSingle(m => m.To == TestSeeds.CallumPhone);
        world.Twilio.CreateRequests.Count(r => r.FormValue("To") == TestSeeds.CallumPhone).Should().Be(1, "nothing went to him while he was opted out");
    }
}
