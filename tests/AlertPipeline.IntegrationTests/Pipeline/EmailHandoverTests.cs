using System.Globalization;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Email;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Testing;
using AlertPipeline.Testing.Faults;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace AlertPipeline.IntegrationTests.Pipeline;

/// <summary>
/// "Never the same alert twice" for email (docs/reliability.md): the real <see cref="SendEmailHandler"/> on Azurite, the
/// real <see cref="SmtpEmailSender"/> and the aiosmtpd sink behind <see cref="SmtpFaultProxy"/>. A reply lost after the
/// data, or a sender that stopped after marking the handover, gives one email and a Sent-unconfirmed row, never a resend;
/// the mark is written at the end of the body, so a send stopped before it (a failed mark, a takeover) is re-sent, once.
/// </summary>
public sealed class EmailHandoverTests : IAsyncLifetime
{
    private readonly string _prefix = AzuriteFixture.UniqueName("eho");
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);
    private SmtpSink _sink = null!;
    private SmtpFaultProxy _proxy = null!;
    private TestAppServer _app = null!;
    private string _connectionString = null!;
    private CampaignId _campaign = null!;
    private UnionId _union = null!;
    private BranchId _branch = null!;

    /// <summary>Runs inside the real send, just before the pipeline's handover mark (then the mark runs as it would).</summary>
    private Func<EmailSendRequest, Task>? _beforeMark;

    /// <summary>Runs inside the real send once the pipeline's mark (and its gate slot) is answered, before the end of data.</summary>
    private Func<EmailSendRequest, Task>? _afterMark;

    /// <summary>The handover gate's capacity for this test (<c>Pipeline:EmailHandoversInFlight</c>).</summary>
    private int _handoversInFlight = new PipelineOptions().EmailHandoversInFlight;

    public async Task InitializeAsync()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        _connectionString = azurite.ConnectionString;
        _sink = await SmtpSink.StartAsync();
        _proxy = SmtpFaultProxy.Start(_sink.Port);
        var settings = _sink.ConfigurationValues().ToDictionary(p => p.Key, p => p.Value ?? string.Empty);
        settings["Smtp:Port"] = _proxy.Port.ToString(CultureInfo.InvariantCulture);
        settings["Smtp:Timeout"] = "00:00:10";
        _app = TestFunctionApps.Create(_connectionString, _prefix, settings, services =>
        {
            services.AddSingleton<TimeProvider>(_time);
            services.AddSingleton<IEmailGateway>(sp => new BeforeMarkGateway(sp.GetRequiredService<SmtpEmailSender>(), this));
            services.AddSingleton(_ => new HandoverGate(new PipelineOptions { EmailHandoversInFlight = _handoversInFlight }));
        });
        var union = await TestFunctionApps.NewUnionAsync(_app, "central");
        _union = UnionId.Parse(union.UnionId);
        _branch = BranchId.Parse(union.Branch);
        _campaign = await TestFunctionApps.NewOwnedCampaignAsync(_app, _union);
    }

    public async Task DisposeAsync()
    {
        await TestFunctionApps.DeleteTablesAsync(_app, _connectionString, _prefix);
        await _app.DisposeAsync();
        await _proxy.DisposeAsync();
        await _sink.DisposeAsync();
    }

    private T Service<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>Another sender takes the row over (and dies) while this one writes the body: a claim of its own, now.</summary>
    private async Task TakeOverAsync(DeliveryKey key)
    {
        var store = Service<IDeliveryStore>();
        var stored = (await store.GetAsync(key))!;
        (await store.TryUpdateAsync(stored.Record with { Attempt = stored.Record.Attempt + 1, ClaimedAt = Instant.FromDateTimeOffset(_time.GetUtcNow()) }, stored.ETag)).Should().NotBeNull();
    }

    [Fact]
    public async Task Send_ReplyLostAfterTheData_OneEmailRowSentUnconfirmedAndNoResend()
    {
        var keys = await FanOutAsync("hearing-reply-lost", "aigul");
        _proxy.Schedule = () => SmtpFault.DropAfterData;

        var result = await Service<SendEmailHandler>().HandleAsync(keys[0], default);
        _proxy.Schedule = () => SmtpFault.None;
        var again = await Service<SendEmailHandler>().HandleAsync(keys[0], default);

        result.Outcome.Should().Be(SendOutcome.Sent);
        var row = await RowAsync(keys[0]);
        row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sent && r.Address == null);
        row.Unconfirmed.Should().Be(UnconfirmedReasons.SmtpReplyLost);
        again.Outcome.Should().Be(SendOutcome.AlreadyDone, "a redelivered dispatch finds the row settled");
        (await _sink.WaitForMessagesAsync(1)).Should().ContainSingle().Which.Header(SmtpEmailSender.DeliveryHeader).Should().Be(keys[0].Value);
        _proxy.Counts.Values.Sum().Should().Be(1, "one SMTP connection: the lost reply was not followed by a resend");
    }

    [Fact]
    public async Task StaleClaims_MarkedHandedOverIsRecordedUnconfirmed_UnmarkedIsResent()
    {
        var keys = await FanOutAsync("hearing-stale", "aigul", "bota");
        var store = Service<IDeliveryStore>();
        var now = _time.GetUtcNow();
        for (var i = 0; i < keys.Count; i++)
        {
            // A batch claimed both rows; the sender was killed after marking the first one's handover.
            var stored = (await store.GetAsync(keys[i]))!;
            var claimed = stored.Record with
            {
                Status = DeliveryStatus.Sending, Attempt = 1, ClaimedAt = Instant.FromDateTimeOffset(now), FirstClaimedAt = Instant.FromDateTimeOffset(now),
                HandedOverAt = i == 0 ? Instant.FromDateTimeOffset(now) : null,
            };
            (await store.TryUpdateAsync(claimed, stored.ETag)).Should().NotBeNull();
        }

        _time.Advance(TimeSpan.FromMinutes(3));
        var sent = await Service<SendEmailHandler>().SendBatchAsync(keys, default);

        sent.Rows.Select(r => r.Outcome).Should().Equal(SendOutcome.Reconciled, SendOutcome.Sent);
        var settled = await RowAsync(keys[0]);
        settled.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sent && r.Unconfirmed == UnconfirmedReasons.SmtpSenderStopped);
        settled.HandoverStoredAt.Should().NotBeNull("the store's time of the mark is kept for the listing of lost emails");
        settled.HandoverStoredAt!.Value.ToDateTimeOffset().Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(2), "Azurite's Timestamp of the marked claim, on the real clock");
        (await RowAsync(keys[1])).Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sent && r.Unconfirmed == null && r.Attempt == 2);
        (await _sink.WaitForMessagesAsync(1)).Should().ContainSingle().Which.Header(SmtpEmailSender.DeliveryHeader).Should().Be(keys[1].Value);
        _proxy.Counts.Values.Sum().Should().Be(1, "only the unmarked claim is sent again");
    }

    [Fact]
    public async Task Send_Normal_OneEmailWithTheRowsMessageIdMarkedAfterTheBody()
    {
        var keys = await FanOutAsync("hearing-normal", "aigul");
        (int DataCommands, int EndsOfData, int Stored)? atMark = null;
        _beforeMark = async _ => atMark = (_proxy.DataCommandsFromClient, _proxy.EndsOfDataFromClient, (await _sink.ReadMessagesAsync()).Count);

        var result = await Service<SendEmailHandler>().HandleAsync(keys[0], default);

        result.Outcome.Should().Be(SendOutcome.Sent);
        atMark.Should().Be((1, 0, 0), "the mark runs after DATA was accepted and before the end of data, so before the server has the message");
        var row = await RowAsync(keys[0]);
        row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sent && r.Unconfirmed == null && r.HandedOverAt != null && r.Attempt == 1);
        (await _sink.WaitForMessagesAsync(1)).Should().ContainSingle().Which.HeaderValues("Message-ID").Should().ContainSingle().Which.Should().Be(row.ProviderId);
        _proxy.EndsOfDataFromClient.Should().Be(1);
    }

    [Fact]
    public async Task Send_RowTakenOverBeforeTheMark_NothingReachesTheSinkAndTheRowIsSentOnceWhenStale()
    {
        // Waiting for the stored mark: a failed mark sends nothing. (Another sender takes over only a stale claim; this
        // one is fresh, so with MarkSent the end of data would not wait: the next test.)
        Service<PipelineOptions>().EmailEndOfDataAfter = EmailEndOfData.MarkStored;
        var keys = await FanOutAsync("hearing-takeover", "aigul");
        _beforeMark = _ => TakeOverAsync(keys[0]);

        var lost = await Service<SendEmailHandler>().HandleAsync(keys[0], default);

        lost.Outcome.Should().Be(SendOutcome.ClaimLost);
        await Poll.UntilAsync(() => _proxy.SessionsEnded == 1, "the first connection to close");
        _proxy.EndsOfDataFromClient.Should().Be(0, "a failed mark stops the send before the end of data");
        (await _sink.ReadMessagesAsync()).Should().BeEmpty();
        (await RowAsync(keys[0])).Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sending && r.HandedOverAt == null && r.Attempt == 2);

        _beforeMark = null;
        _time.Advance(TimeSpan.FromMinutes(3)); // the other sender's claim goes stale
        var sent = await Service<SendEmailHandler>().HandleAsync(keys[0], default);

        sent.Outcome.Should().Be(SendOutcome.Sent);
        var row = await RowAsync(keys[0]);
        row.Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sent && r.Unconfirmed == null && r.Attempt == 3);
        (await _sink.WaitForMessagesAsync(1)).Should().ContainSingle().Which.HeaderValues("Message-ID").Should().ContainSingle().Which.Should().Be(row.ProviderId);
        _proxy.Counts.Values.Sum().Should().Be(2);
    }

    [Fact]
    public async Task Send_FreshClaimTakenOverBeforeTheMark_MarkSent_TheOneEmailIsRecordedOverTheOtherClaimAndNotResent()
    {
        // Only clocks apart by half of StuckSendingAfter let another sender take over a fresh claim. The end of data went
        // ahead of the mark's refusal, so the send is recorded over the other claim: that sender then finds the row Sent.
        Service<PipelineOptions>().EmailEndOfDataAfter.Should().Be(EmailEndOfData.MarkSent, "the default");
        var keys = await FanOutAsync("hearing-fresh-takeover", "aigul");
        _beforeMark = _ => TakeOverAsync(keys[0]);

        var sent = await Service<SendEmailHandler>().HandleAsync(keys[0], default);

        sent.Outcome.Should().Be(SendOutcome.Sent);
        (await _sink.WaitForMessagesAsync(1)).Should().ContainSingle();
        (await RowAsync(keys[0])).Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sent && r.HandedOverAt == null && r.Attempt == 2);
        _beforeMark = null;
        _time.Advance(TimeSpan.FromMinutes(3));
        (await Service<SendEmailHandler>().HandleAsync(keys[0], default)).Outcome.Should().Be(SendOutcome.AlreadyDone);
        (await _sink.ReadMessagesAsync()).Should().ContainSingle("the other sender finds the row Sent");
    }

    [Fact]
    public async Task SendBatch_GateOfOne_EachMarkWaitsForThePreviousEndOfData()
    {
        _handoversInFlight = 1;
        var keys = await FanOutAsync("hearing-gate-one", "aigul", "bota", "dana", "erlan");
        var endsOfDataAtMarks = new System.Collections.Concurrent.ConcurrentBag<int>();
        _afterMark = _ =>
        {
            endsOfDataAtMarks.Add(_proxy.EndsOfDataFromClient);
            return Task.CompletedTask;
        };

        var sent = await Service<SendEmailHandler>().SendBatchAsync(keys, default);

        sent.Rows.Should().OnlyContain(r => r.Outcome == SendOutcome.Sent);
        endsOfDataAtMarks.Order().Should().Equal([0, 1, 2, 3], "with one handover in flight, each mark is answered only after the previous email's end of data went out");
        (await _sink.WaitForMessagesAsync(4)).Should().HaveCount(4);
        Service<HandoverGate>().InFlight.Should().Be(0);
    }

    [Fact]
    public async Task SendBatch_Unbounded_MarksOverlapBeforeAnyEndOfData()
    {
        _handoversInFlight = 0;
        var keys = await FanOutAsync("hearing-gate-off", "aigul", "bota", "dana", "erlan");
        var endsOfDataAtMarks = new System.Collections.Concurrent.ConcurrentBag<int>();
        var marked = 0;
        var allMarked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _afterMark = async _ =>
        {
            endsOfDataAtMarks.Add(_proxy.EndsOfDataFromClient);
            if (Interlocked.Increment(ref marked) == 4)
            {
                allMarked.SetResult();
            }

            await allMarked.Task.WaitAsync(TimeSpan.FromSeconds(20)); // hold each end of data until all four are marked
        };

        var sent = await Service<SendEmailHandler>().SendBatchAsync(keys, default);

        sent.Rows.Should().OnlyContain(r => r.Outcome == SendOutcome.Sent);
        endsOfDataAtMarks.Should().Equal([0, 0, 0, 0], "without a gate all four marks are in flight at once: the window a kill would lose whole");
    }

    [Fact]
    public async Task Send_WorkerStopping_NoMarkNoEndOfDataAndTheRowIsSentOnceLater()
    {
        var keys = await FanOutAsync("hearing-stopping", "aigul");
        var gate = Service<HandoverGate>();
        gate.Close(); // as HandoverGateCloser does when the host stops the worker

        await FluentActions.Awaiting(() => Service<SendEmailHandler>().HandleAsync(keys[0], default)).Should().ThrowAsync<PipelineRetryException>();

        await Poll.UntilAsync(() => _proxy.SessionsEnded == 1, "the connection to close");
        _proxy.DataCommandsFromClient.Should().Be(1, "the body was written");
        _proxy.EndsOfDataFromClient.Should().Be(0, "but no handover began, so no end of data");
        (await _sink.ReadMessagesAsync()).Should().BeEmpty();
        (await RowAsync(keys[0])).Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sending && r.Released && r.HandedOverAt == null && r.Unconfirmed == null);
    }

    [Fact]
    public async Task Send_CutAtTheEndOfDataAfterTheMark_RowSentUnconfirmedAndNotResent()
    {
        var keys = await FanOutAsync("hearing-cut-at-end", "aigul");
        _proxy.Schedule = () => SmtpFault.DropAtEndOfData;

        var result = await Service<SendEmailHandler>().HandleAsync(keys[0], default);
        _proxy.Schedule = () => SmtpFault.None;
        var again = await Service<SendEmailHandler>().HandleAsync(keys[0], default);

        result.Outcome.Should().Be(SendOutcome.Sent);
        (await RowAsync(keys[0])).Should().Match<DeliveryRecord>(r => r.Status == DeliveryStatus.Sent && r.Unconfirmed == UnconfirmedReasons.SmtpReplyLost && r.HandedOverAt != null);
        again.Outcome.Should().Be(SendOutcome.AlreadyDone);
        _proxy.Counts.Values.Sum().Should().Be(1, "never re-sent");
        await Poll.UntilAsync(() => _proxy.SessionsEnded == 1, "the connection to close");
        (await _sink.ReadMessagesAsync()).Should().BeEmpty("the end of data never reached the server: the window left is a loss, not a duplicate");
    }

    private async Task<IReadOnlyList<DeliveryKey>> FanOutAsync(string eventId, params string[] people)
    {
        foreach (var person in people)
        {
            await TestFunctionApps.AddContactAsync(_app, _union, _branch, person, person, email: $"{person}@example.org");
        }

        var accepted = await TestFunctionApps.FanOutFullyAsync(_app, HearingEvent.Json(eventId, _campaign.Value, "\"email\""));
        var rows = (await Service<IDeliveryStore>().GetPageAsync(accepted.AlertId!, 10, null)).Rows;
        rows.Should().HaveCount(people.Length);
        return [.. rows.Select(r => r.Key)];
    }

    private async Task<DeliveryRecord> RowAsync(DeliveryKey key) => (await Service<IDeliveryStore>().GetAsync(key))!.Record;

    /// <summary>The real <see cref="SmtpEmailSender"/>, with the test's <see cref="_beforeMark"/> run inside the send just before the pipeline's mark.</summary>
    private sealed class BeforeMarkGateway(SmtpEmailSender inner, EmailHandoverTests test) : IEmailGateway
    {
        public Task<EmailSendResult> SendAsync(EmailSendRequest request, CancellationToken cancellationToken = default)
        {
            if ((test._beforeMark is null && test._afterMark is null) || request.BeforeHandover is not { } mark)
            {
                return inner.SendAsync(request, cancellationToken);
            }

            return inner.SendAsync(
                new EmailSendRequest(request.To, request.Subject, request.TextBody, request.DeliveryReference, request.HtmlBody, request.UnsubscribeUrl, request.UnsubscribeMailto, request.ToName)
                {
                    BeforeHandover = async ct =>
                    {
                        if (test._beforeMark is { } before)
                        {
                            await before(request).ConfigureAwait(false);
                        }

                        await mark(ct).ConfigureAwait(false);
                        if (test._afterMark is { } after)
                        {
                            await after(request).ConfigureAwait(false);
                        }
                    },
                },
                cancellationToken);
        }
    }
}
