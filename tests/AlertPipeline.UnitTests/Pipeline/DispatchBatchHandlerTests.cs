using System.Globalization;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using Moq;
using NodaTime;

namespace AlertPipeline.UnitTests.Pipeline;

/// <summary>The batch consumer over strict mocks: round trips shared per batch, per-row discipline kept, and the settle decision.</summary>
public sealed class DispatchBatchHandlerTests
{
    private readonly PipelineWorld _world = new();
    private readonly AlertRecord _alert;
    private readonly DispatchBatch _batch;

    public DispatchBatchHandlerTests()
    {
        for (var i = 0; i < 48; i++)
        {
            _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, $"c{i}", "+4477009002" + i.ToString("D2", CultureInfo.InvariantCulture));
        }

        _alert = _world.StoreAlert(PipelineWorld.EventJson(channels: """["sms"]"""));
        foreach (var row in DeliveryPlanner.Plan(_alert, _world.Contacts, _world.Hasher, _world.Time.Now()))
        {
            _world.Deliveries.Put(row);
        }

        // The fullest bucket: several rows of one partition, as fan-out batches them.
        _batch = DispatchBatch.Split(_world.Deliveries.Rows.Select(r => r.Key), 50).MaxBy(b => b.Recipients.Count)!;
        _batch.Recipients.Count.Should().BeGreaterThan(3, "the test needs a batch of several rows");
    }

    private IEnumerable<DeliveryRecord> BatchRows => _batch.Keys.Select(k => _world.Deliveries[k]);

    [Fact]
    public async Task Handle_PendingBatch_SendsEachOnceWithOneClaimAndOneResultTransaction()
    {
        var sent = new List<SmsSendRequest>();
        _world.SetUpSmsSuccess(r => { lock (sent) { sent.Add(r); } });

        var result = await _world.Batches.HandleAsync(_batch, 1, default);

        result.Settlement.Should().Be(DispatchSettlement.Complete.Instance);
        result.Rows.Select(r => r.Key).Should().Equal(_batch.Keys, "one result per row, in batch order");
        result.Rows.Should().OnlyContain(r => r.Outcome == SendOutcome.Sent);
        sent.Select(r => r.DeliveryReference).Should().BeEquivalentTo(_batch.Keys.Select(k => k.Value));
        BatchRows.Should().OnlyContain(r => r.Status == DeliveryStatus.Sent && r.Attempt == 1 && r.Address == null);
        _world.Deliveries.Transactions.Should().Be(2, "the claims in one transaction, the outcomes in another");
        _world.Deliveries.Mock.Verify(s => s.GetManyAsync(It.IsAny<IReadOnlyList<DeliveryKey>>(), It.IsAny<CancellationToken>()), Times.Once);
        _world.Deliveries.Mock.Verify(s => s.TryUpdateAsync(It.IsAny<DeliveryRecord>(), It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Never);
        _world.OptOuts.Verify(o => o.FindOptedOutAsync(It.IsAny<IReadOnlyCollection<RecipientHash>>(), Channel.Sms, It.IsAny<CancellationToken>()), Times.Once);
        _world.Recipients.Verify(r => r.RecordLastCampaignAsync(It.IsAny<IReadOnlyList<RecipientHash>>(), PipelineWorld.CampaignId, It.IsAny<Instant>(), It.IsAny<CancellationToken>()), Times.Once);
        _batch.Recipients.Should().OnlyContain(r => _world.LastCampaign[r] == PipelineWorld.CampaignId);
    }

    [Fact]
    public async Task Handle_RedeliveredAfterSuccess_SendsNothingAgain()
    {
        _world.SetUpSmsSuccess();
        await _world.Batches.HandleAsync(_batch, 1, default);

        var again = await _world.Batches.HandleAsync(_batch, 2, default);

        again.Settlement.Should().Be(DispatchSettlement.Complete.Instance);
        again.Rows.Should().OnlyContain(r => r.Outcome == SendOutcome.AlreadyDone);
        _world.Sms.Verify(g => g.SendAsync(It.IsAny<SmsSendRequest>(), It.IsAny<CancellationToken>()), Times.Exactly(_batch.Recipients.Count));
    }

    [Fact]
    public async Task Handle_OneRowClaimedByAnotherSenderMeanwhile_FallsBackPerRowSendsTheOthersAndComesBackForIt()
    {
        var rival = _batch.Keys[1];
        _world.SetUpSmsSuccess();
        // Just before the claim transaction, another sender claims one row: the transaction fails on its ETag.
        _world.Deliveries.BeforeUpdate = table => table.Put(table[rival] with { Status = DeliveryStatus.Sending, Attempt = 1, ClaimedAt = _world.Time.Now() });

        var result = await _world.Batches.HandleAsync(_batch, 1, default);

        result.Settlement.Should().BeOfType<DispatchSettlement.RetryLater>("the message comes back to see the rival's row settled");
        result.Rows.Single(r => r.Key == rival).Outcome.Should().Be(SendOutcome.ClaimLost);
        result.Rows.Where(r => r.Key != rival).Should().OnlyContain(r => r.Outcome == SendOutcome.Sent);
        _world.Deliveries.FailedTransactions.Should().Be(1);
        _world.Sms.Verify(g => g.SendAsync(It.Is<SmsSendRequest>(r => r.DeliveryReference == rival.Value), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task Handle_OneRowReleasedByAnotherSenderMeanwhile_ComesBackAndSendsIt()
    {
        var released = _batch.Keys[2];
        _world.SetUpSmsSuccess();
        // Between this sender's read and its claim, another writer changes the row without taking it (as another copy of the
        // batch releasing its claim after a failed send does): nobody holds it now, so dropping it as "lost to another
        // sender" would leave it unsent for ever.
        _world.Deliveries.BeforeUpdate = table => table.Put(table[released] with { UpdatedAt = _world.Time.Now() + Duration.FromMilliseconds(1) });

        var first = await _world.Batches.HandleAsync(_batch, 1, default);
        _world.Deliveries.BeforeUpdate = null;
        var second = await _world.Batches.HandleAsync(_batch, 2, default);

        first.Rows.Single(r => r.Key == released).Outcome.Should().Be(SendOutcome.ClaimLost);
        first.Settlement.Should().BeOfType<DispatchSettlement.RetryLater>();
        second.Settlement.Should().Be(DispatchSettlement.Complete.Instance);
        second.Rows.Single(r => r.Key == released).Outcome.Should().Be(SendOutcome.Sent);
        _world.Sms.Verify(g => g.SendAsync(It.Is<SmsSendRequest>(r => r.DeliveryReference == released.Value), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Handle_OptedOutAndPermanentFailure_SettleCompleteWithEachRowsOutcome()
    {
        var (optedOut, invalid) = (_batch.Keys[0], _batch.Keys[1]);
        _world.OptedOut.Add((optedOut.Recipient, Channel.Sms));
        var count = 0;
        _world.Sms.Setup(g => g.SendAsync(It.IsAny<SmsSendRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((SmsSendRequest r, CancellationToken _) => r.DeliveryReference == invalid.Value
                ? throw new SmsSendException(ChannelFailureKind.InvalidRecipient, "21211", "Invalid 'To' number.")
                : new SmsSendResult("SM" + Interlocked.Increment(ref count).ToString("D32", CultureInfo.InvariantCulture), "queued", 1));

        var result = await _world.Batches.HandleAsync(_batch, 1, default);

        result.Settlement.Should().Be(DispatchSettlement.Complete.Instance);
        result.Rows.Single(r => r.Key == optedOut).Should().Match<SendResult>(r => r.Outcome == SendOutcome.Skipped && r.SkipReason == SkipReason.OptedOut);
        result.Rows.Single(r => r.Key == invalid).Should().Match<SendResult>(r => r.Outcome == SendOutcome.Failed && r.FailureReason == FailureReason.InvalidNumber);
        result.Rows.Count(r => r.Outcome == SendOutcome.Sent).Should().Be(_batch.Recipients.Count - 2);
    }

    [Fact]
    public async Task Handle_TransientFailure_RetriesLaterWithBackoff_ThenDeadLettersAtTheLimit()
    {
        var flaky = _batch.Keys[2];
        var count = 0;
        _world.Sms.Setup(g => g.SendAsync(It.IsAny<SmsSendRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((SmsSendRequest r, CancellationToken _) => r.DeliveryReference == flaky.Value
                ? throw new SmsSendException(ChannelFailureKind.Transient, "20429", "Too many requests.")
                : new SmsSendResult("SM" + Interlocked.Increment(ref count).ToString("D32", CultureInfo.InvariantCulture), "queued", 1));
        _world.Sms.Setup(g => g.FindSentAsync(It.IsAny<string>(), It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>())).Returns(AsyncEnumerable.Empty<SmsSentRecord>());

        var first = await _world.Batches.HandleAsync(_batch, 3, default);

        first.Settlement.Should().BeOfType<DispatchSettlement.RetryLater>().Which.Delay.Should().Be(DispatchBatchHandler.Backoff(3));
        ((DispatchSettlement.RetryLater)first.Settlement).Reason.Should().Contain("1 of").And.Contain(flaky.Value);
        first.Rows.Single(r => r.Key == flaky).Outcome.Should().Be(SendOutcome.Retry);
        _world.Deliveries[flaky].Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sending && r.Released, "nothing went out: the claim is released");

        var last = await _world.Batches.HandleAsync(_batch, _world.Options.MaxDispatchDeliveries, default);

        var dead = last.Settlement.Should().BeOfType<DispatchSettlement.DeadLetter>().Subject;
        dead.Reason.Should().Be(DeadLetterReasons.TooManyDeliveries);
        dead.Description.Should().Contain(_batch.DispatchId).And.Contain("1 of");
        _world.Sms.Verify(g => g.SendAsync(It.Is<SmsSendRequest>(r => r.DeliveryReference != flaky.Value), It.IsAny<CancellationToken>()), Times.Exactly(_batch.Recipients.Count - 1), "the others went once");
    }

    [Fact]
    public async Task Handle_OutcomeUnknown_KeepsTheClaimAndTheRedeliveryReconcilesInsteadOfResending()
    {
        var unknown = _batch.Keys[0];
        string? body = null;
        var sends = 0;
        _world.Sms.Setup(g => g.SendAsync(It.IsAny<SmsSendRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((SmsSendRequest r, CancellationToken _) =>
            {
                if (r.DeliveryReference != unknown.Value)
                {
                    return new SmsSendResult("SM" + Interlocked.Increment(ref sends).ToString("D32", CultureInfo.InvariantCulture), "queued", 1);
                }

                body = r.Body;
                throw new SmsSendException(ChannelFailureKind.OutcomeUnknown, null, "Timed out.");
            });
        var address = _world.Deliveries[unknown].Address!;
        var createdAtTwilio = _world.Time.GetUtcNow();

        var first = await _world.Batches.HandleAsync(_batch, 1, default);

        first.Settlement.Should().BeOfType<DispatchSettlement.RetryLater>();
        _world.Deliveries[unknown].Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sending && !r.Released, "the provider may have it: the claim stays");
        _world.Sms.Setup(g => g.FindSentAsync(address, It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()))
            .Returns(new[] { new SmsSentRecord("SMfound", "delivered", body, createdAtTwilio) }.ToAsyncEnumerable());
        _world.Time.Advance(_world.Options.StuckSendingAfter + TimeSpan.FromSeconds(1));

        var second = await _world.Batches.HandleAsync(_batch, 2, default);

        second.Settlement.Should().Be(DispatchSettlement.Complete.Instance);
        second.Rows.Single(r => r.Key == unknown).Outcome.Should().Be(SendOutcome.Reconciled);
        _world.Deliveries[unknown].Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Delivered && r.ProviderId == "SMfound");
        _world.Sms.Verify(g => g.SendAsync(It.Is<SmsSendRequest>(r => r.DeliveryReference == unknown.Value), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Handle_AlertNotStored_RetriesLater_ThenDeadLettersAsAlertMissing()
    {
        _world.Alerts.Remove(_alert.AlertId);

        var first = await _world.Batches.HandleAsync(_batch, 1, default);
        var last = await _world.Batches.HandleAsync(_batch, _world.Options.MaxDispatchDeliveries, default);

        first.Settlement.Should().BeOfType<DispatchSettlement.RetryLater>();
        last.Settlement.Should().BeOfType<DispatchSettlement.DeadLetter>().Which.Reason.Should().Be(DeadLetterReasons.AlertMissing);
        BatchRows.Should().OnlyContain(r => r.Status == DeliveryStatus.Pending, "nothing is dropped: the rows stay for a later dispatch or the report");
    }

    [Fact]
    public async Task Handle_ScheduledBatchArrivingBeforeItsNotBefore_ComesBackThen()
    {
        var notBefore = _world.Time.Now() + Duration.FromSeconds(30);
        foreach (var row in BatchRows.ToList())
        {
            _world.Deliveries.Put(row with { NotBefore = notBefore });
        }

        var early = await _world.Batches.HandleAsync(_batch with { NotBefore = notBefore }, 1, default);

        early.Rows.Should().OnlyContain(r => r.Outcome == SendOutcome.Deferred);
        early.Settlement.Should().BeOfType<DispatchSettlement.RetryLater>().Which.Delay.Should().Be(TimeSpan.FromSeconds(30));
        var unscheduled = await _world.Batches.HandleAsync(_batch, 1, default);
        unscheduled.Settlement.Should().Be(DispatchSettlement.Complete.Instance, "an unscheduled duplicate leaves the rows to their own scheduled batch");
    }
}
