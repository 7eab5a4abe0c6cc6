using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Messaging;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Testing;
using Moq;
using NodaTime;

namespace AlertPipeline.UnitTests.Pipeline;

public sealed class SendSmsHandlerTests
{
    private const string Phone = "+447700900123";
    private readonly PipelineWorld _world = new();
    private readonly AlertRecord _alert;
    private readonly DeliveryKey _key;

    public SendSmsHandlerTests()
    {
        _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "aigul", Phone, name: "Aigul");
        _alert = _world.StoreAlert(PipelineWorld.EventJson(channels: """["sms"]"""));
        _key = _world.KeyFor(_alert, Channel.Sms, Phone);
        _world.Deliveries.Put(DeliveryPlanner.Plan(_alert, _world.Contacts, _world.Hasher, _world.Time.Now()).Single());
    }

    private DeliveryRecord Row => _world.Deliveries[_key];

    [Fact]
    public async Task Send_Pending_ClaimsSendsOnceAndRecordsSent()
    {
        SmsSendRequest? sent = null;
        _world.SetUpSmsSuccess(r => sent = r);

        var result = await _world.SendSms.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Sent);
        sent!.To.Should().Be(Phone);
        sent.DeliveryReference.Should().Be(_key.Value, "the status callback URL carries it as ?ref=");
        sent.Body.Should().Be("Aigul: on 16 December 2025 at 06:00 we remember the Zhanaozen oil workers, 14 years on.");
        sent.ValidityPeriod.Should().Be(new DateTimeOffset(2025, 12, 16, 18, 0, 0, TimeSpan.Zero) - PipelineWorld.Start, "it ends at the alert's expiry");
        Row.Status.Should().Be(DeliveryStatus.Sent);
        Row.ProviderId.Should().StartWith("SM");
        Row.Attempt.Should().Be(1);
        Row.Encoding.Should().Be(SmsEncodingKind.Gsm7);
        Row.Segments.Should().Be(1);
        Row.Language!.Value.Should().Be("en");
        Row.BodyHash.Should().HaveLength(64);
        _world.LastCampaign[_key.Recipient].Should().Be(PipelineWorld.CampaignId, "HELP answers with the last campaign's line");
        _world.Sms.Verify(g => g.SendAsync(It.IsAny<SmsSendRequest>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Send_WaitedPastHalfTheClaimsLifetime_RenewsTheClaimBeforeTheRequest()
    {
        var waited = _world.Options.StuckSendingAfter * 0.6; // in the pacer, say
        Instant? claimedAtRequest = null;
        _world.SetUpSmsSuccess(r =>
        {
            _world.Time.Advance(waited);
            r.BeforeSend!(default).GetAwaiter().GetResult();
            claimedAtRequest = Row.ClaimedAt;
        });

        var result = await _world.SendSms.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Sent);
        claimedAtRequest.Should().Be(Instant.FromDateTimeOffset(PipelineWorld.Start + waited),
            "the message must be created while its claim is fresh: reconciliation looks for it from the claim on");
    }

    [Fact]
    public async Task Send_ShortWait_SendsWithoutRenewingTheClaim()
    {
        Instant? claimedAtRequest = null;
        _world.SetUpSmsSuccess(r =>
        {
            _world.Time.Advance(_world.Options.StuckSendingAfter * 0.4);
            r.BeforeSend!(default).GetAwaiter().GetResult();
            claimedAtRequest = Row.ClaimedAt;
        });

        await _world.SendSms.HandleAsync(_key, default);

        claimedAtRequest.Should().Be(Instant.FromDateTimeOffset(PipelineWorld.Start), "a fresh claim costs no write");
    }

    [Fact]
    public async Task Send_RowTakenOverWhileWaiting_SendsNothing()
    {
        _world.SetUpSmsSuccess(r =>
        {
            _world.Time.Advance(_world.Options.StuckSendingAfter * 1.5);
            _world.Deliveries.Put(Row with { ClaimedAt = _world.Time.Now(), Attempt = 2 }); // another sender took the stale claim
            r.BeforeSend!(default).GetAwaiter().GetResult();
        });

        var result = await _world.SendSms.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.ClaimLost, "the renewal's ETag no longer matches, so this sender must not send");
        Row.Attempt.Should().Be(2);
    }

    [Fact]
    public async Task Send_Sent_TheRowHeldTheNumberWhileSendingAndDropsItOnceSent()
    {
        DeliveryRecord? whileSending = null;
        _world.SetUpSmsSuccess(_ => whileSending = Row);

        await _world.SendSms.HandleAsync(_key, default);

        whileSending!.Status.Should().Be(DeliveryStatus.Sending);
        whileSending.Address.Should().Be(Phone, "a Sending row's retry reconciles against Twilio's messages to the number");
        Row.Status.Should().Be(DeliveryStatus.Sent);
        Row.Address.Should().BeNull("a sent row keeps no number");
    }

    [Fact]
    public async Task Send_RussianContact_RendersRussianAsUcs2()
    {
        var entry = _world.Contacts[0];
        _world.Contacts[0] = entry with { Contact = entry.Contact with { Language = LanguageTag.Parse("ru-KZ") } };
        _world.Deliveries.Put(DeliveryPlanner.Plan(_alert, _world.Contacts, _world.Hasher, _world.Time.Now()).Single());
        SmsSendRequest? sent = null;
        _world.SetUpSmsSuccess(r => sent = r);

        await _world.SendSms.HandleAsync(_key, default);

        sent!.Body.Should().StartWith("Aigul, 16.12.2025 в 06:00 вспоминаем");
        Row.Encoding.Should().Be(SmsEncodingKind.Ucs2);
        Row.Language!.Value.Should().Be("ru");
    }

    [Fact]
    public async Task Send_RivalClaimsFirst_SendsNothing()
    {
        // Strict gateway mock with no SendAsync set-up: any send fails the test.
        _world.Deliveries.BeforeUpdate = table => table.Put(table[_key] with { Status = DeliveryStatus.Sending, ClaimedAt = _world.Time.Now(), Attempt = 1 });

        var result = await _world.SendSms.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.ClaimLost);
        _world.Sms.Verify(g => g.SendAsync(It.IsAny<SmsSendRequest>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task Send_DuplicateDispatchAfterSent_DoesNothing()
    {
        _world.SetUpSmsSuccess();
        await _world.SendSms.HandleAsync(_key, default);

        var again = await _world.SendSms.HandleAsync(_key, default);

        again.Outcome.Should().Be(SendOutcome.AlreadyDone);
        _world.Sms.Verify(g => g.SendAsync(It.IsAny<SmsSendRequest>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Send_FreshClaimHeldByAnother_ThrowsRetryWithoutSending()
    {
        _world.Deliveries.Put(Row with { Status = DeliveryStatus.Sending, ClaimedAt = _world.Time.Now(), FirstClaimedAt = _world.Time.Now(), Attempt = 1, BodyHash = "ab" });

        var act = () => _world.SendSms.HandleAsync(_key, default);

        await act.Should().ThrowAsync<PipelineRetryException>();
    }

    [Fact]
    public async Task Send_FreshClaimFinishesWhileWaiting_DoesNothing()
    {
        _world.Options.MaxBusyWait = TimeSpan.FromMinutes(2);
        _world.Deliveries.Put(Row with { Status = DeliveryStatus.Sending, ClaimedAt = _world.Time.Now(), Attempt = 1 });

        var handling = _world.SendSms.HandleAsync(_key, default);
        await Poll.UntilAsync(() => _world.Time.ActiveTimerCount > 0, "the sender to wait for the rival claim");
        _world.Deliveries.Put(Row with { Status = DeliveryStatus.Sent, ProviderId = "SM-other" });
        _world.Time.Advance(_world.Options.BusyPollInterval);
        var result = await handling;

        result.Outcome.Should().Be(SendOutcome.AlreadyDone);
        result.ProviderId.Should().Be("SM-other");
    }

    [Fact]
    public async Task Send_StaleClaimAndTwilioHasOurMessage_RecordsItWithoutResending()
    {
        var body = "Aigul: on 16 December 2025 at 06:00 we remember the Zhanaozen oil workers, 14 years on.";
        var claimedAt = _world.Time.Now();
        _world.Deliveries.Put(Row with { Status = DeliveryStatus.Sending, ClaimedAt = claimedAt, FirstClaimedAt = claimedAt, Attempt = 1, BodyHash = Sha(body) });
        _world.Time.Advance(TimeSpan.FromMinutes(3));
        DateTimeOffset? since = null;
        _world.Sms.Setup(g => g.FindSentAsync(Phone, It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()))
            .Returns((string _, DateTimeOffset s, CancellationToken _) =>
            {
                since = s;
                return Records(new SmsSentRecord("SM-other-body", "delivered", "someone else's text", s.AddSeconds(1)), new SmsSentRecord("SM-ours", "sent", body, s.AddSeconds(70)));
            });

        var result = await _world.SendSms.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Reconciled);
        Row.Status.Should().Be(DeliveryStatus.Sent);
        Row.ProviderId.Should().Be("SM-ours");
        Row.Address.Should().BeNull("reconciliation looked the number up while the row was Sending; the reconciled row keeps none");
        since.Should().Be(claimedAt.ToDateTimeOffset() - _world.Options.ReconcileSkew);
        _world.Sms.Verify(g => g.SendAsync(It.IsAny<SmsSendRequest>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task Send_Sent_RecordsTheRowAsTheOwnerOfItsSid()
    {
        _world.SetUpSmsSuccess();

        await _world.SendSms.HandleAsync(_key, default);

        _world.ProviderIdOwners.Should().Equal(new Dictionary<string, string> { [Row.ProviderId!] = _key.Value });
    }

    [Fact]
    public async Task Send_StaleClaimAndTwilioHoldsOnlyAnotherAlertsMessageWithTheSameText_ResendsInsteadOfTakingIt()
    {
        var body = "Aigul: on 16 December 2025 at 06:00 we remember the Zhanaozen oil workers, 14 years on.";
        var claimedAt = _world.Time.Now();
        _world.Deliveries.Put(Row with { Status = DeliveryStatus.Sending, ClaimedAt = claimedAt, FirstClaimedAt = claimedAt, Attempt = 1, BodyHash = Sha(body) });
        _world.ProviderIdOwners["SM-other-alert"] = "another-alert-sms-key";
        _world.Time.Advance(TimeSpan.FromMinutes(3));
        _world.Sms.Setup(g => g.FindSentAsync(Phone, It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()))
            .Returns(Records(new SmsSentRecord("SM-other-alert", "delivered", body, claimedAt.ToDateTimeOffset().AddSeconds(5))));
        _world.SetUpSmsSuccess();

        var result = await _world.SendSms.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Sent, "the only matching message belongs to another delivery");
        Row.ProviderId.Should().NotBe("SM-other-alert");
        _world.ProviderIdOwners["SM-other-alert"].Should().Be("another-alert-sms-key", "the other delivery keeps its message");
        _world.Sms.Verify(g => g.SendAsync(It.IsAny<SmsSendRequest>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Send_StaleClaimAndTwoUnownedMessagesWithOurText_TakesTheOldestAfterTheClaimAndLeavesTheNewer()
    {
        // Another alert with the same text to the same number was sent a minute after ours, and neither answer was recorded
        // (a kill): Twilio lists the newer first, but ours is the first one after our claim.
        var body = "Aigul: on 16 December 2025 at 06:00 we remember the Zhanaozen oil workers, 14 years on.";
        var claimedAt = _world.Time.Now();
        _world.Deliveries.Put(Row with { Status = DeliveryStatus.Sending, ClaimedAt = claimedAt, FirstClaimedAt = claimedAt, Attempt = 1, BodyHash = Sha(body) });
        _world.Time.Advance(TimeSpan.FromMinutes(3));
        var at = claimedAt.ToDateTimeOffset();
        _world.Sms.Setup(g => g.FindSentAsync(Phone, It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()))
            .Returns(Records(new SmsSentRecord("SM-other-alert-newer", "sent", body, at.AddSeconds(60)), new SmsSentRecord("SM-ours-older", "sent", body, at.AddSeconds(1))));

        var result = await _world.SendSms.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Reconciled);
        Row.ProviderId.Should().Be("SM-ours-older");
        _world.ProviderIdOwners.Should().NotContainKey("SM-other-alert-newer", "it is left for the other alert's row to claim");
        _world.Sms.Verify(g => g.SendAsync(It.IsAny<SmsSendRequest>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task Send_StaleClaimWhoseOwnAnswerWasRecorded_TakesItsOwnMessageNotAnOlderUnownedOneWithTheSameText()
    {
        // Two alerts with the same text to one number were both in flight at a kill. The other alert's message was created
        // first and its answer was lost; ours was answered and recorded in the index, then the kill cut the row's update.
        var body = "Aigul: on 16 December 2025 at 06:00 we remember the Zhanaozen oil workers, 14 years on.";
        var claimedAt = _world.Time.Now();
        _world.Deliveries.Put(Row with { Status = DeliveryStatus.Sending, ClaimedAt = claimedAt, FirstClaimedAt = claimedAt, Attempt = 1, BodyHash = Sha(body) });
        _world.ProviderIdOwners["SM-ours-newer"] = _key.Value;
        _world.Time.Advance(TimeSpan.FromMinutes(3));
        var at = claimedAt.ToDateTimeOffset();
        _world.Sms.Setup(g => g.FindSentAsync(Phone, It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()))
            .Returns(Records(new SmsSentRecord("SM-ours-newer", "sent", body, at.AddSeconds(2)), new SmsSentRecord("SM-other-alert-older", "sent", body, at.AddSeconds(1))));

        var result = await _world.SendSms.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Reconciled);
        Row.ProviderId.Should().Be("SM-ours-newer");
        _world.ProviderIdOwners.Should().NotContainKey("SM-other-alert-older", "it is left for the other alert's row, which then sends nothing again");
        _world.Sms.Verify(g => g.SendAsync(It.IsAny<SmsSendRequest>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task Send_StaleClaimAndTheSameTextWasCreatedBeforeTheFirstClaim_IsNotTakenAsOurs()
    {
        var body = "Aigul: on 16 December 2025 at 06:00 we remember the Zhanaozen oil workers, 14 years on.";
        var claimedAt = _world.Time.Now();
        _world.Deliveries.Put(Row with { Status = DeliveryStatus.Sending, ClaimedAt = claimedAt, FirstClaimedAt = claimedAt, Attempt = 1, BodyHash = Sha(body) });
        _world.Time.Advance(TimeSpan.FromMinutes(3));
        _world.Sms.Setup(g => g.FindSentAsync(Phone, It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()))
            .Returns(Records(new SmsSentRecord("SM-earlier", "delivered", body, claimedAt.ToDateTimeOffset().AddSeconds(-2))));
        _world.SetUpSmsSuccess();

        var result = await _world.SendSms.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Sent, "a message older than our first claim cannot be ours");
        Row.ProviderId.Should().NotBe("SM-earlier");
        _world.ProviderIdOwners.Should().NotContainKey("SM-earlier");
    }

    [Fact]
    public async Task Send_StaleClaimAndTheSameTextWasCreatedAfterTheClaimWentStale_IsNotTakenAsOurs()
    {
        // Both sends' answers lost: ours never reached Twilio; another alert's, same text, was created well after our claim.
        var body = "Aigul: on 16 December 2025 at 06:00 we remember the Zhanaozen oil workers, 14 years on.";
        var claimedAt = _world.Time.Now();
        _world.Deliveries.Put(Row with { Status = DeliveryStatus.Sending, ClaimedAt = claimedAt, FirstClaimedAt = claimedAt, Attempt = 1, BodyHash = Sha(body) });
        _world.Time.Advance(TimeSpan.FromMinutes(5));
        var later = claimedAt.ToDateTimeOffset() + _world.Options.StuckSendingAfter + TimeSpan.FromSeconds(1);
        _world.Sms.Setup(g => g.FindSentAsync(Phone, It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()))
            .Returns(Records(new SmsSentRecord("SM-unowned-later", "sent", body, later)));
        _world.SetUpSmsSuccess();

        var result = await _world.SendSms.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Sent, "a message created after our claim went stale is not ours");
        _world.ProviderIdOwners.Should().NotContainKey("SM-unowned-later", "it is left for its own delivery to claim");
    }

    [Fact]
    public void EarliestCreation_TruncatesTheClaimToTheSecond()
    {
        var firstClaim = Instant.FromUtc(2025, 12, 16, 6, 0, 7).PlusNanoseconds(900_000_000);

        SendSmsHandler.EarliestCreation(firstClaim).Should().Be(new DateTimeOffset(2025, 12, 16, 6, 0, 7, TimeSpan.Zero), "Twilio's date_created has whole seconds");
    }

    [Fact]
    public async Task Send_StaleClaimAndTwilioHasNothing_ResendsOnce()
    {
        var claimedAt = _world.Time.Now();
        _world.Deliveries.Put(Row with { Status = DeliveryStatus.Sending, ClaimedAt = claimedAt, FirstClaimedAt = claimedAt, Attempt = 1, BodyHash = Sha("x") });
        _world.Time.Advance(TimeSpan.FromMinutes(3));
        _world.Sms.Setup(g => g.FindSentAsync(Phone, It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>())).Returns(Records());
        _world.SetUpSmsSuccess();

        var result = await _world.SendSms.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Sent);
        Row.Attempt.Should().Be(2);
        Row.FirstClaimedAt.Should().Be(claimedAt, "the reconciliation window starts at the first claim");
        _world.Sms.Verify(g => g.SendAsync(It.IsAny<SmsSendRequest>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Send_TwilioSays21610_FailsOptedOutAndRecordsTheOptOut()
    {
        _world.Sms.Setup(g => g.SendAsync(It.IsAny<SmsSendRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new SmsSendException(ChannelFailureKind.OptedOut, "21610", "replied STOP"));

        var result = await _world.SendSms.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Failed);
        Row.Status.Should().Be(DeliveryStatus.Failed);
        Row.FailureReason.Should().Be(FailureReason.OptedOut);
        Row.ErrorCode.Should().Be("21610");
        _world.OptedOut.Should().Contain((_key.Recipient, Channel.Sms));
    }

    [Theory]
    [InlineData("21211", FailureReason.InvalidNumber)]
    [InlineData("21614", FailureReason.NotMobile)]
    [InlineData(null, FailureReason.InvalidNumber)]
    public async Task Send_InvalidRecipient_FailsWithReason(string? code, FailureReason reason)
    {
        _world.Sms.Setup(g => g.SendAsync(It.IsAny<SmsSendRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new SmsSendException(ChannelFailureKind.InvalidRecipient, code, "invalid"));

        await _world.SendSms.HandleAsync(_key, default);

        Row.Status.Should().Be(DeliveryStatus.Failed);
        Row.FailureReason.Should().Be(reason);
        Row.Address.Should().BeNull("a failed row keeps no number");
    }

    [Fact]
    public async Task Send_TooManyRequests_ReleasesTheClaimThrowsAndTheRetryReconcilesThenSends()
    {
        _world.Sms.SetupSequence(g => g.SendAsync(It.IsAny<SmsSendRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new SmsSendException(ChannelFailureKind.Transient, "20429", "too many requests"))
            .ReturnsAsync(new SmsSendResult("SM-2", "queued", 1));
        _world.Sms.Setup(g => g.FindSentAsync(Phone, It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>())).Returns(Records());

        var first = () => _world.SendSms.HandleAsync(_key, default);
        await first.Should().ThrowAsync<PipelineRetryException>();
        Row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sending && r.Released);

        var second = await _world.SendSms.HandleAsync(_key, default);

        second.Outcome.Should().Be(SendOutcome.Sent);
        Row.ProviderId.Should().Be("SM-2");
        _world.Sms.Verify(g => g.FindSentAsync(Phone, It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Send_OutcomeUnknown_KeepsTheClaimAndThrows()
    {
        _world.Sms.Setup(g => g.SendAsync(It.IsAny<SmsSendRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new SmsSendException(ChannelFailureKind.OutcomeUnknown, "500", "server error"));

        var act = () => _world.SendSms.HandleAsync(_key, default);

        await act.Should().ThrowAsync<PipelineRetryException>();
        Row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sending && !r.Released && r.ClaimedAt != null);
    }

    [Fact]
    public async Task Send_AfterExpiry_SkipsExpired()
    {
        _world.Time.SetUtcNow(new DateTimeOffset(2025, 12, 16, 18, 0, 0, TimeSpan.Zero));

        var result = await _world.SendSms.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Skipped);
        Row.SkipReason.Should().Be(SkipReason.Expired);
    }

    [Fact]
    public async Task Send_OptedOutAfterFanOut_SkipsOptedOut()
    {
        _world.OptedOut.Add((_key.Recipient, Channel.Sms));

        var result = await _world.SendSms.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Skipped);
        Row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Skipped && r.SkipReason == SkipReason.OptedOut && r.Address == null);
    }

    [Fact]
    public async Task Send_CallbackOvertakesOurSentWrite_KeepsDeliveredAndFillsProviderId()
    {
        _world.SetUpSmsSuccess(_ => _world.Deliveries.BeforeUpdate = table =>
            table.Put(table[_key] with { Status = DeliveryStatus.Delivered }));

        var result = await _world.SendSms.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Sent);
        Row.Status.Should().Be(DeliveryStatus.Delivered, "statuses never move backwards");
        Row.ProviderId.Should().StartWith("SM");
    }

    [Fact]
    public async Task Send_RowFannedOutWithSnapshot_RendersFromTheRowWithoutReadingTheContact()
    {
        Row.Snapshot.Should().Be(new ContactSnapshot("Aigul", LanguageTag.English, TimeZoneId.Parse("Europe/London")), "fan-out copies what rendering needs");
        Row.Snapshot!.ToString().Should().NotContain("Aigul", "the name is personal data");
        SmsSendRequest? sent = null;
        _world.SetUpSmsSuccess(r => sent = r);

        var result = await _world.SendSms.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Sent);
        sent!.Body.Should().StartWith("Aigul: on 16 December 2025 at 06:00");
        _world.Membership.Verify(m => m.GetContactAsync(It.IsAny<UnionId>(), It.IsAny<BranchId>(), It.IsAny<ContactId>(), It.IsAny<CancellationToken>()), Times.Never);
        Row.Snapshot.Should().BeNull("the name leaves the row with the number once it is sent");
    }

    [Fact]
    public async Task Send_ContactRenamedAfterFanOut_SendsWhatWasFannedOut()
    {
        var entry = _world.Contacts[0];
        _world.Contacts[0] = entry with { Contact = entry.Contact with { Name = "Renamed", Language = LanguageTag.Parse("ru") } };
        SmsSendRequest? sent = null;
        _world.SetUpSmsSuccess(r => sent = r);

        await _world.SendSms.HandleAsync(_key, default);

        sent!.Body.Should().StartWith("Aigul: on 16 December 2025", "the row's snapshot, like its number, is what fan-out planned");
    }

    [Fact]
    public async Task Send_RowWithoutSnapshot_ReadsTheContactAndRendersItsCurrentRecord()
    {
        // A row written before rows carried the snapshot.
        _world.Deliveries.Put(Row with { Snapshot = null });
        var entry = _world.Contacts[0];
        _world.Contacts[0] = entry with { Contact = entry.Contact with { Name = "Renamed" } };
        SmsSendRequest? sent = null;
        _world.SetUpSmsSuccess(r => sent = r);

        var result = await _world.SendSms.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Sent);
        sent!.Body.Should().StartWith("Renamed: on 16 December 2025");
        _world.Membership.Verify(m => m.GetContactAsync(PipelineWorld.Uk, PipelineWorld.London, ContactId.Parse("aigul"), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Send_RowWithoutSnapshotAndContactRemovedSinceFanOut_SkipsWithoutSending()
    {
        _world.Deliveries.Put(Row with { Snapshot = null });
        _world.Contacts.Clear();

        var result = await _world.SendSms.HandleAsync(_key, default);

        result.Outcome.Should().Be(SendOutcome.Skipped);
        Row.SkipReason.Should().Be(SkipReason.NoAddress);
    }

    private static string Sha(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    private static async IAsyncEnumerable<SmsSentRecord> Records(params SmsSentRecord[] records)
    {
        await Task.Yield();
        foreach (var record in records)
        {
            yield return record;
        }
    }
}
