using System.Text.Json;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Channels;
using AlertPipeline.Infrastructure.Channels.Outbox;
using AlertPipeline.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AlertPipeline.IntegrationTests.Channels;

public sealed class OutboxSenderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("outbox-test-").FullName;
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly RecordingLogger<OutboxSmsSender> _smsLog = new();
    private readonly RecordingLogger<OutboxEmailSender> _emailLog = new();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private IOptions<OutboxOptions> Options() => Microsoft.Extensions.Options.Options.Create(new OutboxOptions { Directory = _directory });

    [Fact]
    public async Task OutboxSms_SendAsync_WritesOneJsonLineAndLogsOnlyTheMaskedNumber()
    {
        var sender = new OutboxSmsSender(Options(), _time, _smsLog);

        var result = await sender.SendAsync(new SmsSendRequest("+447700900123", "Забастовка завтра", "alert-1/sms/x", TimeSpan.FromHours(2)));

        result.ProviderId.Should().MatchRegex("^OUTBOX-[0-9a-f]{32}$");
        result.Status.Should().Be("outbox");
        var lines = await File.ReadAllLinesAsync(Path.Combine(_directory, "sms.jsonl"));
        var json = JsonDocument.Parse(lines.Should().ContainSingle().Subject).RootElement;
        json.GetProperty("id").GetString().Should().Be(result.ProviderId);
        json.GetProperty("deliveryReference").GetString().Should().Be("alert-1/sms/x");
        json.GetProperty("to").GetString().Should().Be("+447700900123");
        json.GetProperty("maskedTo").GetString().Should().Be("+44********23");
        json.GetProperty("body").GetString().Should().Be("Забастовка завтра");
        json.GetProperty("segments").GetInt32().Should().Be(1);
        json.GetProperty("validityPeriodSeconds").GetInt32().Should().Be(7200);
        json.GetProperty("at").GetDateTimeOffset().Should().Be(_time.GetUtcNow());
        _smsLog.Messages.Should().ContainSingle().Which.Should().Contain("+44********23").And.NotContain("+447700900123");
    }

    [Fact]
    public async Task OutboxSms_ManyConcurrentSends_WritesEveryLineWhole()
    {
        var sender = new OutboxSmsSender(Options(), _time, NullLogger<OutboxSmsSender>.Instance);

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            Task.Run(() => sender.SendAsync(new SmsSendRequest($"+4477009{i:D5}", new string('x', 300), $"d{i}")))));

        var records = await sender.ReadAllAsync().ToListAsync();
        records.Should().HaveCount(200);
        records.Select(r => r.Id).Should().BeEquivalentTo(results.Select(r => r.ProviderId));
        records.Select(r => r.DeliveryReference).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task OutboxSms_FindSentAsync_ReturnsOnlyThatRecipientSinceTheTime()
    {
        var sender = new OutboxSmsSender(Options(), _time, NullLogger<OutboxSmsSender>.Instance);
        await sender.SendAsync(new SmsSendRequest("+447700900123", "old", "d1"));
        _time.Advance(TimeSpan.FromMinutes(5));
        var since = _time.GetUtcNow();
        var recent = await sender.SendAsync(new SmsSendRequest("+447700900123", "recent", "d2"));
        await sender.SendAsync(new SmsSendRequest("+447700900999", "someone else", "d3"));

        var found = await sender.FindSentAsync("+447700900123", since).ToListAsync();

        found.Should().ContainSingle().Which.Should().Be(new SmsSentRecord(recent.ProviderId, "outbox", "recent", since));
    }

    [Fact]
    public async Task OutboxEmail_SendAsync_WritesTheWholeMessageAndLogsOnlyTheMaskedAddress()
    {
        var sender = new OutboxEmailSender(Options(), _time, _emailLog);

        var result = await sender.SendAsync(new EmailSendRequest(
            "jane.doe@example.org", "Суд завтра", "text", "alert-1/email/y", htmlBody: "<p>html</p>",
            unsubscribeUrl: new Uri("https://alerts.example.org/u/t"), toName: "Jane"));

        result.ProviderId.Should().StartWith("OUTBOX-");
        var record = (await sender.ReadAllAsync().ToListAsync()).Should().ContainSingle().Subject;
        record.Should().BeEquivalentTo(new
        {
            Id = result.ProviderId,
            DeliveryReference = "alert-1/email/y",
            To = "jane.doe@example.org",
            MaskedTo = "j***@e***.org",
            ToName = "Jane",
            Subject = "Суд завтра",
            TextBody = "text",
            HtmlBody = "<p>html</p>",
            ListUnsubscribe = "<https://alerts.example.org/u/t>",
            OneClickUnsubscribe = true,
        });
        record.ToString().Should().NotContain("jane.doe");
        _emailLog.Messages.Should().ContainSingle().Which.Should().NotContain("jane.doe@example.org");
    }

    [Fact]
    public async Task AddGateways_NoCredentials_UseTheOutboxInTheConfiguredFolder()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Outbox:Directory"] = _directory }).Build();
        await using var provider = new ServiceCollection().AddSmsGateway(configuration).AddEmailGateway(configuration).BuildServiceProvider();

        var sms = provider.GetRequiredService<ISmsGateway>();
        var email = provider.GetRequiredService<IEmailGateway>();
        await sms.SendAsync(new SmsSendRequest("+447700900123", "hi", "d1"));
        await email.SendAsync(new EmailSendRequest("a@example.org", "s", "t", "d2"));

        sms.Should().BeOfType<OutboxSmsSender>();
        email.Should().BeOfType<OutboxEmailSender>();
        File.Exists(Path.Combine(_directory, "sms.jsonl")).Should().BeTrue();
        File.Exists(Path.Combine(_directory, "email.jsonl")).Should().BeTrue();
    }

    internal sealed class RecordingLogger<T> : ILogger<T>
    {
        private readonly List<string> _messages = [];

        public IReadOnlyList<string> Messages
        {
            get
            {
                lock (_messages)
                {
                    return [.. _messages];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = formatter(state, exception);
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                text += " | " + string.Join(", ", values.Select(v => $"{v.Key}={v.Value}"));
            }

            lock (_messages)
            {
                _messages.Add(text);
            }
        }
    }
}
