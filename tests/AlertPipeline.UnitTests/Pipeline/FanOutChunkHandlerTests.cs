using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using Moq;
using NodaTime;

namespace AlertPipeline.UnitTests.Pipeline;

public sealed class FanOutChunkHandlerTests
{
    private readonly PipelineWorld _world = new();

    [Fact]
    public async Task FanOut_PersonInTwoBranchesAndTwoUnions_GetsOneSmsAndOneEmail()
    {
        const string phone = "+447700900123";
        const string email = "aigul@example.org";
        _world.AddContact(PipelineWorld.Kz, PipelineWorld.Zhanaozen, "aigul", phone, email);
        _world.AddContact(PipelineWorld.Kz, PipelineWorld.Aqtau, "aigul-a", "+44 7700 900123", "Aigul@Example.org");
        _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "a-s", phone, email);
        var alert = _world.StoreAlert();
        var sent = new List<SmsSendRequest>();
        _world.SetUpSmsSuccess(sent.Add);

        var (sms, emails) = await _world.FanOutAllAsync(alert);
        foreach (var key in sms)
        {
            await _world.SendSms.HandleAsync(key, default);
        }

        _world.Deliveries.Rows.Should().HaveCount(2, "one row per channel for the one person");
        sms.Distinct().Should().ContainSingle();
        emails.Distinct().Should().ContainSingle();
        sent.Should().ContainSingle().Which.To.Should().Be(phone);
    }

    [Fact]
    public async Task Chunks_MoreThanInFlight_WaitForASlotBeforeReadingTheirPage()
    {
        _world.Options.FanOutChunksInFlight = 1;
        var alert = _world.StoreAlert();
        var firstRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reads = 0;
        _world.Membership.Setup(m => m.GetContactsPageAsync(It.IsAny<UnionId>(), It.IsAny<BranchId>(), It.IsAny<int>(), It.IsAny<string?>(), It.IsAny<CancellationToken>()))
            .Returns(async () =>
            {
                if (Interlocked.Increment(ref reads) == 1)
                {
                    firstRead.SetResult();
                    await release.Task;
                }

                return new ContactPage([], null);
            });
        using var handler = _world.Chunks;
        var chunk = new FanOutChunk(alert.AlertId, PipelineWorld.Uk, PipelineWorld.London, 0, null);

        var first = handler.HandleAsync(chunk, default);
        await firstRead.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var second = handler.HandleAsync(chunk with { Page = 1 }, default);

        second.IsCompleted.Should().BeFalse("the only slot is taken by the first chunk");
        Volatile.Read(ref reads).Should().Be(1, "the waiting chunk has not read its page");
        release.SetResult();
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(10));
        reads.Should().Be(2);
    }

    [Fact]
    public async Task Chunk_Cancelled_WhileWaitingForASlot_ReadsNothing()
    {
        _world.Options.FanOutChunksInFlight = 1;
        var alert = _world.StoreAlert();
        var release = new TaskCompletionSource<ContactPage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reads = 0;
        _world.Membership.Setup(m => m.GetContactsPageAsync(It.IsAny<UnionId>(), It.IsAny<BranchId>(), It.IsAny<int>(), It.IsAny<string?>(), It.IsAny<CancellationToken>()))
            .Returns(() =>
            {
                Interlocked.Increment(ref reads);
                return release.Task;
            });
        using var handler = _world.Chunks;
        var chunk = new FanOutChunk(alert.AlertId, PipelineWorld.Uk, PipelineWorld.London, 0, null);
        var first = handler.HandleAsync(chunk, default);
        using var cancel = new CancellationTokenSource();

        var second = handler.HandleAsync(chunk with { Page = 1 }, cancel.Token);
        await cancel.CancelAsync();

        await FluentActions.Awaiting(() => second).Should().ThrowAsync<OperationCanceledException>();
        release.SetResult(new ContactPage([], null));
        await first.WaitAsync(TimeSpan.FromSeconds(10));
        reads.Should().Be(1, "the cancelled chunk never got a slot");
    }

    [Fact]
    public async Task Chunk_SkipsWithReasons_AndDispatchesOnlyPending()
    {
        _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "ok", "+447700900101", "ok@example.org");
        var storeOptOut = _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "stopped", "+447700900102");
        _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "state-optout", "+447700900103", optOut: new OptOutState(Instant.FromUtc(2025, 1, 1, 0, 0), null));
        _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "no-consent", "+447700900104", "nc@example.org", consent: new Consent(false, true));
        _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "bad-number", email: "bad@example.org", invalidPhone: PhoneNumberError.InvalidLengthForCountry);
        _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "email-only", email: "eo@example.org");
        _world.OptedOut.Add((_world.Hasher.Hash(storeOptOut.Phone!), Channel.Sms));
        _world.Options.FanOutPageSize = 100;
        var alert = _world.StoreAlert();

        var result = await _world.Chunks.HandleAsync(new FanOutChunk(alert.AlertId, PipelineWorld.Uk, PipelineWorld.London, 0, null), default);

        string Sms(string id) => Describe(_world.Deliveries.Rows.Single(r => r.Channel == Channel.Sms && r.Contact!.ContactId.Value == id));
        Sms("ok").Should().Be("Pending");
        Sms("stopped").Should().Be("Skipped OptedOut");
        Sms("state-optout").Should().Be("Skipped OptedOut");
        Sms("no-consent").Should().Be("Skipped NoConsent");
        Sms("bad-number").Should().Be("Skipped InvalidNumber");
        Sms("email-only").Should().Be("Skipped NoAddress");
        _world.Deliveries.Rows.Where(r => r.Status == DeliveryStatus.Pending).Should().NotBeEmpty()
            .And.OnlyContain(r => r.Snapshot != null && r.Snapshot.Name == "Aigul", "a Pending row carries what rendering needs");
        _world.Deliveries.Rows.Where(r => r.Status == DeliveryStatus.Skipped).Should().OnlyContain(r => r.Snapshot == null, "a row that will never be sent holds no name");
        _world.Deliveries.Rows.Where(r => r.Channel == Channel.Email).Select(r => $"{r.Contact!.ContactId}:{Describe(r)}").Should().BeEquivalentTo(
            ["ok:Pending", "stopped:Skipped NoAddress", "state-optout:Skipped NoAddress", "no-consent:Pending", "bad-number:Pending", "email-only:Pending"]);
        var batches = _world.TakeDispatched();
        PipelineWorld.KeysOf(batches, Channel.Sms).Should().ContainSingle().Which.Should().Be(_world.KeyFor(alert, Channel.Sms, "+447700900101"));
        PipelineWorld.KeysOf(batches, Channel.Email).Should().HaveCount(4);
        (result.Sms, result.Email, result.Batches).Should().Be((1, 4, batches.Count));
        batches.Should().OnlyContain(b => b.NotBefore == null && b.Recipients.All(r => DeliveryBuckets.Of(r) == b.Bucket));
        result.Next.Should().BeNull();
        _world.Deliveries.Rows.Where(r => r.Status == DeliveryStatus.Skipped).Should().OnlyContain(r => r.Address == null, "skipped rows keep no address");
        _world.Deliveries.Rows.Where(r => r.Status == DeliveryStatus.Pending).Should().OnlyContain(r => r.Address != null);
    }

    [Fact]
    public async Task Chunk_BranchLargerThanAPage_ReadsOnePageAndChainsTheNext()
    {
        for (var i = 0; i < 5; i++)
        {
            _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, $"c{i}", $"+44770090020{i}");
        }

        var alert = _world.StoreAlert(PipelineWorld.EventJson(channels: """["sms"]"""));
        var chunk = new FanOutChunk(alert.AlertId, PipelineWorld.Uk, PipelineWorld.London, 0, null);

        var pages = new List<FanOutChunkResult>();
        for (FanOutChunk? next = chunk; next is not null; next = pages[^1].Next)
        {
            pages.Add(await _world.Chunks.HandleAsync(next, default));
        }

        pages.Select(p => p.Contacts).Should().Equal(2, 2, 1);
        pages.Select(p => p.Sms).Should().Equal(2, 2, 1);
        PipelineWorld.KeysOf(_world.TakeDispatched(), Channel.Sms).Should().HaveCount(5).And.OnlyHaveUniqueItems();
        pages[0].Next!.Page.Should().Be(1);
        pages[0].Next!.ContinuationToken.Should().NotBeNull();
    }

    [Fact]
    public async Task Chunk_LastPageOfABranch_StoresTheContactsItPagedThrough()
    {
        for (var i = 0; i < 5; i++)
        {
            _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, $"c{i}", $"+44770090020{i}");
        }

        var alert = _world.StoreAlert(PipelineWorld.EventJson(channels: """["sms"]"""));
        var pages = new List<FanOutChunkResult>();
        for (FanOutChunk? next = new(alert.AlertId, PipelineWorld.Uk, PipelineWorld.London, 0, null) { ContactsBefore = 0 }; next is not null; next = pages[^1].Next)
        {
            if (pages.Count > 0)
            {
                _world.StoredCounts.Should().BeEmpty("only the chunk of the branch's last page knows the total");
            }

            pages.Add(await _world.Chunks.HandleAsync(next, default));
        }

        pages.Select(p => p.Next?.ContactsBefore).Should().Equal(2, 4, null);
        _world.StoredCounts.Should().ContainSingle();
        _world.StoredCounts[(PipelineWorld.Uk, PipelineWorld.London)].Should().Be(new BranchContactCount(5, Instant.FromDateTimeOffset(PipelineWorld.Start)));
    }

    [Fact]
    public async Task Chunk_SeveralPagesPerChunk_ReadsThemAllThenWritesTheirRowsInOneCall()
    {
        for (var i = 0; i < 7; i++)
        {
            _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, $"c{i}", $"+44770090020{i}");
        }

        _world.Options.FanOutPagesPerChunk = 3;
        var alert = _world.StoreAlert(PipelineWorld.EventJson(channels: """["sms"]"""));
        var pages = new List<FanOutChunkResult>();
        for (FanOutChunk? next = new(alert.AlertId, PipelineWorld.Uk, PipelineWorld.London, 0, null) { ContactsBefore = 0 }; next is not null; next = pages[^1].Next)
        {
            pages.Add(await _world.Chunks.HandleAsync(next, default));
        }

        pages.Select(p => p.Contacts).Should().Equal([6, 1], "three pages of two, then the last one");
        pages[0].Next!.ContactsBefore.Should().Be(6);
        pages[0].Next!.Page.Should().Be(1, "Page counts chunks");
        _world.Membership.Verify(m => m.GetContactsPageAsync(PipelineWorld.Uk, PipelineWorld.London, 2, It.IsAny<string?>(), It.IsAny<CancellationToken>()), Times.Exactly(4));
        _world.Deliveries.Mock.Verify(d => d.AddNewAsync(alert.AlertId, It.IsAny<IReadOnlyList<DeliveryRecord>>(), It.IsAny<CancellationToken>()), Times.Exactly(2), "one write per chunk, whatever it read");
        PipelineWorld.KeysOf(_world.TakeDispatched(), Channel.Sms).Should().HaveCount(7).And.OnlyHaveUniqueItems();
        _world.StoredCounts[(PipelineWorld.Uk, PipelineWorld.London)].Contacts.Should().Be(7);
    }

    [Fact]
    public async Task Chunk_FromAMessageWithoutContactsBefore_StoresPagesBeforeTimesPageSizePlusItsPage()
    {
        for (var i = 0; i < 5; i++)
        {
            _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, $"c{i}", $"+44770090020{i}");
        }

        var alert = _world.StoreAlert(PipelineWorld.EventJson(channels: """["sms"]"""));

        // A message written before chunks carried the running count: page 2 (the last) of a 2-contact page size.
        var result = await _world.Chunks.HandleAsync(new FanOutChunk(alert.AlertId, PipelineWorld.Uk, PipelineWorld.London, 2, "4"), default);

        result.Next.Should().BeNull();
        _world.StoredCounts[(PipelineWorld.Uk, PipelineWorld.London)].Contacts.Should().Be(5);
    }

    [Fact]
    public async Task Chunk_RunTwice_WritesNothingNewAndChangesNothing()
    {
        _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "a", "+447700900301", "a@example.org");
        _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "b", "+447700900302", consent: new Consent(false, false));
        var alert = _world.StoreAlert();
        var chunk = new FanOutChunk(alert.AlertId, PipelineWorld.Uk, PipelineWorld.London, 0, null);
        var first = await _world.Chunks.HandleAsync(chunk, default);
        var firstBatches = _world.TakeDispatched();
        var rows = _world.Deliveries.Rows;
        _world.Time.Advance(TimeSpan.FromMinutes(5));

        var second = await _world.Chunks.HandleAsync(chunk, default);

        first.Added.Should().Be(4, "a: sms and email; b: sms (no consent) and email (no address), all recorded");
        second.Added.Should().Be(0);
        _world.Deliveries.Rows.Should().BeEquivalentTo(rows, "existing rows are left untouched");
        _world.Deliveries.Updates.Should().Be(0);
        _world.TakeDispatched().Select(b => b.DispatchId).Should().Equal(
            firstBatches.Select(b => b.DispatchId), "rows still Pending are dispatched again, as the same batches (same ids); senders claim them, so this is harmless");
        second.Sms.Should().Be(first.Sms);
    }

    [Fact]
    public async Task Chunk_RowAlreadySent_IsNotDispatchedAgain()
    {
        _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "a", "+447700900401");
        var alert = _world.StoreAlert(PipelineWorld.EventJson(channels: """["sms"]"""));
        var chunk = new FanOutChunk(alert.AlertId, PipelineWorld.Uk, PipelineWorld.London, 0, null);
        await _world.Chunks.HandleAsync(chunk, default);
        var row = _world.Deliveries.Rows.Single();
        _world.Deliveries.Put(row with { Status = DeliveryStatus.Sent, ProviderId = "SM1" });

        _world.TakeDispatched();
        var again = await _world.Chunks.HandleAsync(chunk, default);

        again.Sms.Should().Be(0);
        _world.TakeDispatched().Should().BeEmpty();
    }

    [Fact]
    public async Task Chunk_AfterExpiry_WritesSkippedExpiredAndDispatchesNothing()
    {
        _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "a", "+447700900501", "a@example.org");
        var alert = _world.StoreAlert();
        _world.Time.SetUtcNow(new DateTimeOffset(2025, 12, 16, 18, 0, 0, TimeSpan.Zero));

        var result = await _world.Chunks.HandleAsync(new FanOutChunk(alert.AlertId, PipelineWorld.Uk, PipelineWorld.London, 0, null), default);

        (result.Sms, result.Email).Should().Be((0, 0));
        _world.Dispatched.Should().BeEmpty();
        _world.Deliveries.Rows.Should().HaveCount(2).And.OnlyContain(r => r.Status == DeliveryStatus.Skipped && r.SkipReason == SkipReason.Expired);
    }

    [Fact]
    public async Task Chunk_AlertNotStored_ThrowsRetry()
    {
        var alert = _world.StoreAlert();
        _world.Alerts.Clear();

        var act = () => _world.Chunks.HandleAsync(new FanOutChunk(alert.AlertId, PipelineWorld.Uk, PipelineWorld.London, 0, null), default);

        await act.Should().ThrowAsync<PipelineRetryException>();
    }

    private static string Describe(DeliveryRecord row) => row.SkipReason is { } reason ? $"{row.Status} {reason}" : row.Status.ToString();
}
