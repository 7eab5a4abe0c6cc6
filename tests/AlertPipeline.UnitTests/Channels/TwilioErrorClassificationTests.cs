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

    [Theory]
    [InlineData(TwilioErrorKind.Transient, true, false, false, false)]
    [InlineData(TwilioErrorKind.OutcomeUnknown, false, false, false, true)]
    [InlineData(TwilioErrorKind.InvalidRecipient, false, true, false, false)]
    [InlineData(TwilioErrorKind.OptedOut, false, true, true, false)]
    [InlineData(TwilioErrorKind.Authentication, false, true, false, false)]
    [InlineData(TwilioErrorKind.Permanent, false, true, false, false)]
    public void Exception_Flags_FollowKind(TwilioErrorKind kind, bool retryable, bool permanent, bool optedOut, bool unknown)
    {
        var ex = new TwilioApiException(400, 21610, "x", kind);

        (ex.IsRetryable, ex.IsPermanent, ex.IsOptedOut, ex.IsOutcomeUnknown).Should().Be((retryable, permanent, optedOut, unknown));
    }

    [Fact]
    public void Exception_CarriesStatusAndCodeLikeRequestFailedException()
    {
        var ex = new TwilioApiException(400, 21211, "invalid", TwilioErrorKind.InvalidRecipient, "https://www.twilio.com/docs/errors/21211");

        ex.Should().BeAssignableTo<Azure.RequestFailedException>();
        ex.Status.Should().Be(400);
        ex.ErrorCode.Should().Be("21211");
        ex.TwilioCode.Should().Be(21211);
        ex.MoreInfo.Should().EndWith("21211");
    }
}
