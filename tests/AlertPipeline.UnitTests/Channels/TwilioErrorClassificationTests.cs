using AlertPipeline.Infrastructure.Twilio;

namespace AlertPipeline.UnitTests.Channels;

public class TwilioErrorClassificationTests
{
    [Theory]
    [InlineData(429, 20429, true, TwilioErrorKind.Transient)]
    [InlineData(429, null, true, TwilioErrorKind.Transient)]
    [InlineData(400, 21211, true, TwilioErrorKind.InvalidRecipient)]
    [InlineData(400, 21614, true, TwilioErrorKind.InvalidRecipient)]
    [InlineData(400, 21610, true, TwilioErrorKind.OptedOut)]
    [InlineData(401, 20003, true, TwilioErrorKind.Authentication)]
    [InlineData(403, null, false, TwilioErrorKind.Authentication)]
    [InlineData(400, 21604, true, TwilioErrorKind.Permanent)]
    [InlineData(404, 20404, false, TwilioErrorKind.Permanent)]
    [InlineData(500, 20500, true, TwilioErrorKind.OutcomeUnknown)]
    [InlineData(503, null, true, TwilioErrorKind.OutcomeUnknown)]
    [InlineData(0, null, true, TwilioErrorKind.OutcomeUnknown)]
    [InlineData(500, 20500, false, TwilioErrorKind.Transient)]
    [InlineData(0, null, false, TwilioErrorKind.Transient)]
    public void ForApiError_FollowsTheReferenceTable(int status, int? code, bool isSend, TwilioErrorKind expected) =>
        TwilioErrorClassification.ForApiError(status, code, isSend).Should().Be(expected);

    [Theory]
    [InlineData(30003, TwilioDeliveryErrorKind.RetryLater)]
    [InlineData(30008, TwilioDeliveryErrorKind.RetryLater)]
    [InlineData(30004, TwilioDeliveryErrorKind.Permanent)]
    [InlineData(30005, TwilioDeliveryErrorKind.Permanent)]
    [InlineData(30006, TwilioDeliveryErrorKind.Permanent)]
    [InlineData(30007, TwilioDeliveryErrorKind.Permanent)]
    [InlineData(30034, TwilioDeliveryErrorKind.Unknown)]
    public void ForDeliveryError_FollowsTheReferenceTable(int code, TwilioDeliveryErrorKind expected) =>
        TwilioErrorClassification.ForDeliveryError(code).Should().Be(expected);
}
