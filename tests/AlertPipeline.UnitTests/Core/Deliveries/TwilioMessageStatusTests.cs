using AlertPipeline.Core.Deliveries;

namespace AlertPipeline.UnitTests.Core.Deliveries;

public class TwilioMessageStatusTests
{
    [Theory]
    [InlineData("queued", DeliveryStatus.Sent)]
    [InlineData("accepted", DeliveryStatus.Sent)]
    [InlineData("scheduled", DeliveryStatus.Sent)]
    [InlineData("sending", DeliveryStatus.Sent)]
    [InlineData("sent", DeliveryStatus.Sent)]
    [InlineData("delivered", DeliveryStatus.Delivered)]
    [InlineData("read", DeliveryStatus.Delivered)]
    [InlineData("undelivered", DeliveryStatus.Undelivered)]
    [InlineData("partially_delivered", DeliveryStatus.Undelivered)]
    [InlineData("failed", DeliveryStatus.Failed)]
    [InlineData("canceled", DeliveryStatus.Failed)]
    [InlineData(" Delivered ", DeliveryStatus.Delivered)]
    public void Map_KnownStatus_GivesOurs(string twilio, DeliveryStatus expected)
    {
        TwilioMessageStatus.Map(twilio).Should().Be(expected);
        TwilioMessageStatus.TryMap(twilio, out var status).Should().BeTrue();
        status.Should().Be(expected);
    }

    [Theory]
    [InlineData("receiving")]
    [InlineData("received")]
    [InlineData("something_new")]
    [InlineData("")]
    [InlineData(null)]
    public void Map_InboundOrUnknown_IsNull(string? twilio)
    {
        TwilioMessageStatus.Map(twilio).Should().BeNull();
        TwilioMessageStatus.TryMap(twilio, out _).Should().BeFalse();
    }
}
