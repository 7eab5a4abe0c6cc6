using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Channels;
using AlertPipeline.Infrastructure.Twilio;
using AlertPipeline.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AlertPipeline.IntegrationTests.Channels;

public sealed class TwilioSmsGatewayTests : IAsyncLifetime
{
    private const string To = "+447700900123";
    private FakeTwilioServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeTwilioServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ServiceProvider Provider(OutboxSenderTests.RecordingLogger<TwilioSmsGateway>? log = null, double segmentsPerSecond = 0)
    {
        var values = new Dictionary<string, string?>(_server.ConfigurationValues())
        {
            ["Twilio:StatusCallbackBaseUrl"] = "https://alerts.example.org/api",
            ["Twilio:SegmentsPerSecond"] = segmentsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddSmsGateway(configuration, o =>
        {
            o.Retry.Delay = TimeSpan.FromMilliseconds(5);
            o.Retry.MaxDelay = TimeSpan.FromMilliseconds(20);
        });
        if (log is not null)
        {
            services.AddSingleton<ILogger<TwilioSmsGateway>>(log);
        }

        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task AddSmsGateway_WithAccountSid_SendsThroughTwilioWithCallbackCarryingTheReference()
    {
        var log = new OutboxSenderTests.RecordingLogger<TwilioSmsGateway>();
        await using var provider = Provider(log);
        var gateway = provider.GetRequiredService<ISmsGateway>();

        var result = await gateway.SendAsync(new SmsSendRequest(To, "Picket 06:00", "alert-7/sms/k1", TimeSpan.FromDays(2)));

        gateway.Should().BeOfType<TwilioSmsGateway>();
        result.ProviderId.Should().Be(_server.SentMessages.Single().Sid);
        result.Status.Should().Be("queued");
        var sent = _server.SentMessages.Single();
        sent.StatusCallback.Should().Be("https://alerts.example.org/api/twilio/status?ref=alert-7%2Fsms%2Fk1");
        sent.ValidityPeriod.Should().Be(36000, "two days is clamped to Twilio's maximum");
        sent.From.Should().Be(FakeTwilioServer.DefaultFrom);
        log.Messages.Should().ContainSingle().Which.Should().Contain(result.ProviderId).And.NotContain(To);
    }

    [Theory]
    [InlineData(TwilioFault.OptedOut, ChannelFailureKind.OptedOut, "21610")]
    [InlineData(TwilioFault.InvalidTo, ChannelFailureKind.InvalidRecipient, "21211")]
    [InlineData(TwilioFault.NotMobile, ChannelFailureKind.InvalidRecipient, "21614")]
    [InlineData(TwilioFault.ServerError, ChannelFailureKind.OutcomeUnknown, "20500")]
    public async Task SendAsync_TwilioErrors_MapToChannelFailureKinds(TwilioFault fault, ChannelFailureKind kind, string code)
    {
        var log = new OutboxSenderTests.RecordingLogger<TwilioSmsGateway>();
        await using var provider = Provider(log);
        _server.FailFor(To, fault);

        var ex = (await FluentActions.Awaiting(() => provider.GetRequiredService<ISmsGateway>().SendAsync(new SmsSendRequest(To, "x", "d1")))
            .Should().ThrowAsync<SmsSendException>()).Which;

        ex.Kind.Should().Be(kind);
        ex.ProviderCode.Should().Be(code);
        ex.Message.Should().NotContain(To);
        log.Messages.Should().ContainSingle().Which.Should().NotContain(To);
    }

    [Fact]
    public async Task FindSentAsync_AfterAcceptThenHang_FindsTheMessageToReconcile()
    {
        await using var provider = Provider();
        var gateway = provider.GetRequiredService<ISmsGateway>();
        _server.AddMessage(To, "yesterday's alert", DateTimeOffset.UtcNow.AddHours(-30));
        _server.FailNext(1, TwilioFault.AcceptThenServerError);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        var ex = await FluentActions.Awaiting(() => gateway.SendAsync(new SmsSendRequest(To, "today's alert", "d1"))).Should().ThrowAsync<SmsSendException>();
        ex.Which.IsOutcomeUnknown.Should().BeTrue();

        var found = await gateway.FindSentAsync(To, before).ToListAsync();
        found.Should().ContainSingle().Which.Body.Should().Be("today's alert");
    }

    [Fact]
    public async Task SendAsync_WithPacing_SpacesSendsBySegments()
    {
        await using var provider = Provider(segmentsPerSecond: 20);
        var gateway = provider.GetRequiredService<ISmsGateway>();
        var watch = System.Diagnostics.Stopwatch.StartNew();

        for (var i = 0; i < 30; i++)
        {
            await gateway.SendAsync(new SmsSendRequest(To, $"m{i}", $"d{i}"));
        }

        // 20 go in the first second's burst, the other 10 need 0.5 s more at 20/s.
        watch.Elapsed.Should().BeGreaterThan(TimeSpan.FromMilliseconds(450));
        _server.SentMessages.Should().HaveCount(30);
    }

    [Fact]
    public async Task SendStatusCallbackAsync_SignsSoOurValidatorAcceptsItOverHttp()
    {
        var validator = new TwilioRequestValidator(_server.AuthToken);
        var verdicts = new List<(bool Valid, string Status, string? Ref)>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        app.MapPost("/api/twilio/status", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            var url = $"{request.Scheme}://{request.Host}{request.Path}{request.QueryString}";
            lock (verdicts)
            {
                verdicts.Add((validator.IsValid(url, form, request.Headers[TwilioRequestValidator.SignatureHeader]), form["MessageStatus"].ToString(), request.Query["ref"]));
            }

            return Results.NoContent();
        });
        await app.StartAsync();
        var message = await _server.CreateClient().SendMessageAsync(new TwilioSendRequest(To, "x", from: FakeTwilioServer.DefaultFrom));
        var callback = new Uri($"{app.Urls.First()}/api/twilio/status?ref=alert-7%2Fsms%2Fk1");

        using var ok = await _server.SendStatusCallbackAsync(callback, message.Sid, "undelivered", errorCode: 30003);
        using var forged = await _server.PostSignedAsync(callback, [new("MessageSid", message.Sid), new("MessageStatus", "delivered")], signatureOverride: "AAAAAAAAAAAAAAAAAAAAAAAAAAA=");

        ok.IsSuccessStatusCode.Should().BeTrue();
        verdicts.Should().Equal((true, "undelivered", "alert-7/sms/k1"), (false, "delivered", "alert-7/sms/k1"));
    }
}
