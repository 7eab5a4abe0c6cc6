using AlertPipeline.Core.OptOut;

namespace AlertPipeline.UnitTests.Core.OptOut;

public class OptOutKeywordsTests
{
    [Theory]
    [InlineData("STOP")]
    [InlineData("stop")]
    [InlineData("  Stop \n")]
    [InlineData("STOPALL")]
    [InlineData("unsubscribe")]
    [InlineData("CANCEL")]
    [InlineData("end")]
    [InlineData("Quit")]
    [InlineData("СТОП")]
    [InlineData("стоп")]
    [InlineData("Отписаться")]
    [InlineData("отмена")]
    [InlineData("\u00a0STOP\u00a0")]
    public void Classify_OptOutWords(string body) =>
        OptOutKeywords.Classify(body).Should().Be(InboundKeyword.OptOut);

    [Theory]
    [InlineData("START")]
    [InlineData("yes")]
    [InlineData("Unstop")]
    [InlineData("старт")]
    public void Classify_OptInWords(string body) =>
        OptOutKeywords.Classify(body).Should().Be(InboundKeyword.OptIn);

    [Theory]
    [InlineData("HELP")]
    [InlineData("info")]
    [InlineData("Помощь")]
    [InlineData("ИНФО")]
    public void Classify_HelpWords(string body) =>
        OptOutKeywords.Classify(body).Should().Be(InboundKeyword.Help);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("please stop")]
    [InlineData("STOP.")]
    [InlineData("STOP STOP")]
    [InlineData("stopp")]
    [InlineData("да")]
    [InlineData("Solidarity from Zhanaozen!")]
    public void Classify_AnythingElse_IsNone(string? body) =>
        OptOutKeywords.Classify(body).Should().Be(InboundKeyword.None);

    [Fact]
    public void Lists_IncludeTwilioDefaults()
    {
        OptOutKeywords.OptOutWords.Should().Contain(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"]);
        OptOutKeywords.OptInWords.Should().Contain(["START", "YES", "UNSTOP"]);
        OptOutKeywords.HelpWords.Should().Contain(["HELP", "INFO"]);
    }
}
