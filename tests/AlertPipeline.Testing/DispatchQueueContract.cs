using System.Security.Cryptography;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using NodaTime;
using Xunit;

namespace AlertPipeline.Testing;

/// <summary>
/// What every <see cref="IDispatchQueue"/> transport must do, whatever carries the messages: each batch reaches its
/// channel's queue once, as the shared dispatch message; a batch due later is not visible before its <c>NotBefore</c>;
/// the same rows always travel under the same dispatch id. A transport's test class derives from this and says how to
/// read its queues (Service Bus: tests/AlertPipeline.UnitTests/ServiceBus, over the SDK's mocked types; a Storage-queue
/// subclass on Azurite reads the queues with a <c>QueueClient</c>). Every batch names <see cref="Alert"/>, an alert id
/// unique to the test instance, so a subclass on a shared queue can keep to its own messages.
/// </summary>
public abstract class DispatchQueueContract
{
    /// <summary>This test's alert (random, so tests sharing a queue do not see each other's batches).</summary>
    protected AlertId Alert { get; } = AlertId.Parse(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(AlertId.Length / 2)));

    /// <summary>The transport's queue, over the subclass's clock (<see cref="Now"/>).</summary>
    protected abstract IDispatchQueue Queue { get; }

    /// <summary>The transport's clock at the time of the sends.</summary>
    protected abstract DateTimeOffset Now { get; }

    /// <summary>
    /// The batches of <see cref="Alert"/> on <paramref name="queueName"/> that a consumer could receive now (read back
    /// from the message bodies), in the order they were sent.
    /// </summary>
    protected abstract Task<IReadOnlyList<DispatchBatch>> VisibleNowAsync(string queueName);

    /// <summary>The message ids of what was sent to <paramref name="queueName"/> for <see cref="Alert"/>, visible or not, or
    /// null when the transport has none of its own (Storage queues: the id is the dispatch id in the body).</summary>
    protected abstract Task<IReadOnlyList<string>?> MessageIdsAsync(string queueName);

    [Fact]
    public async Task Contract_EachBatchReachesItsChannelsQueueOnce_AsTheSharedDispatchMessage()
    {
        var sms = new[] { Batch(Channel.Sms, 1), Batch(Channel.Sms, 9) };
        var email = Batch(Channel.Email, 1, recipients: 3);

        await Queue.SendAsync([sms[0], email, sms[1]]);

        Assert.Equal(sms.Select(b => b.DispatchId).Order(), (await VisibleNowAsync(QueueNames.SmsDispatch)).Select(b => b.DispatchId).Order());
        Assert.Equal(email, Assert.Single(await VisibleNowAsync(QueueNames.EmailDispatch)));
    }

    [Fact]
    public async Task Contract_ManyBatches_EveryOneArrives()
    {
        var batches = Enumerable.Range(0, 30).Select(i => Batch(Channel.Sms, i % DeliveryBuckets.Count, recipients: 2, seed: i)).ToList();

        await Queue.SendAsync(batches);

        Assert.Equal(batches.Select(b => b.DispatchId).Order(), (await VisibleNowAsync(QueueNames.SmsDispatch)).Select(b => b.DispatchId).Order());
    }

    [Fact]
    public async Task Contract_ABatchDueLater_IsNotVisibleUntilThen_ADueOneIs()
    {
        var now = Instant.FromDateTimeOffset(Now);
        var later = Batch(Channel.Sms, 2, notBefore: now.Plus(Duration.FromHours(9)));
        var due = Batch(Channel.Sms, 3, notBefore: now.Minus(Duration.FromMinutes(1)));

        await Queue.SendAsync([later, due]);

        var visible = Assert.Single(await VisibleNowAsync(QueueNames.SmsDispatch));
        Assert.Equal(due.DispatchId, visible.DispatchId);
        Assert.Equal(due.NotBefore, visible.NotBefore);
    }

    [Fact]
    public async Task Contract_TheSameRowsTwice_TravelUnderTheSameDispatchId()
    {
        var first = Batch(Channel.Email, 5, recipients: 4);
        var again = new DispatchBatch(first.AlertId, first.Channel, first.Bucket, [.. first.Recipients.Reverse()], null, null);

        await Queue.SendAsync([first]);
        await Queue.SendAsync([again]);

        var ids = await MessageIdsAsync(QueueNames.EmailDispatch) ?? (await VisibleNowAsync(QueueNames.EmailDispatch)).Select(b => b.DispatchId).ToList();
        Assert.NotEmpty(ids);
        Assert.All(ids, id => Assert.Equal(first.DispatchId, id));
    }

    /// <summary>A batch of <see cref="Alert"/> with <paramref name="recipients"/> made-up recipient hashes in <paramref name="bucket"/>.</summary>
    protected DispatchBatch Batch(Channel channel, int bucket, int recipients = 2, Instant? notBefore = null, int seed = 0) =>
        new(Alert, channel, bucket, Recipients(bucket, recipients, seed), notBefore, null);

    private static List<RecipientHash> Recipients(int bucket, int count, int seed) =>
        Enumerable.Range(0, count)
            .Select(i => RecipientHash.Parse(DeliveryBuckets.Digit(bucket) + Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes((seed * 1000) + i)))[..(RecipientHash.Length - 1)]))
            .ToList();
}
