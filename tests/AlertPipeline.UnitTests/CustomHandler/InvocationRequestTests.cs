using System.Text;
using System.Text.Json;
using AlertPipeline.CustomHandler;

namespace AlertPipeline.UnitTests.CustomHandler;

/// <summary>Decoding the request bodies the host sends (shapes from reference/custom-handler.md, written out literally).</summary>
public sealed class InvocationRequestTests
{
    // The reference's example: the message {"a":1} arrives as "Data":{"event":"\"{\\\"a\\\":1}\""}.
    private const string DoubleEncodedBody = """
        {"Data":{"event":"\"{\\\"a\\\":1}\""},
         "Metadata":{"DequeueCount":"1","Id":"\"b1d3c7e2-0000-4000-8000-000000000001\"",
                     "InsertionTime":"2026-11-22T04:04:16+00:00","PopReceipt":"\"AgAAAAMAAAAAAAAA\"",
                     "a":"\"1\"",
                     "sys":{"MethodName":"FanOut","UtcNow":"2026-11-22T04:04:17.123Z","RandGuid":"0f8fad5b-d9cb-469f-a165-70867728950e"}}}
        """;

    [Fact]
    public void GetMessageText_DoubleEncodedObject_ReturnsTheOriginalMessage()
    {
        var request = InvocationRequest.Parse(DoubleEncodedBody);

        request.GetMessageText("event").Should().Be("""{"a":1}""");
    }

    [Fact]
    public void GetMessageText_MessageThatIsItselfAJsonString_IsDecodedOnceMore()
    {
        // A producer wrote the JSON string "hello" (with quotes); the host encoded it again.
        var request = InvocationRequest.Parse("""{"Data":{"m":"\"\\\"hello\\\"\""},"Metadata":{}}""");

        request.GetMessageText("m").Should().Be("hello");
    }

    [Fact]
    public void GetMessageText_SingleEncodedPlainText_IsReturnedUnchanged()
    {
        var request = InvocationRequest.Parse("""{"Data":{"m":"plain words"},"Metadata":{}}""");

        request.GetMessageText("m").Should().Be("plain words");
    }

    [Fact]
    public void GetMessageText_ObjectValue_ReturnsItsJsonText()
    {
        var request = InvocationRequest.Parse("""{"Data":{"m":{"a":1}},"Metadata":{}}""");

        request.GetMessageText("m").Should().Be("""{"a":1}""");
    }

    [Fact]
    public void GetMessage_DoubleEncodedObject_Deserialises()
    {
        var request = InvocationRequest.Parse(DoubleEncodedBody);

        request.GetMessage<Payload>("event").Should().Be(new Payload(1));
    }

    [Fact]
    public void GetMessage_InvalidJson_ThrowsNamingTheBindingButNotTheContent()
    {
        var request = InvocationRequest.Parse("""{"Data":{"event":"\"{\\\"a\\\":\\\"+447700900123\\\"}\""},"Metadata":{}}""");

        var act = () => request.GetMessage<Payload>("event");

        act.Should().Throw<InvocationPayloadException>()
            .Which.Message.Should().Contain("'event'").And.NotContain("447700900123");
    }

    [Fact]
    public void GetData_MissingBinding_ThrowsListingTheBindingsPresent()
    {
        var request = InvocationRequest.Parse(DoubleEncodedBody);

        var act = () => request.GetMessageText("message");

        act.Should().Throw<InvocationPayloadException>().WithMessage("Data has no binding 'message' (bindings present: event).");
    }

    [Fact]
    public void GetData_BindingNameInOtherCase_IsFound()
    {
        var request = InvocationRequest.Parse(DoubleEncodedBody);

        request.GetMessageText("EVENT").Should().Be("""{"a":1}""");
    }

    [Fact]
    public void GetMessageBytes_BinaryBinding_DecodesBase64()
    {
        byte[] bytes = [0, 1, 2, 250, 255];
        var request = InvocationRequest.Parse("""{"Data":{"blob":""" + "\"" + Convert.ToBase64String(bytes) + "\"" + """},"Metadata":{}}""");

        request.GetMessageBytes("blob").Should().Equal(bytes);
    }

    [Fact]
    public void GetMessageBytes_NotBase64_ThrowsNamingTheBinding()
    {
        var request = InvocationRequest.Parse("""{"Data":{"blob":"not base64!"},"Metadata":{}}""");

        var act = () => request.GetMessageBytes("blob");

        act.Should().Throw<InvocationPayloadException>().WithMessage("*'blob'*base64*");
    }

    [Fact]
    public void GetMetadataInt_StringTypedDequeueCount_ReturnsTheNumber()
    {
        var request = InvocationRequest.Parse(DoubleEncodedBody);

        request.GetMetadataInt("DequeueCount").Should().Be(1);
        request.GetDeliveryAttempt().Should().Be(1);
    }

    [Fact]
    public void GetMetadataInt_NumberOrDoubleQuotedNumber_ReturnsTheNumber()
    {
        var request = InvocationRequest.Parse("""{"Data":{},"Metadata":{"DeliveryCount":3,"DequeueCount":"\"7\""}}""");

        request.GetMetadataInt("DeliveryCount").Should().Be(3);
        request.GetMetadataInt("DequeueCount").Should().Be(7);
    }

    [Fact]
    public void GetMetadataInt_NotANumber_ThrowsWithoutQuotingTheValue()
    {
        var request = InvocationRequest.Parse("""{"Data":{},"Metadata":{"DequeueCount":"\"secret@example.org\""}}""");

        var act = () => request.GetMetadataInt("DequeueCount");

        act.Should().Throw<InvocationPayloadException>()
            .Which.Message.Should().Contain("'DequeueCount'").And.NotContain("secret");
    }

    [Fact]
    public void GetMetadataInt_Missing_Throws()
    {
        var request = InvocationRequest.Parse("""{"Data":{},"Metadata":{}}""");

        var act = () => request.GetMetadataInt("DequeueCount");

        act.Should().Throw<InvocationPayloadException>().WithMessage("Metadata has no 'DequeueCount'.");
        request.TryGetMetadataInt("DequeueCount", out _).Should().BeFalse();
    }

    [Fact]
    public void GetMetadataString_IdQuotedInsideTheString_IsUnquoted()
    {
        var request = InvocationRequest.Parse(DoubleEncodedBody);

        request.GetMetadataString("Id").Should().Be("b1d3c7e2-0000-4000-8000-000000000001");
        request.GetMetadataString("PopReceipt").Should().Be("AgAAAAMAAAAAAAAA");
        request.GetMetadataString("Missing").Should().BeNull();
    }

    [Fact]
    public void GetMetadataString_BodyFieldShadowsTheTriggersKey_ReturnsTheBodyValue()
    {
        // A message {"Id":"mine"}: the host merges its top-level fields into Metadata over the trigger's own Id.
        var request = InvocationRequestBuilder.ForQueueMessage(
            "FanOut", "event", QueueTriggerMessage.FromText("real-queue-id", """{"Id":"mine","DequeueCount":9}""", 2));

        request.GetMetadataString("Id").Should().Be("mine");
        request.GetMetadataInt("DequeueCount").Should().Be(9, "the body's field shadows the real dequeue count");
        request.GetMessageText("event").Should().Be("""{"Id":"mine","DequeueCount":9}""");
    }

    [Fact]
    public void GetMetadataDateTimeOffset_PlainOrQuotedIso_Parses()
    {
        var request = InvocationRequest.Parse(
            """{"Data":{},"Metadata":{"InsertionTime":"2026-11-22T04:04:16+00:00","EnqueuedTimeUtc":"2026-11-22T04:04:16","Other":"\"2026-11-22T04:04:16Z\""}}""");

        var expected = new DateTimeOffset(2026, 11, 22, 4, 4, 16, TimeSpan.Zero);
        request.GetMetadataDateTimeOffset("InsertionTime").Should().Be(expected);
        request.GetMetadataDateTimeOffset("EnqueuedTimeUtc").Should().Be(expected, "a DateTime without offset is UTC");
        request.GetMetadataDateTimeOffset("Other").Should().Be(expected);
        request.GetMetadataDateTimeOffset("Missing").Should().BeNull();
    }

    [Fact]
    public void GetMetadataElement_Sys_IsAnObject()
    {
        var request = InvocationRequest.Parse(DoubleEncodedBody);

        var sys = request.GetMetadataElement("sys");

        sys!.Value.GetProperty("MethodName").GetString().Should().Be("FanOut");
    }

    [Fact]
    public void GetTimerInfo_ReferenceShape_ReadsStatusAndPastDue()
    {
        var request = InvocationRequest.Parse("""
            {"Data":{"timer":{"Schedule":{"AdjustForDST":true},
                              "ScheduleStatus":{"Last":"2026-11-22T04:00:00+00:00","Next":"2026-11-22T04:05:00+00:00","LastUpdated":"2026-11-22T04:00:00+00:00"},
                              "IsPastDue":true}},
             "Metadata":{"sys":{"MethodName":"ScheduleTick","UtcNow":"2026-11-22T04:05:00.01Z","RandGuid":"0f8fad5b-d9cb-469f-a165-70867728950e"}}}
            """);

        var timer = request.GetTimerInfo("timer");

        timer.IsPastDue.Should().BeTrue();
        timer.ScheduleStatus!.Next.Should().Be(new DateTimeOffset(2026, 11, 22, 4, 5, 0, TimeSpan.Zero));
        timer.Schedule!.Value.GetProperty("AdjustForDST").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public void GetTimerInfo_NoMonitor_HasNullStatus()
    {
        var request = InvocationRequest.Parse("""{"Data":{"timer":{"Schedule":{},"ScheduleStatus":null,"IsPastDue":false}},"Metadata":{}}""");

        request.GetTimerInfo("timer").ScheduleStatus.Should().BeNull();
    }

    [Fact]
    public void Parse_NotAnEnvelope_ThrowsPayloadException()
    {
        var act = () => InvocationRequest.Parse("""{"Data":[1,2]}""");

        act.Should().Throw<InvocationPayloadException>();
    }

    [Fact]
    public async Task ParseAsync_Stream_ReadsTheEnvelope()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(DoubleEncodedBody));

        var request = await InvocationRequest.ParseAsync(stream);

        request.Data.Should().ContainKey("event");
    }

    [Fact]
    public void ToJson_UsesTheHostsCasing()
    {
        var json = InvocationRequest.Parse(DoubleEncodedBody).ToJson();

        using var document = JsonDocument.Parse(json);
        document.RootElement.EnumerateObject().Select(p => p.Name).Should().Equal("Data", "Metadata");
    }

    private sealed record Payload(int A);
}
