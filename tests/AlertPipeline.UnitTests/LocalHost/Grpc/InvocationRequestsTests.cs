using System.Text.Json;
using AlertPipeline.LocalHost.Grpc;
using AlertPipeline.LocalHost.Grpc.Messages;
using AlertPipeline.LocalHost.Transport;

namespace AlertPipeline.UnitTests.LocalHost.Grpc;

public sealed class InvocationRequestsTests
{
    private static readonly DateTimeOffset Inserted = new(2026, 12, 4, 14, 27, 1, TimeSpan.Zero);

    [Fact]
    public void Queue_TextInInputData_AndTheStorageExtensionsBindingDataAsTriggerMetadata()
    {
        var message = new QueueMessageInfo("id-1", "hello"u8.ToArray(), 2, Inserted, Inserted.AddDays(7), Inserted.AddSeconds(30), "receipt");
        var request = InvocationRequests.Build("inv", "fn", new QueueTriggerInput("message", message, Binary: false), Inserted);

        request.InvocationId.Should().Be("inv");
        request.FunctionId.Should().Be("fn");
        request.InputData.Should().ContainSingle().Which.Should().Be(new ParameterBinding { Name = "message", Data = new TypedData { String = "hello" } });
        var metadata = request.TriggerMetadata;
        metadata.Keys.Should().BeEquivalentTo(["QueueTrigger", "DequeueCount", "ExpirationTime", "Id", "InsertionTime", "NextVisibleTime", "PopReceipt"]);
        metadata["QueueTrigger"].String.Should().Be("hello");
        metadata["Id"].String.Should().Be("id-1");
        metadata["PopReceipt"].String.Should().Be("receipt");
        metadata["DequeueCount"].Json.Should().Be("2");
        metadata["InsertionTime"].Json.Should().Be("\"2026-12-04T14:27:01+00:00\"");
        metadata["ExpirationTime"].Json.Should().Be("\"2026-12-11T14:27:01+00:00\"");
        metadata["NextVisibleTime"].Json.Should().Be("\"2026-12-04T14:27:31+00:00\"");
        request.TraceContext.TraceParent.Should().MatchRegex("^00-[0-9a-f]{32}-[0-9a-f]{16}-01$", "the worker reads the trace context unconditionally");
    }

    [Fact]
    public void Queue_JsonObjectMessage_TopLevelPropertiesJoinTheMetadata()
    {
        var message = new QueueMessageInfo("id-1", """{"alertId":"a-1","count":3,"items":[1]}"""u8.ToArray(), 1, Inserted, null, null, "r");
        var metadata = InvocationRequests.Build("inv", "fn", new QueueTriggerInput("message", message, Binary: false), Inserted).TriggerMetadata;

        metadata["alertId"].String.Should().Be("a-1");
        metadata["count"].Json.Should().Be("3");
        metadata.ContainsKey("items").Should().BeFalse("arrays are not binding data");
        metadata["ExpirationTime"].Json.Should().Be("\"9999-12-31T23:59:59.9999999+00:00\"", "a missing expiry is DateTimeOffset.MaxValue, as the extension has it");
    }

    [Fact]
    public void Queue_JsonPropertyNamedLikeAnEntryInAnotherCase_LeftOut()
    {
        var message = new QueueMessageInfo("id-1", """{"id":"k-0001","ID":"again","Tag":"t"}"""u8.ToArray(), 1, Inserted, null, null, "r");
        var metadata = InvocationRequests.Build("inv", "fn", new QueueTriggerInput("message", message, Binary: false), Inserted).TriggerMetadata;

        metadata["Id"].String.Should().Be("id-1", "the message id wins");
        metadata.Keys.Should().NotContain(["id", "ID"]);
        metadata.Keys.Select(k => k.ToUpperInvariant()).Should().OnlyHaveUniqueItems("the worker reads the metadata case-insensitively");
        metadata["Tag"].String.Should().Be("t");
    }

    [Fact]
    public void Queue_BinaryBinding_BytesInInputData()
    {
        var message = new QueueMessageInfo("id-1", new byte[] { 0, 255 }, 1, Inserted, null, null, "r");
        var request = InvocationRequests.Build("inv", "fn", new QueueTriggerInput("message", message, Binary: true), Inserted);

        request.InputData.Single().Data.Bytes.ToByteArray().Should().Equal(0, 255);
    }

    [Fact]
    public void Timer_TimerInfoJsonWithScheduleStatus()
    {
        var status = new TimerStatus(Inserted, Inserted.AddMinutes(5), Inserted.AddSeconds(1));
        var request = InvocationRequests.Build("inv", "fn", new TimerTriggerInput("timer", status, IsPastDue: false), Inserted);

        var timer = JsonDocument.Parse(request.InputData.Single().Data.Json).RootElement;
        timer.GetProperty("IsPastDue").GetBoolean().Should().BeFalse();
        timer.GetProperty("Schedule").GetProperty("AdjustForDST").GetBoolean().Should().BeTrue();
        timer.GetProperty("ScheduleStatus").GetProperty("Next").GetDateTimeOffset().Should().Be(Inserted.AddMinutes(5));
        timer.GetProperty("ScheduleStatus").GetProperty("Last").GetDateTimeOffset().Should().Be(Inserted);
        request.TriggerMetadata.Should().ContainKey("TimerTrigger");
    }

    [Fact]
    public void Timer_FromTheAdminApi_NullScheduleStatus() =>
        JsonDocument.Parse(InvocationRequests.TimerInfoJson(null, isPastDue: false)).RootElement
            .GetProperty("ScheduleStatus").ValueKind.Should().Be(JsonValueKind.Null);

    [Fact]
    public void Http_EmptyHttpValueUnderTheTriggerName()
    {
        var request = InvocationRequests.ForHttp("inv", "fn", "req");

        request.InputData.Should().ContainSingle().Which.Should().Be(new ParameterBinding { Name = "req", Data = new TypedData { Http = new RpcHttp() } });
        request.TriggerMetadata.Should().BeEmpty();
    }
}
