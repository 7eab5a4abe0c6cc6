using System.Text;
using System.Text.Json;
using AlertPipeline.CustomHandler;

namespace AlertPipeline.UnitTests.CustomHandler;

/// <summary>The host side: requests built exactly as the Functions host builds them, and read back by the decoders.</summary>
public sealed class InvocationRequestBuilderTests
{
    private static readonly DateTimeOffset Inserted = new(2026, 11, 22, 4, 4, 16, 789, TimeSpan.Zero);

    [Fact]
    public void ForQueueMessage_StringBinding_EncodesTheMessageASecondTime()
    {
        var request = InvocationRequestBuilder.ForQueueMessage("FanOut", "event", QueueTriggerMessage.FromText("id-1", """{"a":1}""", 1));

        using var body = JsonDocument.Parse(request.ToJson());
        body.RootElement.GetProperty("Data").GetProperty("event").GetString().Should().Be("\"{\\\"a\\\":1}\"");
        request.GetMessageText("event").Should().Be("""{"a":1}""");
    }

    [Fact]
    public void ForQueueMessage_Metadata_HasTheHostsStringTypes()
    {
        var message = QueueTriggerMessage.FromText("id-1", "plain", 3) with
        {
            InsertionTime = Inserted,
            ExpirationTime = Inserted.AddDays(7),
            NextVisibleTime = Inserted.AddMinutes(10),
            PopReceipt = "pop",
        };

        var request = InvocationRequestBuilder.ForQueueMessage("FanOut", "event", message, utcNow: Inserted);

        using var body = JsonDocument.Parse(request.ToJson());
        var metadata = body.RootElement.GetProperty("Metadata");
        metadata.GetProperty("DequeueCount").GetString().Should().Be("3");
        metadata.GetProperty("Id").GetString().Should().Be("\"id-1\"");
        metadata.GetProperty("PopReceipt").GetString().Should().Be("\"pop\"");
        metadata.GetProperty("InsertionTime").GetString().Should().Be("2026-11-22T04:04:16+00:00");
        metadata.GetProperty("sys").GetProperty("MethodName").GetString().Should().Be("FanOut");
        metadata.GetProperty("sys").GetProperty("UtcNow").GetString().Should().Be("2026-11-22T04:04:16.789Z");
        metadata.TryGetProperty("QueueTrigger", out _).Should().BeFalse("the host leaves out keys ending in Trigger");
        request.GetMetadataInt("DequeueCount").Should().Be(3);
        request.GetMetadataString("Id").Should().Be("id-1");
        request.GetMetadataDateTimeOffset("NextVisibleTime").Should().Be(new DateTimeOffset(2026, 11, 22, 4, 14, 16, TimeSpan.Zero));
    }

    [Fact]
    public void ForQueueMessage_JsonBody_MergesScalarsAsQuotedStringsAndObjectsAsObjects_SkipsArraysAndNulls()
    {
        var request = InvocationRequestBuilder.ForQueueMessage(
            "FanOut", "event", QueueTriggerMessage.FromText("id-1", """{"alertId":"a1","count":2,"urgent":true,"meta":{"k":"v"},"list":[1],"gone":null}""", 1));

        using var body = JsonDocument.Parse(request.ToJson());
        var metadata = body.RootElement.GetProperty("Metadata");
        metadata.GetProperty("alertId").GetString().Should().Be("\"a1\"");
        metadata.GetProperty("count").GetString().Should().Be("\"2\"");
        metadata.GetProperty("urgent").GetString().Should().Be("\"True\"");
        metadata.GetProperty("meta").GetProperty("k").GetString().Should().Be("v");
        metadata.TryGetProperty("list", out _).Should().BeFalse();
        metadata.TryGetProperty("gone", out _).Should().BeFalse();
    }

    [Fact]
    public void ForQueueMessage_BodyFieldInOtherCase_OverwritesTheKeyKeepingItsCasing()
    {
        var request = InvocationRequestBuilder.ForQueueMessage("F", "m", QueueTriggerMessage.FromText("real", """{"id":"body"}""", 1));

        using var body = JsonDocument.Parse(request.ToJson());
        var metadata = body.RootElement.GetProperty("Metadata");
        metadata.GetProperty("Id").GetString().Should().Be("\"body\"");
        metadata.TryGetProperty("id", out _).Should().BeFalse();
    }

    [Fact]
    public void ForQueueMessage_BinaryBinding_SendsBase64AndMergesNothing()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"Id":"x"}""");
        var message = new QueueTriggerMessage { Id = "id-1", Body = bytes, DequeueCount = 1 };

        var request = InvocationRequestBuilder.ForQueueMessage("F", "blob", message, binary: true);

        request.Data["blob"].GetString().Should().Be(Convert.ToBase64String(bytes));
        request.GetMessageBytes("blob").Should().Equal(bytes);
        request.GetMetadataString("Id").Should().Be("id-1");
    }

    [Fact]
    public void ForQueueMessage_NonAsciiText_IsNotEscapedLikeNewtonsoft()
    {
        var request = InvocationRequestBuilder.ForQueueMessage("F", "m", QueueTriggerMessage.FromText("id", "Grève générale <ok>", 1));

        request.ToJson().Should().Contain("Grève générale <ok>");
        request.GetMessageText("m").Should().Be("Grève générale <ok>");
    }

    [Fact]
    public void ForServiceBusMessage_Metadata_HasDeliveryCountMessageIdAndProperties()
    {
        var message = ServiceBusTriggerMessage.FromText("msg-1", """{"deliveryId":"d1"}""", 2) with
        {
            SequenceNumber = 42,
            EnqueuedTime = Inserted,
            ApplicationProperties = new Dictionary<string, object?> { ["union"] = "u1", ["n"] = 5 },
        };

        var request = InvocationRequestBuilder.ForServiceBusMessage("SendSms", "dispatch", message);

        using var body = JsonDocument.Parse(request.ToJson());
        var metadata = body.RootElement.GetProperty("Metadata");
        metadata.GetProperty("DeliveryCount").GetString().Should().Be("2");
        metadata.GetProperty("MessageId").GetString().Should().Be("\"msg-1\"");
        metadata.GetProperty("SequenceNumber").GetString().Should().Be("42");
        metadata.GetProperty("EnqueuedTimeUtc").GetString().Should().Be("2026-11-22T04:04:16");
        metadata.GetProperty("ApplicationProperties").GetProperty("n").GetInt32().Should().Be(5);
        request.GetDeliveryAttempt().Should().Be(2);
        request.GetMetadataString("MessageId").Should().Be("msg-1");
        request.GetMetadataString("deliveryId").Should().Be("d1");
        request.GetMessageText("dispatch").Should().Be("""{"deliveryId":"d1"}""");
    }

    [Fact]
    public void ForTimer_ReferenceShape()
    {
        var status = new TimerScheduleStatus { Last = Inserted.AddMinutes(-5), Next = Inserted.AddMinutes(5), LastUpdated = Inserted.AddMinutes(-5) };

        var request = InvocationRequestBuilder.ForTimer("ScheduleTick", "timer", status, isPastDue: false);

        using var body = JsonDocument.Parse(request.ToJson());
        var timer = body.RootElement.GetProperty("Data").GetProperty("timer");
        timer.EnumerateObject().Select(p => p.Name).Should().Equal("Schedule", "ScheduleStatus", "IsPastDue");
        timer.GetProperty("ScheduleStatus").EnumerateObject().Select(p => p.Name).Should().Equal("Last", "Next", "LastUpdated");
        body.RootElement.GetProperty("Metadata").EnumerateObject().Select(p => p.Name).Should().Equal("sys");
        request.GetTimerInfo("timer").ScheduleStatus!.Next.Should().Be(Inserted.AddMinutes(5));
    }
}
