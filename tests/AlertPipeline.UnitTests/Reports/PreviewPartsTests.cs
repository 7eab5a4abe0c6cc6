using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Functions.Api;

namespace AlertPipeline.UnitTests.Reports;

public sealed class PreviewPartsTests
{
    private const string Event = """
        {"schemaVersion":1,"eventId":"appeal","kind":"trial-date","occurredAt":"2026-01-01T06:00:00Z",
         "occurrence":{"localDateTime":"2031-03-10T10:00","timeZone":"Asia/Aqtau"},"reminder":"day-before","channels":["sms"],
         "templates":{"en":{"sms":"{{name}}: appeal on {{date}}"}}%CAMPAIGN%}
        """;

    private static readonly CampaignId Campaign = CampaignId.Parse("free-the-oil-workers");

    private static readonly NodaTime.Instant Now = NodaTime.Instant.FromUtc(2026, 11, 22, 8, 0);

    [Fact]
    public void AlertEventBody_NoCampaignId_TakesTheRoutes()
    {
        var (alertEvent, problem) = AlertEventBody.Parse(Bytes(Event.Replace("%CAMPAIGN%", string.Empty, StringComparison.Ordinal)), Campaign, Now);

        problem.Should().BeNull();
        alertEvent!.CampaignId.Should().Be(Campaign);
    }

    [Fact]
    public void AlertEventBody_SameCampaignId_IsAccepted() =>
        AlertEventBody.Parse(Bytes(Event.Replace("%CAMPAIGN%", ",\"campaignId\":\"free-the-oil-workers\"", StringComparison.Ordinal)), Campaign, Now).Problem.Should().BeNull();

    [Theory]
    [InlineData(",\"campaignId\":\"another\"")]
    [InlineData(",\"campaignId\":42")]
    public void AlertEventBody_OtherCampaignId_IsRefused(string campaign) =>
        AlertEventBody.Parse(Bytes(Event.Replace("%CAMPAIGN%", campaign, StringComparison.Ordinal)), Campaign, Now).Problem.Should().NotBeNull();

    [Fact]
    public void AlertEventBody_SubscribersPrefix_QualifiesTheEventIdWithItsUnionSoItNeverEqualsTheOwners()
    {
        var subscriber = AlertEventBody.EventPrefix(Campaign, UnionId.Parse("uk-energy"));
        var body = Bytes(Event.Replace("%CAMPAIGN%", string.Empty, StringComparison.Ordinal));

        var (owners, _) = AlertEventBody.Parse(body, Campaign, Now);
        var (subscribers, problem) = AlertEventBody.Parse(body, Campaign, Now, subscriber);

        subscriber.Should().Be("free-the-oil-workers--uk-energy--");
        problem.Should().BeNull();
        owners!.EventId.Value.Should().Be("free-the-oil-workers--appeal");
        subscribers!.EventId.Value.Should().Be("free-the-oil-workers--uk-energy--appeal");
        AlertPipeline.Core.Alerts.AlertId.For(subscribers).Should().NotBe(AlertPipeline.Core.Alerts.AlertId.For(owners));
    }

    [Fact]
    public void AlertEventBody_SubscribersEventIdTooLongWithThePrefix_IsRefusedNamingIt()
    {
        var union = UnionId.Parse(new string('u', 60));
        var body = Bytes(Event.Replace("\"appeal\"", $"\"{new string('e', 20)}\"", StringComparison.Ordinal).Replace("%CAMPAIGN%", string.Empty, StringComparison.Ordinal));

        var (_, problem) = AlertEventBody.Parse(body, Campaign, Now, AlertEventBody.EventPrefix(Campaign, union));

        problem.Should().NotBeNull("20 + the 86-character prefix is over the 100 characters of an event id");
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("{not json")]
    [InlineData("null")]
    public void AlertEventBody_NotAnObject_IsRefused(string body) =>
        AlertEventBody.Parse(Bytes(body), Campaign, Now).Problem.Should().NotBeNull();

    [Fact]
    public void SmsPricing_Defaults_AreValidAndEstimateRounds()
    {
        var pricing = new SmsPricingOptions { SmsPricePerSegment = 0.0525m, SmsPriceCurrency = "EUR" };

        pricing.Validate().Should().BeEmpty();
        new SmsPricingOptions().Validate().Should().BeEmpty();
        pricing.Estimate(4).Should().Be(0.21m);
        pricing.Estimate(3).Should().Be(0.1575m);
    }

    [Theory]
    [InlineData(-0.01, "USD", "SmsPricePerSegment")]
    [InlineData(101, "USD", "SmsPricePerSegment")]
    [InlineData(0.05, "usd", "SmsPriceCurrency")]
    [InlineData(0.05, "EURO", "SmsPriceCurrency")]
    public void SmsPricing_BadSettings_AreNamed(double price, string currency, string key) =>
        new SmsPricingOptions { SmsPricePerSegment = (decimal)price, SmsPriceCurrency = currency }.Validate()
            .Should().ContainSingle().Which.Should().Contain("Pipeline:" + key);

    private static byte[] Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
