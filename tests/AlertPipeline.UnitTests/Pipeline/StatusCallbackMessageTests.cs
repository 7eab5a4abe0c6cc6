using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Pipeline;

namespace AlertPipeline.UnitTests.Pipeline;

/// <summary>What the status webhook queues (<see cref="StatusCallbackMessage.TryAccept"/>) and what its consumer accepts back (<see cref="StatusCallbackMessage.TryParse"/>).</summary>
public sealed class StatusCallbackMessageTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 4, 0, 0, TimeSpan.Zero);
    private readonly DeliveryKey _sms;
    private readonly DeliveryKey _email;

    public StatusCallbackMessageTests()
    {
        var world = new PipelineWorld();
        world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "aigul", "+447700900123", "aigul@example.org");
        var alert = world.StoreAlert(PipelineWorld.EventJson(channels: """["sms", "email"]"""));
        _sms = world.KeyFor(alert, Channel.Sms, "+447700900123");
        _email = new DeliveryKey(_sms.AlertId, Channel.Email, _sms.Recipient);
    }

    [Fact]
    public void TryAccept_SignedCallback_KeepsOnlyWhatTheHandlerNeedsAndNothingThatCouldBeANumber()
    {
        var message = StatusCallbackMessage.TryAccept(new StatusCallback(_sms.Value, " Undelivered ", "30003; DROP TABLE", "+447700900123"), Now, out _);

        message.Should().Be(new StatusCallbackMessage(_sms.Value, "undelivered", null, null, Now));
        message!.TryParse(out var callback, out var error).Should().BeTrue(error);
        callback.Should().Be(new StatusCallback(_sms.Value, "undelivered", null, null));
    }

    [Fact]
    public void TryAccept_NumericErrorCodeAndTwilioSid_AreKept()
    {
        var sid = "SM" + new string('a', 32);

        var message = StatusCallbackMessage.TryAccept(new StatusCallback(_sms.Value, "failed", "21610", sid), Now, out _);

        message.Should().Be(new StatusCallbackMessage(_sms.Value, "failed", "21610", sid, Now));
    }

    [Theory]
    [InlineData("no-such-delivery", "delivered", CallbackOutcome.UnknownReference)]
    [InlineData(null, "delivered", CallbackOutcome.UnknownReference)]
    [InlineData("EMAIL", "delivered", CallbackOutcome.UnknownReference)]
    [InlineData("SMS", "received", CallbackOutcome.IgnoredStatus)]
    [InlineData("SMS", "d\u0435livered", CallbackOutcome.IgnoredStatus)]
    public void TryAccept_NothingToApply_QueuesNothingAndSaysWhy(string? reference, string status, CallbackOutcome expected)
    {
        reference = reference switch { "SMS" => _sms.Value, "EMAIL" => _email.Value, _ => reference };

        var message = StatusCallbackMessage.TryAccept(new StatusCallback(reference, status, null, "SM1"), Now, out var ignored);

        message.Should().BeNull();
        ignored.Should().Be(expected);
    }

    [Theory]
    [InlineData("EMAIL", "delivered", null, null, "reference must be an SMS delivery key")]
    [InlineData("SMS", "teleported", null, null, "messageStatus")]
    [InlineData("SMS", "delivered", "30003x", null, "errorCode")]
    [InlineData("SMS", "delivered", null, "+447700900123", "messageSid")]
    [InlineData(null, "delivered", null, null, "reference")]
    public void TryParse_MessageNoWebhookWouldWrite_NamesTheField(string? reference, string status, string? errorCode, string? messageSid, string field)
    {
        reference = reference switch { "SMS" => _sms.Value, "EMAIL" => _email.Value, _ => reference };

        new StatusCallbackMessage(reference, status, errorCode, messageSid, Now).TryParse(out var callback, out var error).Should().BeFalse();

        callback.Should().BeNull();
        error.Should().Contain(field).And.NotContain("7700900123");
    }
}
