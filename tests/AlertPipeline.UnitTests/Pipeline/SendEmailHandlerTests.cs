using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using Moq;

namespace AlertPipeline.UnitTests.Pipeline;

public sealed class SendEmailHandlerTests
{
    private const string Address = "aigul@example.org";
    private readonly PipelineWorld _world = new();
    private readonly DeliveryKey _key;

    public SendEmailHandlerTests()
    {
        _world.AddContact(PipelineWorld.Kz, PipelineWorld.Aqtau, "aigul", email: Address, name: "Aigul");
        var alert = _world.StoreAlert(PipelineWorld.EventJson(channels: """["email"]"""));
        _key = _world.KeyFor(alert, Channel.Email, Address);
        _world.Deliveries.Put(DeliveryPlanner.Plan(alert, _world.Contacts, _world.Hasher, _world.Time.Now()).Single());
        _world.Options.EmailUnsubscribeBaseUrl = new Uri("https://alerts.example.org/unsubscribe");
        _world.Options.EmailUnsubscribeMailto = "unsubscribe@example.org";
    }

    private DeliveryRecord Row => _world.Deliveries[_key];

    [Fact]
    public async Task Send_Pending_SendsOnceWithUnsubscribeHeadersAndRecordsSent()
    {
        EmailSendRequest? sent = null;
        _world.Email.Setup(g => g.SendAsync(It.IsAny<EmailSendRequest>(), It.IsAny<CancellationToken>()))
            .Callback((EmailSendRequest r, CancellationToken _) => sent = r)
            .ReturnsAsync(new EmailSendResult("<ap.1@example.org>"));

        var result = await _world.SendEmail.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Sent);
        sent!.To.Should().Be(Address);
        sent.ToName.Should().Be("Aigul");
        sent.Subject.Should().Be("Zhanaozen, 14 years on");
        sent.TextBody.Should().Be("Dear Aigul, Mangystau Oil Workers (Aqtau) remembers on 16 December 2025.");
        sent.HtmlBody.Should().Be("<p>Dear Aigul</p>");
        sent.DeliveryReference.Should().Be(_key.Value);
        sent.UnsubscribeUrl!.AbsoluteUri.Should().Be($"https://alerts.example.org/unsubscribe?ref={_key.Value}");
        sent.ListUnsubscribeHeader.Should().Contain("mailto:unsubscribe@example.org");
        Row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sent && r.ProviderId == "<ap.1@example.org>" && r.Attempt == 1);
        Row.Address.Should().BeNull("a sent row keeps no email address");
    }

    [Fact]
    public async Task Send_MailboxRefused_FailsInvalidAddress()
    {
        _world.Email.Setup(g => g.SendAsync(It.IsAny<EmailSendRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new EmailSendException(ChannelFailureKind.InvalidRecipient, "550", "no such user"));

        var result = await _world.SendEmail.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Failed);
        Row.Should().Match<DeliveryRecord>(r => r.FailureReason == FailureReason.InvalidAddress && r.ErrorCode == "550");
    }

    [Fact]
    public async Task Send_StaleClaim_ResendsBecauseSmtpCannotBeAsked()
    {
        _world.Deliveries.Put(Row with { Status = DeliveryStatus.Sending, ClaimedAt = _world.Time.Now(), Attempt = 1 });
        _world.Time.Advance(TimeSpan.FromMinutes(3));
        _world.Email.Setup(g => g.SendAsync(It.IsAny<EmailSendRequest>(), It.IsAny<CancellationToken>())).ReturnsAsync(new EmailSendResult("<ap.1@example.org>"));

        var result = await _world.SendEmail.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Sent);
        Row.Attempt.Should().Be(2);
    }

    [Fact]
    public async Task Send_SmsKey_IsRefused()
    {
        var smsKey = new DeliveryKey(_key.AlertId, Channel.Sms, _key.Recipient);

        var act = () => _world.SendEmail.HandleAsync(smsKey, default);

        await act.Should().ThrowAsync<ArgumentException>();
    }
}
