using System.Text.Json;
using System.Text.Json.Nodes;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Functions.Functions;
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
    public async Task FanOutChunk_Page_OutputsDispatchMessagesPerChannelAndTheNextPage()
    {
        _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "a", "+447700900101", "a@example.org");
        _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "b", "+447700900102");
        _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "c", "+447700900103");
        var alert = _world.StoreAlert();
        var function = new FanOutChunkFunction(_world.Chunks, NullLogger<FanOutChunkFunction>.Instance);
        var first = JsonSerializer.Serialize(new FanOutChunkMessage(alert.AlertId.Value, "uk-energy", "london", 0, null), JsonSerializerOptions.Web);

        var output = await function.RunAsync(first, default);

        output.Sms.Should().HaveCount(2, "a page holds two contacts (PipelineWorld's page size)");
        output.Email.Should().ContainSingle();
        var next = JsonSerializer.Deserialize<FanOutChunkMessage>(output.Next!, JsonSerializerOptions.Web)!;
        next.Page.Should().Be(1);
        next.ContinuationToken.Should().NotBeNull();
        var last = await function.RunAsync(output.Next!, default);
        last.Sms.Should().ContainSingle();
        last.Email.Should().BeNull("no output rather than an empty array");
        last.Next.Should().BeNull();
        JsonSerializer.Deserialize<DispatchMessage>(output.Sms![0], JsonSerializerOptions.Web)!.TryParse(out var key, out _).Should().BeTrue();
        key!.Channel.Should().Be(Channel.Sms);
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
    public async Task SendSms_PendingRow_SendsThroughTheGatewayOnce()
    {
        const string phone = "+447700900123";
        _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "aigul", phone);
        var alert = _world.StoreAlert(PipelineWorld.EventJson(channels: """["sms"]"""));
        var key = _world.KeyFor(alert, Channel.Sms, phone);
        _world.Deliveries.Put(DeliveryPlanner.Plan(alert, _world.Contacts, _world.Hasher, _world.Time.Now()).Single());
        var sent = new List<SmsSendRequest>();
        _world.SetUpSmsSuccess(sent.Add);
        var function = new SendSmsFunction(_world.SendSms, NullLogger<SendSmsFunction>.Instance);

        await function.RunAsync(JsonSerializer.Serialize(DispatchMessage.For(key), JsonSerializerOptions.Web), default);

        sent.Should().ContainSingle().Which.To.Should().Be(phone);
        _world.Deliveries[key].Status.Should().Be(DeliveryStatus.Sent);
    }

    [Fact]
    public async Task SendEmail_SmsDispatchMessage_FailsWithoutTouchingStorageOrTheGateway()
    {
        _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "aigul", "+447700900123");
        var alert = _world.StoreAlert(PipelineWorld.EventJson(channels: """["sms"]"""));
        var smsKey = _world.KeyFor(alert, Channel.Sms, "+447700900123");
        var function = new SendEmailFunction(_world.SendEmail, NullLogger<SendEmailFunction>.Instance);

        var act = () => function.RunAsync(JsonSerializer.Serialize(DispatchMessage.For(smsKey), JsonSerializerOptions.Web), default);

        await act.Should().ThrowAsync<PipelineMessageException>().WithMessage("*not a email delivery*");
        _world.Email.VerifyNoOtherCalls();
    }
}
