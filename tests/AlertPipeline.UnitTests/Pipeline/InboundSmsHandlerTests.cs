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
        var result = await _world.Inbound.HandleAsync(NewSid(), From, body, default);

        result.Keyword.Should().Be(InboundKeyword.OptOut);
        result.Reply.Should().BeNull();
        _world.OptedOut.Should().Contain((Recipient, Channel.Sms));
        result.MaskedFrom.Should().NotContain("900123");
    }

    [Fact]
    public async Task Inbound_RussianStop_OptsOutAndConfirmsInRussian()
    {
        var result = await _world.Inbound.HandleAsync(NewSid(), From, "стоп", default);

        result.Reply.Should().Be(InboundSmsHandler.OptOutConfirmationRu);
        _world.OptedOut.Should().Contain((Recipient, Channel.Sms));
    }

    [Fact]
    public async Task Inbound_Start_OptsBackIn()
    {
        _world.OptedOut.Add((Recipient, Channel.Sms));

        var result = await _world.Inbound.HandleAsync(NewSid(), From, "START", default);

        result.Keyword.Should().Be(InboundKeyword.OptIn);
        _world.OptedOut.Should().BeEmpty();
        (await _world.Inbound.HandleAsync(NewSid(), From, "СТАРТ", default)).Reply.Should().Be(InboundSmsHandler.OptInConfirmationRu);
    }

    [Fact]
    public async Task Inbound_HelpAfterAnAlert_AnswersWithThatCampaignsHelpLine()
    {
        await _world.Recipients.Object.RecordLastCampaignAsync(Recipient, PipelineWorld.CampaignId, default, default);

        var result = await _world.Inbound.HandleAsync(NewSid(), From, "help", default);

        result.Keyword.Should().Be(InboundKeyword.Help);
        result.Reply.Should().Be("Zhanaozen solidarity: help@example.org");
    }

    [Fact]
    public async Task Inbound_HelpFromUnknownNumber_AnswersWithTheDefault()
    {
        var result = await _world.Inbound.HandleAsync(NewSid(), "+12025550123", "INFO", default);

        result.Reply.Should().Be(_world.Options.DefaultHelpText);
    }

    [Fact]
    public async Task Inbound_OrdinaryReply_TouchesNothing()
    {
        var result = await _world.Inbound.HandleAsync(NewSid(), From, "please stop sending", default);

        result.Keyword.Should().Be(InboundKeyword.None);
        result.Reply.Should().BeNull();
        _world.OptOuts.Verify(o => o.OptOutAsync(It.IsAny<RecipientHash>(), It.IsAny<Channel>(), It.IsAny<OptOutSource>(), It.IsAny<NodaTime.Instant>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task Inbound_UnreadableSender_RecordsNothing()
    {
        var result = await _world.Inbound.HandleAsync(NewSid(), "not-a-number", "STOP", default);

        result.Problem.Should().NotBeNull();
        _world.OptedOut.Should().BeEmpty();
    }

    [Fact]
    public async Task Inbound_StopReplayedAfterStart_DoesNotOptOutAgain()
    {
        var stopSid = NewSid();
        await _world.Inbound.HandleAsync(stopSid, From, "STOP", default);
        await _world.Inbound.HandleAsync(NewSid(), From, "START", default);

        var replay = await _world.Inbound.HandleAsync(stopSid, From, "STOP", default);

        _world.OptedOut.Should().BeEmpty("the replayed STOP was applied once already, before the START");
        replay.Reply.Should().BeNull();
        replay.Problem.Should().Contain(stopSid).And.Contain("replay");
        _world.HandledInbound.Should().HaveCount(2);
    }

    [Fact]
    public async Task Inbound_RussianStopReplayed_IsNotConfirmedTwice()
    {
        var sid = NewSid();
        (await _world.Inbound.HandleAsync(sid, From, "СТОП", default)).Reply.Should().Be(InboundSmsHandler.OptOutConfirmationRu);

        (await _world.Inbound.HandleAsync(sid, From, "СТОП", default)).Reply.Should().BeNull();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("SM1")]
    [InlineData("SMzz345678901234567890123456789012")]
    public async Task Inbound_StopWithoutAValidMessageSid_RecordsNothing(string? sid)
    {
        var result = await _world.Inbound.HandleAsync(sid, From, "STOP", default);

        result.Problem.Should().Contain("MessageSid");
        _world.OptedOut.Should().BeEmpty();
        _world.HandledInbound.Should().BeEmpty();
    }

    [Fact]
    public async Task Inbound_HelpReplayed_AnswersAgainAndRecordsNothing()
    {
        var sid = NewSid();

        (await _world.Inbound.HandleAsync(sid, From, "HELP", default)).Reply.Should().NotBeNull();
        (await _world.Inbound.HandleAsync(sid, From, "HELP", default)).Reply.Should().NotBeNull();
        _world.HandledInbound.Should().BeEmpty();
    }

    [Theory]
    [InlineData("SM0123456789abcdef0123456789abcdef", true)]
    [InlineData("MM0123456789ABCDEF0123456789ABCDEF", true)]
    [InlineData("sm0123456789abcdef0123456789abcdef", false)]
    [InlineData("SM0123456789abcdef0123456789abcde", false)]
    [InlineData("SM0123456789abcdef0123456789abcdeg", false)]
    public void IsMessageSid_TwoCapitalsAnd32HexDigits(string value, bool expected) =>
        InboundSmsHandler.IsMessageSid(value).Should().Be(expected);

    private static string NewSid() => "SM" + Guid.NewGuid().ToString("N");
}
