using System.Text.Json;
using System.Text.Json.Nodes;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Functions.Functions;
using AlertPipeline.Infrastructure.Pipeline;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Moq;
using AlertPipeline.UnitTests.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace AlertPipeline.UnitTests.Functions;

/// <summary>
/// The queue functions called as the worker calls them (message text in, the return value's queue outputs out), over the
/// real Core handlers whose ports are strict mocks (<see cref="PipelineWorld"/>): an unexpected storage or gateway call fails.
/// </summary>
public sealed class PipelineFunctionTests
{
    private readonly PipelineWorld _world = new();

    [Fact]
    public async Task FanOut_ValidEvent_OutputsOneChunkMessagePerSubscribedBranchAndNoPoison()
    {
        var function = new FanOutFunction(_world.FanOut, NullLogger<FanOutFunction>.Instance);

        var output = await function.RunAsync(PipelineWorld.EventJson(), "msg-1", default);

        output.Poison.Should().BeNull();
        var chunks = output.Chunks!.Select(text => JsonSerializer.Deserialize<FanOutChunkMessage>(text, JsonSerializerOptions.Web)!).ToList();
        chunks.Select(c => $"{c.UnionId}/{c.BranchId}").Should().BeEquivalentTo(["kz-oil/zhanaozen", "kz-oil/aqtau", "uk-energy/london"]);
        output.Chunks!.Should().OnlyContain(text => text.Contains("\"alertId\":", StringComparison.Ordinal), "camelCase, as the chunk function reads it");
    }

    [Fact]
    public async Task FanOut_InvalidEvent_OutputsTheOriginalBodyForThePoisonQueueAndNoChunks()
    {
        var body = PipelineWorld.EventJson(channels: """["sms","fax"]""");
        var function = new FanOutFunction(_world.FanOut, NullLogger<FanOutFunction>.Instance);

        var output = await function.RunAsync(body, "msg-9", default);

        output.Chunks.Should().BeNull();
        JsonNode.DeepEquals(JsonNode.Parse(output.Poison!), JsonNode.Parse(body)).Should().BeTrue();
        _world.Rejected.Should().ContainSingle().Which.MessageId.Should().Be("msg-9", "the trigger's message id is recorded with the rejection");
    }

    [Fact]
    public async Task FanOut_BodyNotAnObject_PoisonWrapsIt()
    {
        var function = new FanOutFunction(_world.FanOut, NullLogger<FanOutFunction>.Instance);

        var output = await function.RunAsync("[1,2]", null, default);

        output.Poison.Should().Be("""{"unparsedBody":"[1,2]"}""");
    }

    [Fact]
    public async Task FanOutChunk_Page_DispatchesBatchesPerChannelAndOutputsTheNextPage()
    {
        _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "a", "+447700900101", "a@example.org");
        _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "b", "+447700900102");
        _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "c", "+447700900103");
        var alert = _world.StoreAlert();
        var function = new FanOutChunkFunction(_world.Chunks, NullLogger<FanOutChunkFunction>.Instance);
        var first = JsonSerializer.Serialize(new FanOutChunkMessage(alert.AlertId.Value, "uk-energy", "london", 0, null), JsonSerializerOptions.Web);

        var output = await function.RunAsync(first, default);

        var batches = _world.TakeDispatched();
        PipelineWorld.KeysOf(batches, Channel.Sms).Should().HaveCount(2, "a page holds two contacts (PipelineWorld's page size)");
        PipelineWorld.KeysOf(batches, Channel.Email).Should().ContainSingle();
        var next = JsonSerializer.Deserialize<FanOutChunkMessage>(output.Next!, JsonSerializerOptions.Web)!;
        next.Page.Should().Be(1);
        next.ContinuationToken.Should().NotBeNull();
        var last = await function.RunAsync(output.Next!, default);
        PipelineWorld.KeysOf(_world.TakeDispatched(), Channel.Sms).Should().ContainSingle();
        last.Next.Should().BeNull();
    }

    [Fact]
    public async Task FanOutChunk_MessageWrittenBeforeContactsBefore_StillRunsAndItsSuccessorCarriesTheCount()
    {
        for (var i = 0; i < 3; i++)
        {
            _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, $"m{i}", $"+44770090011{i}");
        }

        var alert = _world.StoreAlert(PipelineWorld.EventJson(channels: """["sms"]"""));
        var function = new FanOutChunkFunction(_world.Chunks, NullLogger<FanOutChunkFunction>.Instance);
        var stored = $$"""{"alertId":"{{alert.AlertId.Value}}","unionId":"uk-energy","branchId":"london","page":0,"continuationToken":null}""";

        var output = await function.RunAsync(stored, default);

        output.Next.Should().Contain("\"contactsBefore\":2");
        (await function.RunAsync(output.Next!, default)).Next.Should().BeNull();
        _world.StoredCounts[(PipelineWorld.Uk, PipelineWorld.London)].Contacts.Should().Be(3);
    }

    [Fact]
    public async Task FanOutChunk_NegativeContactsBefore_IsRefusedNamingTheField()
    {
        var alert = _world.StoreAlert();
        var function = new FanOutChunkFunction(_world.Chunks, NullLogger<FanOutChunkFunction>.Instance);
        var message = $$"""{"alertId":"{{alert.AlertId.Value}}","unionId":"uk-energy","branchId":"london","page":1,"continuationToken":"2","contactsBefore":-1}""";

        var act = () => function.RunAsync(message, default);

        (await act.Should().ThrowAsync<PipelineMessageException>()).Which.Message.Should().Contain("contactsBefore");
    }

    [Theory]
    [InlineData("not json +447700900101")]
    [InlineData("""{"alertId":"nope","unionId":"uk-energy","branchId":"london","page":0}""")]
    public async Task FanOutChunk_UnreadableMessage_FailsNamingTheProblemWithoutQuotingTheBody(string message)
    {
        var function = new FanOutChunkFunction(_world.Chunks, NullLogger<FanOutChunkFunction>.Instance);

        var act = () => function.RunAsync(message, default);

        (await act.Should().ThrowAsync<PipelineMessageException>()).Which.Message.Should().NotContain("+447700900101").And.Contain("chunk");
    }

    [Fact]
    public async Task SendSms_PendingRows_SendsEachThroughTheGatewayOnceAndCompletes()
    {
        string[] phones = ["+447700900123", "+447700900124", "+447700900125"];
        foreach (var phone in phones)
        {
            _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "c" + phone[^3..], phone);
        }

        var alert = _world.StoreAlert(PipelineWorld.EventJson(channels: """["sms"]"""));
        foreach (var row in DeliveryPlanner.Plan(alert, _world.Contacts, _world.Hasher, _world.Time.Now()))
        {
            _world.Deliveries.Put(row);
        }

        var sent = new List<SmsSendRequest>();
        _world.SetUpSmsSuccess(r => { lock (sent) { sent.Add(r); } });
        var queues = new DispatchQueues();

        foreach (var batch in DispatchBatch.Split(phones.Select(p => _world.KeyFor(alert, Channel.Sms, p)), 50))
        {
            await new SendSmsFunction(queues.Consumer(_world)).RunAsync(Json(batch), Context(1), default);
        }

        sent.Select(r => r.To).Should().BeEquivalentTo(phones);
        _world.Deliveries.Rows.Should().OnlyContain(r => r.Status == DeliveryStatus.Sent);
        queues.Poisoned.Should().BeEmpty();
    }

    [Fact]
    public async Task SendSms_TransientFailure_ThrowsSoTheHostRetries_AndAtTheLastDequeuePoisonsWithTheReason()
    {
        const string phone = "+447700900123";
        _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "aigul", phone);
        var alert = _world.StoreAlert(PipelineWorld.EventJson(channels: """["sms"]"""));
        var key = _world.KeyFor(alert, Channel.Sms, phone);
        _world.Deliveries.Put(DeliveryPlanner.Plan(alert, _world.Contacts, _world.Hasher, _world.Time.Now()).Single());
        _world.Sms.Setup(g => g.SendAsync(It.IsAny<SmsSendRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new SmsSendException(ChannelFailureKind.Transient, "20429", "Too many requests."));
        _world.Sms.Setup(g => g.FindSentAsync(phone, It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>())).Returns(AsyncEnumerable.Empty<SmsSentRecord>());
        var queues = new DispatchQueues();
        var message = Json(DispatchBatch.Split([key], 50).Single());

        var first = () => new SendSmsFunction(queues.Consumer(_world)).RunAsync(message, Context(1), default);
        await first.Should().ThrowAsync<PipelineRetryException>();
        await new SendSmsFunction(queues.Consumer(_world)).RunAsync(message, Context(_world.Options.Dispatch.StorageMaxDequeueCount), default);

        var poisoned = queues.Poisoned.Should().ContainSingle().Subject;
        poisoned.Queue.Should().Be("sms-dispatch-poison");
        poisoned.Entry.DeadLetterReason.Should().Be(DeadLetterReasons.TooManyDeliveries);
        poisoned.Entry.Body.Should().Be(message);
        poisoned.Entry.DeadLetterDescription.Should().NotContain(phone);
        _world.Deliveries[key].Status.Should().Be(DeliveryStatus.Sending, "nothing was sent; the row stays, released, for a later run to report or resend");
        _world.Deliveries[key].Released.Should().BeTrue();
    }

    [Fact]
    public async Task SendEmail_SmsBatch_PoisonedAsMalformedWithoutTouchingStorageOrTheGateway()
    {
        _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "aigul", "+447700900123");
        var alert = _world.StoreAlert(PipelineWorld.EventJson(channels: """["sms"]"""));
        var smsKey = _world.KeyFor(alert, Channel.Sms, "+447700900123");
        var queues = new DispatchQueues();

        await new SendEmailFunction(queues.Consumer(_world)).RunAsync(Json(DispatchBatch.Split([smsKey], 50).Single()), Context(1), default);

        var poisoned = queues.Poisoned.Should().ContainSingle().Subject;
        poisoned.Queue.Should().Be("email-dispatch-poison");
        poisoned.Entry.DeadLetterReason.Should().Be(DeadLetterReasons.MalformedMessage);
        poisoned.Entry.DeadLetterDescription.Should().Contain("channel");
        _world.Email.VerifyNoOtherCalls();
        _world.Deliveries.Mock.VerifyNoOtherCalls();
    }

    [Theory]
    [InlineData("not json +447700900101", "not valid JSON")]
    [InlineData("""{"alertId":"75774197e5449172989a88db2b6df47f","channel":"sms","bucket":3,"recipients":["+447700900101"]}""", "recipients[0]")]
    public async Task SendSms_MalformedMessage_PoisonedNamingTheProblemWithoutQuotingTheNumber(string message, string named)
    {
        var queues = new DispatchQueues();

        await new SendSmsFunction(queues.Consumer(_world)).RunAsync(message, Context(1), default);

        var entry = queues.Poisoned.Should().ContainSingle().Subject.Entry;
        entry.DeadLetterReason.Should().Be(DeadLetterReasons.MalformedMessage);
        entry.DeadLetterDescription.Should().Contain(named).And.NotContain("447700900101");
        entry.Body.Should().Be(message, "the poison entry keeps the message as received, as the host's poison queue would");
    }

    private static string Json(DispatchBatch batch) => JsonSerializer.Serialize(batch.ToMessage(), JsonSerializerOptions.Web);

    private static FunctionContext Context(int dequeueCount)
    {
        var binding = new Mock<BindingContext>(MockBehavior.Strict);
        binding.SetupGet(b => b.BindingData).Returns(new Dictionary<string, object?> { ["DequeueCount"] = dequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var context = new Mock<FunctionContext>(MockBehavior.Strict);
        context.SetupGet(c => c.BindingContext).Returns(binding.Object);
        return context.Object;
    }

    /// <summary>The Storage queue clients behind <see cref="StorageQueueDispatchQueue"/> as strict mocks; poison writes are kept.</summary>
    private sealed class DispatchQueues
    {
        private readonly Mock<QueueServiceClient> _service = new(MockBehavior.Strict);

        public DispatchQueues()
        {
            foreach (var name in new[] { QueueNames.SmsDispatch, QueueNames.EmailDispatch })
            {
                _service.Setup(s => s.GetQueueClient(name)).Returns(new Mock<QueueClient>(MockBehavior.Strict).Object);
                var poison = new Mock<QueueClient>(MockBehavior.Strict);
                var poisonName = name + "-poison";
                poison.Setup(q => q.CreateIfNotExistsAsync(It.IsAny<IDictionary<string, string>>(), It.IsAny<CancellationToken>())).ReturnsAsync((Azure.Response)null!);
                poison.Setup(q => q.SendMessageAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
                    .Callback((string text, CancellationToken _) => Poisoned.Add((poisonName, JsonSerializer.Deserialize<DispatchPoisonEntry>(text, JsonSerializerOptions.Web)!)))
                    .ReturnsAsync((Azure.Response<SendReceipt>)null!);
                _service.Setup(s => s.GetQueueClient(poisonName)).Returns(poison.Object);
            }
        }

        public List<(string Queue, DispatchPoisonEntry Entry)> Poisoned { get; } = [];

        public StorageDispatchConsumer Consumer(PipelineWorld world) =>
            new(world.Batches, new StorageQueueDispatchQueue(_service.Object, world.Time), world.Options, NullLogger<StorageDispatchConsumer>.Instance);
    }
}
