using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using Moq;

namespace AlertPipeline.UnitTests.Pipeline;

public sealed class TwilioStatusCallbackHandlerTests
{
    private const string Phone = "+447700900123";
    private readonly PipelineWorld _world = new();
    private readonly DeliveryKey _key;

    public TwilioStatusCallbackHandlerTests()
    {
        _key = _world.StoreSentSms(Phone);
    }

    private DeliveryRecord Row => _world.Deliveries[_key];

    private Task<CallbackResult> Callback(string status, string? errorCode = null, string? reference = null, string messageSid = "SM1") =>
        _world.Callbacks.HandleAsync(new StatusCallback(reference ?? _key.Value, status, errorCode, messageSid), default);

    [Fact]
    public async Task Callback_Delivered_MovesSentToDelivered()
    {
        var result = await Callback("delivered");

        result.Outcome.Should().Be(CallbackOutcome.Applied);
        Row.Status.Should().Be(DeliveryStatus.Delivered);
    }

    [Fact]
    public async Task Callback_ForARowThatRecordedItsSid_WritesNoIndexEntry()
    {
        await Callback("delivered");

        _world.ProviderIds.Verify(p => p.RecordAsync(It.IsAny<string>(), It.IsAny<DeliveryKey>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Theory]
    [InlineData("sent")]
    [InlineData("queued")]
    [InlineData("undelivered")]
    [InlineData("delivered")]
    public async Task Callback_AfterDelivered_NeverMovesBackwardsNorWrites(string late)
    {
        await Callback("delivered");
        var updates = _world.Deliveries.Updates;

        var result = await Callback(late, late == "undelivered" ? "30003" : null);

        result.Outcome.Should().Be(CallbackOutcome.Unchanged);
        Row.Status.Should().Be(DeliveryStatus.Delivered);
        Row.FailureReason.Should().BeNull();
        _world.Deliveries.Updates.Should().Be(updates);
    }

    [Fact]
    public async Task Callback_DeliveredBeforeOurSentWrite_IsApplied()
    {
        _world.Deliveries.Put(Row with { Status = DeliveryStatus.Sending, ProviderId = null, ClaimedAt = _world.Time.Now() });

        await Callback("delivered");

        Row.Status.Should().Be(DeliveryStatus.Delivered);
        Row.ProviderId.Should().Be("SM1");
        Row.Address.Should().BeNull("the row left Sending");
        _world.ProviderIdOwners.Should().Contain("SM1", _key.Value, "the callback names the row that created the message: no other row's reconciliation may take it");
    }

    [Theory]
    [InlineData("sent")]
    [InlineData("delivered")]
    [InlineData("undelivered")]
    public async Task Callback_SentRowStillHoldingItsNumber_DropsIt(string status)
    {
        Row.Address.Should().Be(Phone, "rows sent before addresses were dropped still hold one");

        await Callback(status);

        Row.Address.Should().BeNull();
        Row.ProviderId.Should().Be("SM1");
    }

    [Theory]
    [InlineData("30003", FailureReason.Unreachable, true)]
    [InlineData("30008", FailureReason.CarrierError, true)]
    [InlineData("30004", FailureReason.Blocked, false)]
    [InlineData("30005", FailureReason.UnknownDestination, false)]
    [InlineData("30006", FailureReason.Landline, false)]
    [InlineData("30007", FailureReason.Filtered, false)]
    [InlineData(null, FailureReason.ProviderReported, false)]
    public async Task Callback_Undelivered_RecordsCodeAndReason(string? code, FailureReason reason, bool mayRetryLater)
    {
        var result = await Callback("undelivered", code);

        result.Outcome.Should().Be(CallbackOutcome.Applied);
        Row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Undelivered && r.FailureReason == reason && r.ErrorCode == code);
        TwilioErrorCodes.MayRetryLater(reason).Should().Be(mayRetryLater);
    }

    [Fact]
    public async Task Callback_Failed21610_RecordsTheOptOut()
    {
        await Callback("failed", "21610");

        Row.FailureReason.Should().Be(FailureReason.OptedOut);
        _world.OptedOut.Should().Contain((_key.Recipient, Channel.Sms));
    }

    [Theory]
    [InlineData("not-a-key")]
    [InlineData("")]
    public async Task Callback_UnknownReference_IsIgnored(string reference)
    {
        var result = await Callback("delivered", reference: reference);

        result.Outcome.Should().Be(CallbackOutcome.UnknownReference);
        _world.Deliveries.Updates.Should().Be(0);
    }

    [Fact]
    public async Task Callback_WellFormedReferenceWithoutRow_IsIgnored()
    {
        var other = new DeliveryKey(_key.AlertId, Channel.Sms, _world.Hasher.Hash(PhoneNumber.Parse("+447700900999")));

        var result = await Callback("delivered", reference: other.Value);

        result.Outcome.Should().Be(CallbackOutcome.UnknownReference);
    }

    [Fact]
    public async Task Callback_InboundStatus_IsIgnored()
    {
        (await Callback("received")).Outcome.Should().Be(CallbackOutcome.IgnoredStatus);
    }

    [Theory]
    [InlineData("SM2", "delivered")]
    [InlineData("SM2", "failed")]
    [InlineData(null, "delivered")]
    public async Task Callback_MessageSidOtherThanTheRowsProviderId_ChangesNothing(string? messageSid, string status)
    {
        var result = await _world.Callbacks.HandleAsync(new StatusCallback(_key.Value, status, status == "failed" ? "21610" : null, messageSid), default);

        result.Outcome.Should().Be(CallbackOutcome.ProviderMismatch);
        result.Status.Should().Be(DeliveryStatus.Sent);
        Row.Status.Should().Be(DeliveryStatus.Sent);
        Row.ProviderId.Should().Be("SM1");
        _world.OptedOut.Should().BeEmpty("a mismatched 21610 records no opt-out");
    }

    [Fact]
    public async Task Callback_RowWithoutProviderIdYet_TakesTheCallbacksMessageSid()
    {
        _world.Deliveries.Put(Row with { Status = DeliveryStatus.Sending, ProviderId = null });

        var result = await Callback("delivered", messageSid: "SM7");

        result.Outcome.Should().Be(CallbackOutcome.Applied);
        Row.ProviderId.Should().Be("SM7");
    }
}
