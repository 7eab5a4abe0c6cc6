using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.OptOut;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using Moq;

namespace AlertPipeline.UnitTests.Pipeline;

public sealed class InboundSmsHandlerTests
{
    private const string From = "+447700900123";
    private readonly PipelineWorld _world = new();

    private RecipientHash Recipient => _world.Hasher.Hash(PhoneNumber.Parse(From));

    [Theory]
    [InlineData("STOP")]
    [InlineData(" stop ")]
    [InlineData("Unsubscribe")]
    public async Task Inbound_EnglishStop_OptsOutWithoutReplyBecauseTwilioConfirms(string body)
    {
        var result = await _world.Inbound.HandleAsync(From, body, default);

        result.Keyword.Should().Be(InboundKeyword.OptOut);
        result.Reply.Should().BeNull();
        _world.OptedOut.Should().Contain((Recipient, Channel.Sms));
        result.MaskedFrom.Should().NotContain("900123");
    }

    [Fact]
    public async Task Inbound_RussianStop_OptsOutAndConfirmsInRussian()
    {
        var result = await _world.Inbound.HandleAsync(From, "стоп", default);

        result.Reply.Should().Be(InboundSmsHandler.OptOutConfirmationRu);
        _world.OptedOut.Should().Contain((Recipient, Channel.Sms));
    }

    [Fact]
    public async Task Inbound_Start_OptsBackIn()
    {
        _world.OptedOut.Add((Recipient, Channel.Sms));

        var result = await _world.Inbound.HandleAsync(From, "START", default);

        result.Keyword.Should().Be(InboundKeyword.OptIn);
        _world.OptedOut.Should().BeEmpty();
        (await _world.Inbound.HandleAsync(From, "СТАРТ", default)).Reply.Should().Be(InboundSmsHandler.OptInConfirmationRu);
    }

    [Fact]
    public async Task Inbound_HelpAfterAnAlert_AnswersWithThatCampaignsHelpLine()
    {
        await _world.Recipients.Object.RecordLastCampaignAsync(Recipient, PipelineWorld.CampaignId, default, default);

        var result = await _world.Inbound.HandleAsync(From, "help", default);

        result.Keyword.Should().Be(InboundKeyword.Help);
        result.Reply.Should().Be("Zhanaozen solidarity: help@example.org");
    }

    [Fact]
    public async Task Inbound_HelpFromUnknownNumber_AnswersWithTheDefault()
    {
        var result = await _world.Inbound.HandleAsync("+12025550123", "INFO", default);

        result.Reply.Should().Be(_world.Options.DefaultHelpText);
    }

    [Fact]
    public async Task Inbound_OrdinaryReply_TouchesNothing()
    {
        var result = await _world.Inbound.HandleAsync(From, "please stop sending", default);

        result.Keyword.Should().Be(InboundKeyword.None);
        result.Reply.Should().BeNull();
        _world.OptOuts.Verify(o => o.OptOutAsync(It.IsAny<RecipientHash>(), It.IsAny<Channel>(), It.IsAny<OptOutSource>(), It.IsAny<NodaTime.Instant>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task Inbound_UnreadableSender_RecordsNothing()
    {
        var result = await _world.Inbound.HandleAsync("not-a-number", "STOP", default);

        result.Problem.Should().NotBeNull();
        _world.OptedOut.Should().BeEmpty();
    }
}
