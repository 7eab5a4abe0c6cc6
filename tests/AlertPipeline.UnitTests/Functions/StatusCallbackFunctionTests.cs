using System.Text;
using System.Text.Json;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Functions.Functions;
using AlertPipeline.Infrastructure.Pipeline;
using AlertPipeline.Testing;
using AlertPipeline.UnitTests.Pipeline;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;

namespace AlertPipeline.UnitTests.Functions;

/// <summary>
/// The status webhook (<see cref="TwilioStatusFunction"/>: signature and fields, then one <c>sms-status</c> message) and its
/// consumer (<see cref="StatusCallbackConsumer"/>: the handler, retries, the poison queue), over the in-memory
/// <see cref="PipelineWorld"/> and strict mocks of the Storage queue clients.
/// </summary>
public sealed class StatusCallbackFunctionTests
{
    private const string Phone = "+447700900123";
    private const string AuthToken = "token";
    private readonly PipelineWorld _world = new();
    private readonly StatusQueues _queues = new();
    private readonly DeliveryKey _key;

    public StatusCallbackFunctionTests()
    {
        _key = _world.StoreSentSms(Phone);
    }

    private DeliveryRecord Row => _world.Deliveries[_key];

    [Fact]
    public async Task TwilioStatus_Unsigned_Is403AndQueuesNothing()
    {
        var context = NewContext("MessageSid=SM1&MessageStatus=delivered", "?ref=" + _key.Value, signature: null);

        await (await Function().RunAsync(context.Request, default)).ExecuteAsync(context);

        context.Response.StatusCode.Should().Be(StatusCodes.Status403Forbidden);
        _queues.Sent.Should().BeEmpty("the strict queue mock would also have failed a put");
    }

    [Fact]
    public async Task TwilioStatus_Signed_Answers200OnceQueuedBeforeTheRowChanges_ThenTheConsumerAppliesIt()
    {
        var context = SignedContext(new() { ["AccountSid"] = FakeTwilioServer.DefaultAccountSid, ["MessageSid"] = "SM1", ["MessageStatus"] = "delivered", ["To"] = Phone, ["From"] = "+15005550006" });

        await (await Function().RunAsync(context.Request, default)).ExecuteAsync(context);

        context.Response.StatusCode.Should().Be(StatusCodes.Status200OK);
        Row.Status.Should().Be(DeliveryStatus.Sent, "the webhook only queues the callback");
        var text = _queues.Sent.Should().ContainSingle().Subject;
        text.Should().NotContain("7700900123").And.NotContain("15005550006").And.NotContain(FakeTwilioServer.DefaultAccountSid, "only what the handler needs is queued");
        JsonSerializer.Deserialize<StatusCallbackMessage>(text, JsonSerializerOptions.Web).Should().BeEquivalentTo(
            new StatusCallbackMessage(_key.Value, "delivered", null, "SM1", _world.Time.GetUtcNow()));

        await Consumer().RunAsync(text, dequeueCount: 1, default);

        Row.Status.Should().Be(DeliveryStatus.Delivered);
    }

    [Theory]
    [InlineData("no-such-delivery", "delivered")]
    [InlineData(null, "teleported")]
    [InlineData(null, "received")]
    public async Task TwilioStatus_NotADeliveryKeyOrAStatusWeDoNotTrack_Answers200AndQueuesNothing(string? reference, string status)
    {
        var context = SignedContext(new() { ["MessageSid"] = "SM1", ["MessageStatus"] = status }, reference);

        await (await Function().RunAsync(context.Request, default)).ExecuteAsync(context);

        context.Response.StatusCode.Should().Be(StatusCodes.Status200OK, "Twilio must not retry it");
        _queues.Sent.Should().BeEmpty();
    }

    [Theory]
    [InlineData("storage")]
    [InlineData("credential")]
    public async Task TwilioStatus_QueuePutFails_Is503WithRetryAfterSoTwilioSendsItAgain(string failure)
    {
        _queues.PutFailure = failure == "storage" ? new Azure.RequestFailedException(500, "server busy") : new InvalidOperationException("no token");
        var context = SignedContext(new() { ["MessageSid"] = "SM1", ["MessageStatus"] = "delivered" });

        await (await Function().RunAsync(context.Request, default)).ExecuteAsync(context);

        context.Response.StatusCode.Should().Be(StatusCodes.Status503ServiceUnavailable);
        context.Response.Headers.RetryAfter.ToString().Should().Be(TwilioStatusFunction.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Row.Status.Should().Be(DeliveryStatus.Sent);
    }

    [Fact]
    public async Task TwilioStatus_TwilioHangsUpDuringThePut_ThePutIsNotCancelled()
    {
        using var twilioGaveUp = new CancellationTokenSource();
        _queues.BeforePut = twilioGaveUp.Cancel;
        var context = SignedContext(new() { ["MessageSid"] = "SM1", ["MessageStatus"] = "delivered" });

        await (await Function().RunAsync(context.Request, twilioGaveUp.Token)).ExecuteAsync(context);

        _queues.PutTokens.Should().ContainSingle().Which.IsCancellationRequested.Should().BeFalse("the put is not tied to Twilio's connection");
        context.Response.StatusCode.Should().Be(StatusCodes.Status200OK);
    }

    [Fact]
    public async Task ApplySmsStatus_SameCallbackTwiceThenAnOlderOne_IsAppliedOnce()
    {
        var delivered = Message("delivered");

        await Consumer().RunAsync(delivered, 1, default);
        var updates = _world.Deliveries.Updates;
        await Consumer().RunAsync(delivered, 1, default);
        await Consumer().RunAsync(Message("sent"), 1, default);

        Row.Status.Should().Be(DeliveryStatus.Delivered);
        _world.Deliveries.Updates.Should().Be(updates, "a duplicate or an older status writes nothing");
        _queues.Poisoned.Should().BeEmpty();
    }

    [Fact]
    public async Task ApplySmsStatus_FailedAfterDelivered_ChangesNothing()
    {
        await Consumer().RunAsync(Message("delivered"), 1, default);

        await Consumer().RunAsync(Message("failed", "30006"), 1, default);

        Row.Status.Should().Be(DeliveryStatus.Delivered);
        Row.FailureReason.Should().BeNull();
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"reference":"+447700900123","messageStatus":"delivered"}""")]
    [InlineData("""{"reference":"REF","messageStatus":"teleported"}""")]
    [InlineData("""{"reference":"REF","messageStatus":"delivered","errorCode":"x"}""")]
    public async Task ApplySmsStatus_MalformedMessage_IsPoisonedAtOnceWithTheReason(string body)
    {
        body = body.Replace("REF", _key.Value, StringComparison.Ordinal);

        await Consumer().RunAsync(body, 1, default);

        var entry = _queues.Poisoned.Should().ContainSingle().Subject;
        entry.DeadLetterReason.Should().Be(DeadLetterReasons.MalformedMessage);
        entry.DeadLetterDescription.Should().Contain("status message").And.NotContain("7700900123");
        entry.Body.Should().Be(body);
        Row.Status.Should().Be(DeliveryStatus.Sent);
    }

    [Fact]
    public async Task ApplySmsStatus_StorageKeepsFailing_RetriedThenPoisonedWithTheReasonAtTheLastDequeue()
    {
        var message = Message("delivered");
        var last = _world.Options.Dispatch.StorageMaxDequeueCount;

        for (var dequeue = 1; dequeue < last; dequeue++)
        {
            _world.Deliveries.BeforeUpdate = _ => throw new Azure.RequestFailedException(503, "unavailable", "ServerBusy", null);
            await FluentActions.Awaiting(() => Consumer().RunAsync(message, dequeue, default)).Should().ThrowAsync<PipelineRetryException>();
            _queues.Poisoned.Should().BeEmpty($"dequeue {dequeue} is retried");
        }

        _world.Deliveries.BeforeUpdate = _ => throw new Azure.RequestFailedException(503, "unavailable", "ServerBusy", null);
        await Consumer().RunAsync(message, last, default);

        var entry = _queues.Poisoned.Should().ContainSingle().Subject;
        entry.DeadLetterReason.Should().Be(DeadLetterReasons.TooManyDeliveries);
        entry.DeadLetterDescription.Should().Contain(_key.Value).And.Contain("503").And.Contain("ServerBusy");
        entry.Reference.Should().Be(_key.Value);
        entry.Body.Should().Be(message);
        Row.Status.Should().Be(DeliveryStatus.Sent);
    }

    private string Message(string status, string? errorCode = null) =>
        JsonSerializer.Serialize(new StatusCallbackMessage(_key.Value, status, errorCode, "SM1", _world.Time.GetUtcNow()), JsonSerializerOptions.Web);

    private TwilioStatusFunction Function()
    {
        var validator = new TwilioWebhookValidator(Options.Create(new TwilioWebhookOptions { AuthToken = AuthToken, WebhookBaseUrl = new Uri("https://alerts.example.org") }));
        var lifetime = new Mock<IHostApplicationLifetime>(MockBehavior.Strict);
        lifetime.SetupGet(l => l.ApplicationStopping).Returns(CancellationToken.None);
        return new TwilioStatusFunction(validator, _queues.Queue(_world.Time), _world.Time, NullLoggerFactory.Instance, lifetime.Object);
    }

    private StatusCallbackConsumer Consumer() =>
        new(_world.Callbacks, _queues.Queue(_world.Time), _world.Options, NullLogger<StatusCallbackConsumer>.Instance);

    private DefaultHttpContext SignedContext(Dictionary<string, string> form, string? reference = null)
    {
        var query = "?ref=" + Uri.EscapeDataString(reference ?? _key.Value);
        var body = string.Join('&', form.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}"));
        return NewContext(body, query, FakeTwilioServer.Sign(AuthToken, "https://alerts.example.org/api/twilio/status" + query, form));
    }

    private static DefaultHttpContext NewContext(string body, string query, string? signature)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Request.Method = "POST";
        context.Request.Path = "/api/twilio/status";
        context.Request.QueryString = new QueryString(query);
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        context.Request.ContentType = "application/x-www-form-urlencoded";
        context.Request.ContentLength = Encoding.UTF8.GetByteCount(body);
        if (signature is not null)
        {
            context.Request.Headers["X-Twilio-Signature"] = signature;
        }

        context.Response.Body = new MemoryStream();
        return context;
    }

    /// <summary><c>sms-status</c> and its poison queue as strict mocks: puts and poison entries are kept.</summary>
    private sealed class StatusQueues
    {
        private readonly Mock<QueueServiceClient> _service = new(MockBehavior.Strict);

        public StatusQueues()
        {
            var queue = new Mock<QueueClient>(MockBehavior.Strict);
            queue.SetupGet(q => q.Name).Returns(QueueNames.SmsStatus);
            queue.Setup(q => q.CreateIfNotExistsAsync(It.IsAny<IDictionary<string, string>>(), It.IsAny<CancellationToken>())).ReturnsAsync((Azure.Response)null!);
            queue.Setup(q => q.SendMessageAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
                .Returns((string text, CancellationToken token) =>
                {
                    BeforePut?.Invoke();
                    PutTokens.Add(token);
                    if (PutFailure is { } failure)
                    {
                        throw failure;
                    }

                    Sent.Add(text);
                    return Task.FromResult((Azure.Response<SendReceipt>)null!);
                });
            _service.Setup(s => s.GetQueueClient(QueueNames.SmsStatus)).Returns(queue.Object);
            var poison = new Mock<QueueClient>(MockBehavior.Strict);
            poison.Setup(q => q.CreateIfNotExistsAsync(It.IsAny<IDictionary<string, string>>(), It.IsAny<CancellationToken>())).ReturnsAsync((Azure.Response)null!);
            poison.Setup(q => q.SendMessageAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
                .Callback((string text, CancellationToken _) => Poisoned.Add(JsonSerializer.Deserialize<StatusPoisonEntry>(text, JsonSerializerOptions.Web)!))
                .ReturnsAsync((Azure.Response<SendReceipt>)null!);
            _service.Setup(s => s.GetQueueClient(QueueNames.PoisonOf(QueueNames.SmsStatus))).Returns(poison.Object);
        }

        public List<string> Sent { get; } = [];

        public List<CancellationToken> PutTokens { get; } = [];

        public List<StatusPoisonEntry> Poisoned { get; } = [];

        public Exception? PutFailure { get; set; }

        public Action? BeforePut { get; set; }

        public StatusCallbackQueue Queue(TimeProvider time) => new(_service.Object, time);
    }
}
