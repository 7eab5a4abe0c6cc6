using AlertPipeline.Infrastructure.Twilio;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Twilio.Clients;

namespace AlertPipeline.UnitTests.Channels;

public class TwilioOptionsTests
{
    private static TwilioOptions Valid() => new()
    {
        AccountSid = "AC0123456789abcdef0123456789abcdef",
        AuthToken = "token",
        From = "+15005550006",
    };

    [Fact]
    public void Validate_ValidOptions_HasNoErrors() => Valid().Validate().Should().BeEmpty();

    [Fact]
    public void BaseUriHandler_DefaultTransport_HasNoConnectionLimitAndRenewsPooledConnections()
    {
        using var handler = new TwilioBaseUriHandler(TwilioOptions.DefaultBaseUri);

        var transport = handler.InnerHandler.Should().BeOfType<SocketsHttpHandler>().Subject;
        transport.MaxConnectionsPerServer.Should().Be(int.MaxValue, "sends in flight are bounded by the dispatch concurrency, not the pool");
        transport.PooledConnectionLifetime.Should().Be(TimeSpan.FromMinutes(5)).And.BePositive("infinite (-1 ms, the default) would keep a process-long connection past a DNS change");
        transport.AllowAutoRedirect.Should().BeFalse();
    }

    [Fact]
    public void Validate_EverythingWrong_NamesEveryKey()
    {
        var options = new TwilioOptions
        {
            AccountSid = "AB123",
            BaseUri = new Uri("http://api.twilio.com"),
            SegmentsPerSecond = -1,
            StatusCallbackBaseUrl = new Uri("ftp://x.example"),
            RetryDelay = TimeSpan.Zero,
            PageSize = 1001,
        };

        options.Validate().Should().BeEquivalentTo(
            "Twilio:AccountSid must be 'AC' followed by 32 hexadecimal digits.",
            "Twilio:AuthToken is required.",
            "Set exactly one of Twilio:MessagingServiceSid and Twilio:From.",
            "Twilio:BaseUri may use plain http only for a loopback address (the auth token would travel in clear).",
            "Twilio:StatusCallbackBaseUrl must be an absolute http(s) URL.",
            "Twilio:SegmentsPerSecond must be 0 (no pacing) or a positive rate.",
            "Twilio:RetryDelay must be positive.",
            "Twilio:PageSize must be between 1 and 1000.");
    }

    [Fact]
    public void StatusCallbackFor_ComposesBasePathAndEscapedReference()
    {
        var options = Valid();
        options.StatusCallbackBaseUrl = new Uri("https://alerts.example.org/api/");

        options.StatusCallbackFor("al1/sms/ab c").Should().Be(new Uri("https://alerts.example.org/api/twilio/status?ref=al1%2Fsms%2Fab%20c"));
        new TwilioOptions().StatusCallbackFor("x").Should().BeNull();
    }

    [Fact]
    public void AddTwilio_InvalidConfiguration_FailsOnFirstUseNamingTheKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Twilio:AccountSid"] = "AC0123456789abcdef0123456789abcdef",
        }).Build();
        using var provider = new ServiceCollection().AddTwilio(configuration).BuildServiceProvider();

        FluentActions.Invoking(() => provider.GetRequiredService<ITwilioRestClient>())
            .Should().Throw<OptionsValidationException>().WithMessage("*Twilio:AuthToken is required*");
    }

    [Fact]
    public void AddTwilio_ValidConfiguration_BuildsTheSdkClientForTheAccount()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Twilio:AccountSid"] = "AC0123456789abcdef0123456789abcdef",
            ["Twilio:AuthToken"] = "token",
            ["Twilio:MessagingServiceSid"] = "MG0123456789abcdef0123456789abcdef",
            ["Twilio:BaseUri"] = "http://127.0.0.1:5999",
            ["Twilio:SegmentsPerSecond"] = "2.5",
        }).Build();
        using var provider = new ServiceCollection().AddTwilio(configuration).BuildServiceProvider();

        var client = provider.GetRequiredService<ITwilioRestClient>();
        client.Should().BeOfType<TwilioRestClient>();
        client.AccountSid.Should().Be("AC0123456789abcdef0123456789abcdef");
        client.HttpClient.Should().BeOfType<Twilio.Http.SystemNetHttpClient>();
        provider.GetRequiredService<SendPacer>().SegmentsPerSecond.Should().Be(2.5);
    }
}
