using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Infrastructure.ServiceBus;
using Azure.Messaging.ServiceBus;
using Moq;
using NodaTime;

namespace AlertPipeline.UnitTests.ServiceBus;

/// <summary>Sending dispatch batches through the SDK's sender and batch types (mocked client and sender, model-factory batches).</summary>
public sealed class ServiceBusDispatchQueueTests
{
    private readonly ServiceBusKit _kit = new();

    [Fact]
    public async Task Send_SmsAndEmailBatches_OneTransferPerQueue_EachMessageNamedByItsDispatch()
    {
        var sms = new[] { ServiceBusKit.Batch(Channel.Sms, bucket: 3), ServiceBusKit.Batch(Channel.Sms, bucket: 10) };
        var email = ServiceBusKit.Batch(Channel.Email, bucket: 3, recipients: 5);

        await _kit.Queue.SendAsync([sms[0], email, sms[1]]);

        _kit.Client.Verify(c => c.CreateSender(QueueNames.SmsDispatch), Times.Once);
        _kit.Client.Verify(c => c.CreateSender(QueueNames.EmailDispatch), Times.Once);
        _kit.Sent[QueueNames.SmsDispatch].Should().ContainSingle().Which.Select(m => m.MessageId).Should().Equal(sms.Select(b => b.DispatchId));
        var emailMessage = _kit.Sent[QueueNames.EmailDispatch].Should().ContainSingle().Which.Should().ContainSingle().Subject;
        emailMessage.MessageId.Should().Be(email.DispatchId);
        emailMessage.CorrelationId.Should().Be(ServiceBusKit.Alert.Value);
        emailMessage.ContentType.Should().Be("application/json");
        emailMessage.Subject.Should().Be("dispatch");
        ServiceBusKit.BodyOf(emailMessage).Should().Be(email, "the body is the dispatch message both transports share");
    }

    [Fact]
    public async Task Send_BatchFills_StartsANewOne_SendingEveryMessageOnceInOrder()
    {
        _kit.BatchCapacity = 2;
        var batches = Enumerable.Range(0, 5).Select(bucket => ServiceBusKit.Batch(bucket: bucket)).ToList();

        await _kit.Queue.SendAsync(batches);

        var transfers = _kit.Sent[QueueNames.SmsDispatch];
        transfers.Select(t => t.Count).Should().Equal(2, 2, 1);
        transfers.SelectMany(t => t).Select(m => m.MessageId).Should().Equal(batches.Select(b => b.DispatchId));
        _kit.Transfers[QueueNames.SmsDispatch].Should().HaveCount(3, "a full batch is sent and a new one started; none is left empty");
        _kit.Senders[QueueNames.SmsDispatch].Verify(s => s.SendMessagesAsync(It.IsAny<ServiceBusMessageBatch>(), It.IsAny<CancellationToken>()), Times.Exactly(3));
    }

    [Fact]
    public async Task Send_MessageTooLargeForAnEmptyBatch_FailsNamingTheDispatch_AndSendsNothing()
    {
        _kit.BatchCapacity = 0;
        var batch = ServiceBusKit.Batch(recipients: 50);

        var act = () => _kit.Queue.SendAsync([batch]);

        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should()
            .Contain(batch.DispatchId).And.Contain("50 deliveries").And.Contain("Pipeline:DispatchBatchSize");
        _kit.Senders[QueueNames.SmsDispatch].Verify(s => s.SendMessagesAsync(It.IsAny<ServiceBusMessageBatch>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task Send_TheSameRowsTwice_GivesTheSameMessageIds_SoDuplicateDetectionDropsTheSecond()
    {
        var first = ServiceBusKit.Batch(recipients: 4);
        var again = new DispatchBatch(first.AlertId, first.Channel, first.Bucket, [.. first.Recipients.Reverse()], null, null);

        await _kit.Queue.SendAsync([first]);
        await _kit.Queue.SendAsync([again]);

        var ids = _kit.Sent[QueueNames.SmsDispatch].SelectMany(t => t).Select(m => m.MessageId).ToList();
        ids.Should().HaveCount(2).And.OnlyContain(id => id == first.DispatchId);
        ids[0].Should().MatchRegex("^[a-z0-9-]{1,128}$");
    }

    [Fact]
    public async Task Send_NotBeforeInTheFuture_IsScheduledThen_PastOrNoneGoesAtOnce()
    {
        var later = Instant.FromDateTimeOffset(ServiceBusKit.Now).Plus(Duration.FromHours(1));
        var past = Instant.FromDateTimeOffset(ServiceBusKit.Now).Minus(Duration.FromMinutes(1));
        var batches = new[] { ServiceBusKit.Batch(bucket: 1, notBefore: later), ServiceBusKit.Batch(bucket: 2, notBefore: past), ServiceBusKit.Batch(bucket: 4) };

        await _kit.Queue.SendAsync(batches);

        var messages = _kit.Sent[QueueNames.SmsDispatch].Should().ContainSingle("scheduled messages travel in the same batch").Subject;
        messages[0].ScheduledEnqueueTime.Should().Be(ServiceBusKit.Now.AddHours(1));
        messages[1].ScheduledEnqueueTime.Should().Be(default, "a time already past is not a schedule");
        messages[2].ScheduledEnqueueTime.Should().Be(default);
        ServiceBusKit.BodyOf(messages[1]).NotBefore.Should().Be(past, "the handler still sees the row's NotBefore");
    }

    [Fact]
    public async Task Send_Properties_NameTheAlertChannelBucketAndCount_NeverANumberOrAddress()
    {
        const string Phone = "+447700900123";
        const string Email = "aigul@example.org";
        var phoneHash = ServiceBusKit.Hasher.Hash(PhoneNumber.Parse(Phone));
        var emailHash = ServiceBusKit.Hasher.Hash(EmailAddress.Parse(Email));
        const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        var sms = new DispatchBatch(ServiceBusKit.Alert, Channel.Sms, DeliveryBuckets.Of(phoneHash), [phoneHash], null, TraceParent);
        var email = new DispatchBatch(ServiceBusKit.Alert, Channel.Email, DeliveryBuckets.Of(emailHash), [emailHash], null, null);

        await _kit.Queue.SendAsync([sms, email]);

        var smsMessage = _kit.Sent[QueueNames.SmsDispatch].Single().Single();
        smsMessage.ApplicationProperties.Should().BeEquivalentTo(new Dictionary<string, object>
        {
            ["alertId"] = ServiceBusKit.Alert.Value, ["channel"] = "sms", ["bucket"] = sms.Bucket, ["count"] = 1, ["traceparent"] = TraceParent,
        });
        var emailMessage = _kit.Sent[QueueNames.EmailDispatch].Single().Single();
        emailMessage.ApplicationProperties.Keys.Should().BeEquivalentTo(["alertId", "channel", "bucket", "count"], "no traceparent when the fan-out had none");
        foreach (var message in new[] { smsMessage, emailMessage })
        {
            var everything = string.Join('|', message.ApplicationProperties.Values.Select(v => v.ToString()))
                + message.Body + message.MessageId + message.CorrelationId + message.Subject;
            everything.Should().NotContain("7700900123").And.NotContain("07700").And.NotContain(Email).And.NotContain("@");
        }
    }
}
