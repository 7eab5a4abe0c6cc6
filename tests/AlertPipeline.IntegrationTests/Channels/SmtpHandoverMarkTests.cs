using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Email;
using AlertPipeline.Testing;
using AlertPipeline.Testing.Faults;

namespace AlertPipeline.IntegrationTests.Channels;

/// <summary>
/// Where <see cref="SmtpEmailSender"/> runs the handover hook (<see cref="EmailSendRequest.BeforeHandover"/>, the
/// pipeline's <c>HandedOverAt</c> mark), seen from the wire: the real sender, the aiosmtpd sink behind
/// <see cref="SmtpFaultProxy"/>, which counts the data bytes and the end of data the client sent. The mark runs once
/// the body has gone out and before the end of data; a failed mark closes the connection without the end of data.
/// </summary>
public sealed class SmtpHandoverMarkTests : IAsyncLifetime
{
    /// <summary>About 36 KB of text: most of it leaves MailKit's 4 KB output buffer before the last part is finished.</summary>
    private static readonly string LongText = string.Join("\n", Enumerable.Range(0, 600).Select(i => $"Line {i:000} of the hearing notice, for every member of the branch."));

    private SmtpSink _sink = null!;
    private SmtpFaultProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _sink = await SmtpSink.StartAsync();
        _proxy = SmtpFaultProxy.Start(_sink.Port);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _sink.DisposeAsync();
    }

    private SmtpEmailSender Sender() => _sink.Sender(TimeSpan.FromSeconds(20), _proxy.Port);

    private static EmailSendRequest Request(string reference, bool html, Func<CancellationToken, Task> beforeHandover) =>
        new("member@example.org", "Hearing on Monday", LongText, reference, html ? "<p>Hearing on <b>Monday</b>.</p>" : null) { BeforeHandover = beforeHandover };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SendAsync_MarkRunsOnceAfterTheBodyWentOutAndBeforeTheEndOfData(bool html)
    {
        var marks = 0;
        (long DataBytes, int EndsOfData, int Stored)? atMark = null;
        var request = Request("alert-1~email~mark-order", html, async _ =>
        {
            marks++;
            // The flushed part of the body is on its way through the proxy: wait (bounded) until it has crossed.
            var bytes = await Poll.ForAsync(() => Task.FromResult(_proxy.DataBytesFromClient), b => b >= 30_000, "the body to cross the proxy", TimeSpan.FromSeconds(15));
            atMark = (bytes, _proxy.EndsOfDataFromClient, (await _sink.ReadMessagesAsync()).Count);
        });

        var result = await Sender().SendAsync(request);

        marks.Should().Be(1, "MailKit's measuring pass (SIZE, progress) and ours do not mark; the transfer marks once");
        atMark!.Value.EndsOfData.Should().Be(0, "the end of data follows the mark");
        atMark.Value.Stored.Should().Be(0, "the server takes the message only with the end of data");
        var message = (await _sink.WaitForMessagesAsync(1)).Should().ContainSingle().Subject;
        message.HeaderValues("Message-ID").Should().ContainSingle().Which.Should().Be(result.ProviderId);
        message.TextBody!.Should().Contain("Line 599 of the hearing notice");
        _proxy.EndsOfDataFromClient.Should().Be(1);
    }

    [Fact]
    public async Task SendAsync_MarkFails_ConnectionClosesWithoutTheEndOfDataAndTheResendArrivesOnce()
    {
        var act = () => Sender().SendAsync(Request("alert-1~email~mark-fails", html: true, async _ =>
        {
            await Task.Yield();
            throw new MarkRefusedException();
        }));

        await act.Should().ThrowAsync<MarkRefusedException>("a failed mark ends the send as it is, not as an SMTP failure");
        await Poll.UntilAsync(() => _proxy.SessionsEnded == 1, "the connection to close");
        _proxy.DataBytesFromClient.Should().BeGreaterThan(30_000, "the body had gone out");
        _proxy.EndsOfDataFromClient.Should().Be(0);
        (await _sink.ReadMessagesAsync()).Should().BeEmpty("the server discards a message without its end of data");

        var marks = 0;
        var resent = await Sender().SendAsync(Request("alert-1~email~mark-fails", html: true, _ => Task.FromResult(++marks)));

        marks.Should().Be(1);
        (await _sink.WaitForMessagesAsync(1)).Should().ContainSingle()
            .Which.HeaderValues("Message-ID").Should().ContainSingle().Which.Should().Be(resent.ProviderId);
    }

    [Fact]
    public async Task SendAsync_CutAtTheEndOfDataAfterTheMark_IsOutcomeUnknownThoughTheServerDiscardedIt()
    {
        _proxy.Schedule = () => SmtpFault.DropAtEndOfData;
        var marks = 0;

        var act = () => Sender().SendAsync(Request("alert-1~email~cut-at-end", html: true, _ => Task.FromResult(++marks)));

        (await act.Should().ThrowAsync<EmailSendException>()).Which.Kind.Should().Be(ChannelFailureKind.OutcomeUnknown, "the sender wrote the end of data and got no answer");
        marks.Should().Be(1);
        await Poll.UntilAsync(() => _proxy.SessionsEnded == 1, "the connection to close");
        _proxy.EndsOfDataFromClient.Should().Be(1);
        (await _sink.ReadMessagesAsync()).Should().BeEmpty("the end of data never reached the server: the remaining window's price");
    }

    [Fact]
    public async Task SendAsync_CallerCancelsOnceTheMarkIsStored_TheEndOfDataStillGoesOutAndTheServerHasTheMessage()
    {
        // The worker's invocation is cancelled (shutdown, the host's timeout) just as the mark is stored.
        using var invocation = new CancellationTokenSource();
        var request = Request("alert-1~email~cancel-after-mark", html: true, async _ =>
        {
            await Task.Yield();
            await invocation.CancelAsync();
        });

        var result = await Sender().SendAsync(request, invocation.Token);

        _proxy.EndsOfDataFromClient.Should().Be(1, "a stored mark commits the send to its end of data");
        (await _sink.WaitForMessagesAsync(1)).Should().ContainSingle()
            .Which.HeaderValues("Message-ID").Should().ContainSingle().Which.Should().Be(result.ProviderId);
    }

    [Fact]
    public async Task SendAsync_CallerCancelledBeforeTheHandover_StopsWithoutMarkingAndNothingIsStored()
    {
        using var invocation = new CancellationTokenSource();
        await invocation.CancelAsync();
        var marks = 0;

        var act = () => Sender().SendAsync(Request("alert-1~email~cancel-before", html: true, _ => Task.FromResult(++marks)), invocation.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        marks.Should().Be(0);
        _proxy.EndsOfDataFromClient.Should().Be(0);
        (await _sink.ReadMessagesAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task SendAsync_MarkOutlastsTheHandoversOwnTime_StopsBeforeTheEndOfDataAsATransientFailure()
    {
        var act = () => _sink.Sender(TimeSpan.FromSeconds(2), _proxy.Port).SendAsync(
            Request("alert-1~email~slow-mark", html: true, ct => Task.Delay(Timeout.InfiniteTimeSpan, ct)));

        (await act.Should().ThrowAsync<EmailSendException>()).Which.Kind.Should().Be(ChannelFailureKind.Transient, "no end of data went out, so the row is released and re-sent");
        await Poll.UntilAsync(() => _proxy.SessionsEnded == 1, "the connection to close");
        _proxy.EndsOfDataFromClient.Should().Be(0);
        (await _sink.ReadMessagesAsync()).Should().BeEmpty();
    }

    private sealed class MarkRefusedException() : Exception("The row changed before the handover.");
}
