using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Testing;
using Moq;

namespace AlertPipeline.UnitTests.Pipeline;

public sealed class SendEmailHandlerTests
{
    private const string Address = "aigul@example.org";
    private readonly PipelineWorld _world = new();
    private readonly DeliveryKey _key;

    public SendEmailHandlerTests()
    {
        _world.AddContact(PipelineWorld.Kz, PipelineWorld.Aqtau, "aigul", email: Address, name: "Aigul");
        var alert = _world.StoreAlert(PipelineWorld.EventJson(channels: """["email"]"""));
        _key = _world.KeyFor(alert, Channel.Email, Address);
        _world.Deliveries.Put(DeliveryPlanner.Plan(alert, _world.Contacts, _world.Hasher, _world.Time.Now()).Single());
        _world.Options.EmailUnsubscribeBaseUrl = new Uri("https://alerts.example.org/unsubscribe");
        _world.Options.EmailUnsubscribeMailto = "unsubscribe@example.org";
    }

    private DeliveryRecord Row => _world.Deliveries[_key];

    [Fact]
    public async Task Send_Pending_SendsOnceWithUnsubscribeHeadersAndRecordsSent()
    {
        EmailSendRequest? sent = null;
        _world.Email.Setup(g => g.SendAsync(It.IsAny<EmailSendRequest>(), It.IsAny<CancellationToken>()))
            .Callback((EmailSendRequest r, CancellationToken _) => sent = r)
            .ReturnsAsync(new EmailSendResult("<ap.1@example.org>"));

        var result = await _world.SendEmail.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Sent);
        sent!.To.Should().Be(Address);
        sent.ToName.Should().Be("Aigul");
        sent.Subject.Should().Be("Zhanaozen, 14 years on");
        sent.TextBody.Should().Be("Dear Aigul, Mangystau Oil Workers (Aqtau) remembers on 16 December 2025.");
        sent.HtmlBody.Should().Be("<p>Dear Aigul</p>");
        sent.DeliveryReference.Should().Be(_key.Value);
        sent.UnsubscribeUrl!.AbsoluteUri.Should().Be($"https://alerts.example.org/unsubscribe?ref={_key.Value}");
        sent.ListUnsubscribeHeader.Should().Contain("mailto:unsubscribe@example.org");
        Row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sent && r.ProviderId == "<ap.1@example.org>" && r.Attempt == 1);
        Row.Address.Should().BeNull("a sent row keeps no email address");
    }

    [Fact]
    public async Task Send_MailboxRefused_FailsInvalidAddress()
    {
        _world.Email.Setup(g => g.SendAsync(It.IsAny<EmailSendRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new EmailSendException(ChannelFailureKind.InvalidRecipient, "550", "no such user"));

        var result = await _world.SendEmail.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Failed);
        Row.Should().Match<DeliveryRecord>(r => r.FailureReason == FailureReason.InvalidAddress && r.ErrorCode == "550");
    }

    [Fact]
    public async Task Send_StaleClaimNeverHandedOver_ResendsBecauseNothingWasSent()
    {
        _world.Deliveries.Put(Row with { Status = DeliveryStatus.Sending, ClaimedAt = _world.Time.Now(), Attempt = 1 });
        _world.Time.Advance(TimeSpan.FromMinutes(3));
        _world.Email.Setup(g => g.SendAsync(It.IsAny<EmailSendRequest>(), It.IsAny<CancellationToken>())).ReturnsAsync(new EmailSendResult("<ap.1@example.org>"));

        var result = await _world.SendEmail.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Sent);
        Row.Attempt.Should().Be(2);
        Row.Unconfirmed.Should().BeNull();
    }

    [Fact]
    public async Task Send_StaleClaimMarkedHandedOver_RecordsSentUnconfirmedWithoutResending()
    {
        var claimedAt = _world.Time.Now();
        _world.Deliveries.Put(Row with { Status = DeliveryStatus.Sending, ClaimedAt = claimedAt, FirstClaimedAt = claimedAt, HandedOverAt = claimedAt, Attempt = 1 });
        _world.Time.Advance(TimeSpan.FromMinutes(3));

        var result = await _world.SendEmail.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Reconciled);
        Row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sent && r.Unconfirmed == UnconfirmedReasons.SmtpSenderStopped && r.Address == null);
        _world.Email.Verify(g => g.SendAsync(It.IsAny<EmailSendRequest>(), It.IsAny<CancellationToken>()), Times.Never, "it may have been delivered: never twice");
    }

    [Fact]
    public async Task Send_MarksTheRowHandedOverOnlyWhenTheGatewayCallsTheHook()
    {
        DeliveryRecord? connected = null;
        DeliveryRecord? handingOver = null;
        _world.Email.Setup(g => g.SendAsync(It.IsAny<EmailSendRequest>(), It.IsAny<CancellationToken>()))
            .Returns(async (EmailSendRequest r, CancellationToken ct) =>
            {
                connected = Row;
                await r.BeforeHandover!(ct);
                handingOver = Row;
                return new EmailSendResult("<ap.1@example.org>");
            });

        await _world.SendEmail.HandleAsync(_key, default);

        connected!.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sending && r.HandedOverAt == null, "nothing is marked before the gateway reaches the end of the body");
        handingOver!.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sending && r.HandedOverAt != null);
        Row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sent && r.Unconfirmed == null);
    }

    [Fact]
    public async Task Send_ReplyLostAfterTheData_RecordsSentUnconfirmedAndDoesNotRetry()
    {
        _world.Email.Setup(g => g.SendAsync(It.IsAny<EmailSendRequest>(), It.IsAny<CancellationToken>()))
            .Returns(async (EmailSendRequest r, CancellationToken ct) =>
            {
                await r.BeforeHandover!(ct);
                throw new EmailSendException(ChannelFailureKind.OutcomeUnknown, null, "connection lost after the data");
            });

        var result = await _world.SendEmail.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Sent);
        Row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sent && r.Unconfirmed == UnconfirmedReasons.SmtpReplyLost);
        _world.Email.Verify(g => g.SendAsync(It.IsAny<EmailSendRequest>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Send_MarkOnItsWay_EndOfDataGoesBeforeTheTableAnswersAndTheRowIsSentMarked()
    {
        var endOfData = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _world.Email.Setup(g => g.SendAsync(It.IsAny<EmailSendRequest>(), It.IsAny<CancellationToken>()))
            .Returns(async (EmailSendRequest r, CancellationToken ct) =>
            {
                _world.Deliveries.AnswerAfterSent = () => endOfData.Task.WaitAsync(TimeSpan.FromSeconds(10));
                await r.BeforeHandover!(ct);
                endOfData.SetResult(); // the end of data is written before the mark's answer came
                return new EmailSendResult("<ap.1@example.org>");
            });

        var result = await _world.SendEmail.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Sent);
        _world.Deliveries.WatchedUpdates.Should().Equal([true]);
        Row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sent && r.Unconfirmed == null && r.HandedOverAt != null);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Send_MarkFailsAfterTheEndOfDataWent_RecordsWhatTheSendDidAndNeverResends(bool replyLost)
    {
        _world.Email.Setup(g => g.SendAsync(It.IsAny<EmailSendRequest>(), It.IsAny<CancellationToken>()))
            .Returns(async (EmailSendRequest r, CancellationToken ct) =>
            {
                var failMark = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _world.Deliveries.AnswerAfterSent = async () =>
                {
                    await failMark.Task.WaitAsync(TimeSpan.FromSeconds(10));
                    throw new IOException("the table's answer to the mark was lost");
                };
                await r.BeforeHandover!(ct);
                failMark.SetResult(); // the end of data is out; now the mark fails
                return replyLost
                    ? throw new EmailSendException(ChannelFailureKind.OutcomeUnknown, null, "connection lost after the data")
                    : new EmailSendResult("<ap.1@example.org>");
            });

        var result = await _world.SendEmail.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Sent, "the end of data went out: the row is never released for a resend");
        Row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sent && !r.Released && r.HandedOverAt != null
            && r.Unconfirmed == (replyLost ? UnconfirmedReasons.SmtpReplyLost : null));
        _world.Deliveries.Updates.Should().Be(3, "the claim, the mark written again after the failed one, the Sent record");
        _world.Email.Verify(g => g.SendAsync(It.IsAny<EmailSendRequest>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Send_MarkFailsAfterTheEndOfDataAndTheTableStaysAway_WritesTheMarkOnceTheTableIsBack()
    {
        var endOfData = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _world.Email.Setup(g => g.SendAsync(It.IsAny<EmailSendRequest>(), It.IsAny<CancellationToken>()))
            .Returns(async (EmailSendRequest r, CancellationToken ct) =>
            {
                _world.Deliveries.AnswerAfterSent = async () =>
                {
                    await endOfData.Task.WaitAsync(TimeSpan.FromSeconds(10));
                    _world.Deliveries.BeforeUpdate = _ => throw new IOException("the table is still away");
                    throw new IOException("the mark's request was lost with the table");
                };
                await r.BeforeHandover!(ct);
                endOfData.SetResult();
                return new EmailSendResult("<ap.1@example.org>");
            });

        var sending = _world.SendEmail.HandleAsync(_key, default);
        await Poll.UntilAsync(() => _world.Time.ActiveTimerCount == 1, "the second mark to fail and wait");
        Row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sending && r.HandedOverAt == null && !r.Released,
            "the end of data went: the claim is kept, not released");
        _world.Time.Advance(DeliveryClaims.MarkRetryInterval);
        var result = await sending;

        result.Outcome.Should().Be(SendOutcome.Sent);
        Row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sent && r.HandedOverAt != null && r.Unconfirmed == null);
    }

    [Theory]
    [InlineData(EmailEndOfData.MarkSent, 0, true, 3)]
    [InlineData(EmailEndOfData.MarkSent, 59, true, 3)]
    [InlineData(EmailEndOfData.MarkSent, 60, true, 4)]
    [InlineData(EmailEndOfData.MarkStored, 60, false, 3)]
    public async Task Send_EndOfDataFollowsTheMarksRequest_ForAFreshClaim_OrOneRenewedFirst_UnlessSetToMarkStored(
        EmailEndOfData after, int claimAgeSeconds, bool watched, int updates)
    {
        _world.Options.EmailEndOfDataAfter = after;
        _world.Options.StuckSendingAfter = TimeSpan.FromMinutes(2);
        _world.Email.Setup(g => g.SendAsync(It.IsAny<EmailSendRequest>(), It.IsAny<CancellationToken>()))
            .Returns(async (EmailSendRequest r, CancellationToken ct) =>
            {
                _world.Time.Advance(TimeSpan.FromSeconds(claimAgeSeconds)); // the send waited this long after the claim
                if (updates == 4)
                {
                    _world.Deliveries.BeforeUpdate = t =>
                    {
                        t[_key].ClaimedAt.Should().Be(_world.Time.Now() - NodaTime.Duration.FromSeconds(claimAgeSeconds), "the aged claim is renewed first ...");
                        t.AnswerAfterSent = () => Task.CompletedTask; // ... then the mark goes
                    };
                }
                else
                {
                    _world.Deliveries.AnswerAfterSent = () => Task.CompletedTask;
                }

                await r.BeforeHandover!(ct);
                return new EmailSendResult("<ap.1@example.org>");
            });

        await _world.SendEmail.HandleAsync(_key, default);

        _world.Deliveries.WatchedUpdates.Should().Equal([watched], "with MarkSent the end of data follows the mark's request (of a claim under half of StuckSendingAfter, renewed if older)");
        _world.Deliveries.Updates.Should().Be(updates, "the claim, (the renewal of an aged claim,) the mark, the Sent record");
        Row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sent && r.HandedOverAt != null);
    }

    [Fact]
    public async Task Send_FailsWhileConnectingBeforeTheMark_IsRetriedNotRecordedUnconfirmed()
    {
        _world.Email.Setup(g => g.SendAsync(It.IsAny<EmailSendRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException("something broke while connecting"));

        await FluentActions.Awaiting(() => _world.SendEmail.HandleAsync(_key, default)).Should().ThrowAsync<PipelineRetryException>();

        Row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sending && r.Released && r.HandedOverAt == null && r.Unconfirmed == null);
    }

    [Fact]
    public async Task Send_CutBeforeTheData_ReleasesTheClaimAndClearsTheMarkSoTheRetrySends()
    {
        _world.Email.SetupSequence(g => g.SendAsync(It.IsAny<EmailSendRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new EmailSendException(ChannelFailureKind.Transient, null, "cut before DATA"))
            .ReturnsAsync(new EmailSendResult("<ap.1@example.org>"));

        await FluentActions.Awaiting(() => _world.SendEmail.HandleAsync(_key, default)).Should().ThrowAsync<PipelineRetryException>();
        Row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sending && r.Released && r.HandedOverAt == null);
        var retried = await _world.SendEmail.HandleAsync(_key, default);

        retried.Outcome.Should().Be(SendOutcome.Sent);
        Row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sent && r.Unconfirmed == null && r.Attempt == 2);
    }

    [Fact]
    public async Task Send_RowTakenOverBeforeTheMark_SendsNothingAndLeavesTheRowToTheOtherSender()
    {
        _world.Email.Setup(g => g.SendAsync(It.IsAny<EmailSendRequest>(), It.IsAny<CancellationToken>()))
            .Returns(async (EmailSendRequest r, CancellationToken ct) =>
            {
                // Another sender took the claim over while this one was writing the body.
                _world.Deliveries.BeforeUpdate = t => t.Put(t[_key] with { Attempt = 2, ClaimedAt = _world.Time.Now() });
                await r.BeforeHandover!(ct);
                throw new InvalidOperationException("the gateway went on after a failed mark");
            });

        var result = await _world.SendEmail.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.ClaimLost);
        Row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sending && r.Attempt == 2 && r.HandedOverAt == null && r.Unconfirmed == null);
    }

    [Fact]
    public async Task Send_MarkCannotBeWritten_SendsNothingAndReleasesSoTheRetrySends()
    {
        var sends = 0;
        _world.Email.Setup(g => g.SendAsync(It.IsAny<EmailSendRequest>(), It.IsAny<CancellationToken>()))
            .Returns(async (EmailSendRequest r, CancellationToken ct) =>
            {
                if (++sends == 1)
                {
                    _world.Deliveries.BeforeUpdate = _ => throw new IOException("the table did not answer");
                }

                await r.BeforeHandover!(ct);
                return new EmailSendResult("<ap.1@example.org>");
            });

        await FluentActions.Awaiting(() => _world.SendEmail.HandleAsync(_key, default)).Should().ThrowAsync<PipelineRetryException>();
        Row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sending && r.Released && r.HandedOverAt == null);
        var retried = await _world.SendEmail.HandleAsync(_key, default);

        retried.Outcome.Should().Be(SendOutcome.Sent);
        Row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sent && r.Unconfirmed == null && r.Attempt == 2 && r.HandedOverAt != null);
        sends.Should().Be(2);
    }

    [Fact]
    public async Task Send_MarkWrittenButItsAnswerLost_ReleasesAndClearsTheMarkSoTheRetrySends()
    {
        var sends = 0;
        _world.Email.Setup(g => g.SendAsync(It.IsAny<EmailSendRequest>(), It.IsAny<CancellationToken>()))
            .Returns(async (EmailSendRequest r, CancellationToken ct) =>
            {
                if (++sends == 1)
                {
                    _world.Deliveries.BeforeUpdate = t =>
                    {
                        t.Put(t[_key] with { HandedOverAt = _world.Time.Now() }); // the table wrote the mark ...
                        throw new IOException("... and its answer was lost");
                    };
                }

                await r.BeforeHandover!(ct);
                return new EmailSendResult("<ap.1@example.org>");
            });

        await FluentActions.Awaiting(() => _world.SendEmail.HandleAsync(_key, default)).Should().ThrowAsync<PipelineRetryException>();
        Row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sending && r.Released && r.HandedOverAt == null, "nothing was handed over: no mark may outlive the claim");
        var retried = await _world.SendEmail.HandleAsync(_key, default);

        retried.Outcome.Should().Be(SendOutcome.Sent);
        Row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sent && r.Unconfirmed == null && r.Attempt == 2);
        sends.Should().Be(2);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(0, 4)]
    public async Task SendBatch_HandoverGate_BoundsTheEmailsBetweenTheMarkAndTheReply(int gate, int expectedMostInFlight)
    {
        var world = new PipelineWorld();
        world.Options.EmailHandoversInFlight = gate;
        var addresses = new[] { "aigul@example.org", "bolat@example.org", "dana@example.org", "erlan@example.org" };
        foreach (var address in addresses)
        {
            world.AddContact(PipelineWorld.Kz, PipelineWorld.Aqtau, address.Split('@')[0], email: address);
        }

        var alert = world.StoreAlert(PipelineWorld.EventJson(channels: """["email"]"""));
        foreach (var row in DeliveryPlanner.Plan(alert, world.Contacts, world.Hasher, world.Time.Now()))
        {
            world.Deliveries.Put(row);
        }

        var inFlight = 0;
        var most = 0;
        world.Email.Setup(g => g.SendAsync(It.IsAny<EmailSendRequest>(), It.IsAny<CancellationToken>()))
            .Returns(async (EmailSendRequest r, CancellationToken ct) =>
            {
                await r.BeforeHandover!(ct);
                var now = Interlocked.Increment(ref inFlight);
                InterlockedMax(ref most, now);
                await Task.Delay(50, ct); // the end of data and its reply
                Interlocked.Decrement(ref inFlight);
                return new EmailSendResult($"<ap.{r.DeliveryReference}@example.org>");
            });

        var sent = await world.SendEmail.SendBatchAsync([.. addresses.Select(a => world.KeyFor(alert, Channel.Email, a))], default);

        sent.Rows.Should().OnlyContain(r => r.Outcome == SendOutcome.Sent);
        most.Should().Be(expectedMostInFlight, "the gate holds a slot from before the mark until the gateway returns");
        world.Gate.InFlight.Should().Be(0, "every slot is given back");
    }

    [Fact]
    public async Task SendBatch_MarkStoredButItsAnswerLost_KeepsTheGateSlotUntilTheMarkIsCleared()
    {
        var world = new PipelineWorld();
        world.Options.EmailHandoversInFlight = 1;
        var addresses = new[] { "aigul@example.org", "bolat@example.org" };
        foreach (var address in addresses)
        {
            world.AddContact(PipelineWorld.Kz, PipelineWorld.Aqtau, address.Split('@')[0], email: address);
        }

        var alert = world.StoreAlert(PipelineWorld.EventJson(channels: """["email"]"""));
        foreach (var row in DeliveryPlanner.Plan(alert, world.Contacts, world.Hasher, world.Time.Now()))
        {
            world.Deliveries.Put(row);
        }

        var keys = addresses.Select(a => world.KeyFor(alert, Channel.Email, a)).ToList();
        var calls = 0;
        DeliveryKey? failed = null;
        DeliveryRecord? failedRowAtSecondMark = null;
        var firstMarkTried = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        world.Email.Setup(g => g.SendAsync(It.IsAny<EmailSendRequest>(), It.IsAny<CancellationToken>()))
            .Returns(async (EmailSendRequest r, CancellationToken ct) =>
            {
                var key = keys.Single(k => k.Value == r.DeliveryReference);
                if (Interlocked.Increment(ref calls) == 1)
                {
                    failed = key;
                    world.Deliveries.BeforeUpdate = t =>
                    {
                        t.Put(t[key] with { HandedOverAt = world.Time.Now() }); // the table wrote the mark ...
                        firstMarkTried.SetResult();
                        throw new IOException("... and its answer never came back");
                    };
                }
                else
                {
                    await firstMarkTried.Task.WaitAsync(TimeSpan.FromSeconds(10), ct); // the other email's mark goes first
                }

                await r.BeforeHandover!(ct);
                failedRowAtSecondMark = world.Deliveries[failed!];
                return new EmailSendResult($"<ap.{r.DeliveryReference}@example.org>");
            });

        var sent = await world.SendEmail.SendBatchAsync(keys, default);

        sent.Rows.Select(r => r.Outcome).Should().BeEquivalentTo([SendOutcome.Retry, SendOutcome.Sent]);
        failedRowAtSecondMark.Should().Match<DeliveryRecord>(r => r.Released && r.HandedOverAt == null,
            "the slot of a mark that may be stored is given back only once the mark is cleared: a kill in between would lose an email beyond the gate's bound");
        world.Deliveries[failed!].Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sending && r.Released && r.HandedOverAt == null);
        world.Gate.InFlight.Should().Be(0);
    }

    [Fact]
    public async Task Send_WorkerStopping_MarksNothingSendsNothingAndReleasesTheClaim()
    {
        _world.Gate.Close();
        _world.Email.Setup(g => g.SendAsync(It.IsAny<EmailSendRequest>(), It.IsAny<CancellationToken>()))
            .Returns(async (EmailSendRequest r, CancellationToken ct) =>
            {
                await r.BeforeHandover!(ct); // throws: as MailKit, the gateway then drops the connection without the end of data
                return new EmailSendResult("<ap.1@example.org>");
            });

        await FluentActions.Awaiting(() => _world.SendEmail.HandleAsync(_key, default)).Should().ThrowAsync<PipelineRetryException>();

        Row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sending && r.Released && r.HandedOverAt == null && r.Unconfirmed == null,
            "a stopping worker begins no handover: the row is re-sent later, by this worker's successor");
    }

    [Fact]
    public async Task Send_StaleClaimMarkedHandedOver_KeepsWhenTheStoreWroteTheMark()
    {
        _world.Deliveries.Clock = () => _world.Time.Now();
        var claimedAt = _world.Time.Now();
        _world.Deliveries.Put(Row with { Status = DeliveryStatus.Sending, ClaimedAt = claimedAt, FirstClaimedAt = claimedAt, HandedOverAt = claimedAt, Attempt = 1 });
        var storedAt = _world.Time.Now();
        _world.Time.Advance(TimeSpan.FromMinutes(3));

        var result = await _world.SendEmail.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Reconciled);
        Row.Should().Match<DeliveryRecord>(r => r.Unconfirmed == UnconfirmedReasons.SmtpSenderStopped && r.HandoverStoredAt == storedAt);
    }

    [Fact]
    public async Task Send_Sent_KeepsNoHandoverStoredAt()
    {
        _world.Deliveries.Clock = () => _world.Time.Now();
        _world.Email.Setup(g => g.SendAsync(It.IsAny<EmailSendRequest>(), It.IsAny<CancellationToken>()))
            .Returns(async (EmailSendRequest r, CancellationToken ct) =>
            {
                await r.BeforeHandover!(ct);
                return new EmailSendResult("<ap.1@example.org>");
            });

        await _world.SendEmail.HandleAsync(_key, default);

        Row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sent && r.HandedOverAt != null && r.HandoverStoredAt == null,
            "only a stale marked claim, settled without its sender, keeps the store's time of the mark");
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        do
        {
            seen = target;
        }
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) != seen);
    }

    [Fact]
    public async Task Send_SmsKey_IsRefused()
    {
        var smsKey = new DeliveryKey(_key.AlertId, Channel.Sms, _key.Recipient);

        var act = () => _world.SendEmail.HandleAsync(smsKey, default);

        await act.Should().ThrowAsync<ArgumentException>();
    }
}
