using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Channels;
using AlertPipeline.Infrastructure.Email;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;

namespace AlertPipeline.UnitTests.Channels;

public class EmailTests
{
    [Theory]
    [InlineData(SmtpStatusCode.MailboxBusy, ChannelFailureKind.Transient, "450")]
    [InlineData(SmtpStatusCode.ServiceNotAvailable, ChannelFailureKind.Transient, "421")]
    [InlineData(SmtpStatusCode.InsufficientStorage, ChannelFailureKind.Transient, "452")]
    [InlineData(SmtpStatusCode.MailboxUnavailable, ChannelFailureKind.InvalidRecipient, "550")]
    [InlineData(SmtpStatusCode.UserNotLocalTryAlternatePath, ChannelFailureKind.InvalidRecipient, "551")]
    [InlineData(SmtpStatusCode.MailboxNameNotAllowed, ChannelFailureKind.InvalidRecipient, "553")]
    [InlineData(SmtpStatusCode.TransactionFailed, ChannelFailureKind.Permanent, "554")]
    [InlineData(SmtpStatusCode.ExceededStorageAllocation, ChannelFailureKind.Permanent, "552")]
    [InlineData((SmtpStatusCode)530, ChannelFailureKind.Configuration, "530")]
    [InlineData(SmtpStatusCode.AuthenticationInvalidCredentials, ChannelFailureKind.Configuration, "535")]
    public void Classify_SmtpReplies_4xxTransient5xxPermanent(SmtpStatusCode status, ChannelFailureKind kind, string? code)
    {
        var (actualKind, actualCode, _) = SmtpEmailSender.Classify(new SmtpCommandException(SmtpErrorCode.MessageNotAccepted, status, "reply"));

        actualKind.Should().Be(kind);
        actualCode.Should().Be(code);
    }

    [Fact]
    public void Classify_DialogueBrokenOff_IsTransientWithoutCode() =>
        SmtpEmailSender.Classify(new SmtpProtocolException("The SMTP server has unexpectedly disconnected.")).Should().Match<(ChannelFailureKind Kind, string? Code, string Message)>(
            f => f.Kind == ChannelFailureKind.Transient && f.Code == null);

    [Fact]
    public void Classify_FailedRecipient_MasksTheAddressInTheMessage()
    {
        var ex = new SmtpCommandException(SmtpErrorCode.RecipientNotAccepted, SmtpStatusCode.MailboxUnavailable, new MailboxAddress(null, "jane.doe@example.org"), "5.1.1 <jane.doe@example.org>: Recipient address rejected");

        var (kind, _, message) = SmtpEmailSender.Classify(ex);

        kind.Should().Be(ChannelFailureKind.InvalidRecipient);
        message.Should().NotContain("jane.doe@example.org").And.Contain("j***@e***.org");
    }

    [Fact]
    public void Classify_TlsHandshake_IsConfiguration() =>
        SmtpEmailSender.Classify(new SslHandshakeException("remote certificate is invalid")).Kind.Should().Be(ChannelFailureKind.Configuration);

    [Fact]
    public void Classify_AuthenticationRefused_IsConfiguration() =>
        SmtpEmailSender.Classify(new MailKit.Security.AuthenticationException("535: 5.7.8 Authentication credentials invalid")).Kind.Should().Be(ChannelFailureKind.Configuration);

    [Fact]
    public void Classify_StartTlsOrLoginRequired_IsConfiguration530() =>
        SmtpEmailSender.Classify(new MailKit.ServiceNotAuthenticatedException("Must issue a STARTTLS command first"))
            .Should().Match<(ChannelFailureKind Kind, string? Code, string Message)>(f => f.Kind == ChannelFailureKind.Configuration && f.Code == "530");

    [Fact]
    public void Classify_ConnectionDropped_IsTransient() =>
        SmtpEmailSender.Classify(new IOException("reset by peer")).Kind.Should().Be(ChannelFailureKind.Transient);

    [Fact]
    public void Classify_ConnectionBrokenAfterTheWholeMessage_IsOutcomeUnknown()
    {
        SmtpEmailSender.Classify(new SmtpProtocolException("The SMTP server has unexpectedly disconnected."), wholeMessageWritten: true).Kind
            .Should().Be(ChannelFailureKind.OutcomeUnknown, "the server may have taken it; only its reply was lost");
        SmtpEmailSender.Classify(new IOException("reset by peer"), wholeMessageWritten: true).Kind.Should().Be(ChannelFailureKind.OutcomeUnknown);
    }

    [Fact]
    public void Classify_ServerRefusedTheDataWithAReply_KeepsTheReplysMeaning() =>
        SmtpEmailSender.Classify(new SmtpCommandException(SmtpErrorCode.MessageNotAccepted, SmtpStatusCode.MailboxBusy, "try later"), wholeMessageWritten: true).Kind
            .Should().Be(ChannelFailureKind.Transient, "a 4xx reply to the data says the server did not take it");

    [Fact]
    public void HandoverProgress_WholeMessageWrittenOnlyOnceEveryByteWasReported()
    {
        var progress = new SmtpEmailSender.HandoverProgress(1000);

        progress.Report(400);
        progress.WholeMessageWritten.Should().BeFalse();
        progress.Report(1003); // dot-stuffing may add bytes
        progress.WholeMessageWritten.Should().BeTrue();
        progress.Report(10);
        progress.WholeMessageWritten.Should().BeTrue("progress never goes back");
    }

    [Fact]
    public void MeasureForSmtp_CountsTheMessageWithCrLfLineEnds()
    {
        using var message = new MimeMessage();
        message.From.Add(new MailboxAddress("A", "a@example.org"));
        message.To.Add(new MailboxAddress("B", "b@example.org"));
        message.Subject = "s";
        message.Body = new TextPart("plain") { Text = "line one\nline two\n" };
        using var written = new MemoryStream();
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        message.WriteTo(format, written);

        SmtpEmailSender.MeasureForSmtp(message).Should().BeGreaterThanOrEqualTo(written.Length - 2).And.BeLessThanOrEqualTo(written.Length + 2);
    }

    [Fact]
    public async Task HandoverHook_MeasuringPasses_DoNotRunIt()
    {
        var marks = 0;
        var request = new EmailSendRequest("aigul@example.org", "s", "text", "ref-1", "<p>html</p>") { BeforeHandover = _ => Task.FromResult(++marks) };
        using var message = SmtpEmailSender.Build(request, new MailboxAddress("A", "alerts@union.example"), "<ap.1@union.example>", out var last);
        last.Progress = new SmtpEmailSender.HandoverProgress(SmtpEmailSender.MeasureForSmtp(message), request.BeforeHandover);

        SmtpEmailSender.MeasureForSmtp(message);
        using (var measure = new MimeKit.IO.MeasuringStream())
        {
            await message.WriteToAsync(FormatOptions.Default, measure); // as MailKit's GetSizeAsync does for SIZE=, BDAT or progress
        }

        marks.Should().Be(0, "nothing was transferred yet");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task HandoverHook_Transfer_RunsOnceAfterTheLastPartsContentBeforeTheEnd(bool html)
    {
        using var written = new MemoryStream();
        string? atMark = null;
        var marks = 0;
        var request = new EmailSendRequest("aigul@example.org", "s", "the text body", "ref-1", html ? "<p>the html body</p>" : null)
        {
            BeforeHandover = _ =>
            {
                marks++;
                atMark = System.Text.Encoding.ASCII.GetString(written.ToArray());
                return Task.CompletedTask;
            },
        };
        using var message = SmtpEmailSender.Build(request, new MailboxAddress("A", "alerts@union.example"), "<ap.1@union.example>", out var last);
        var progress = new SmtpEmailSender.HandoverProgress(SmtpEmailSender.MeasureForSmtp(message), request.BeforeHandover);
        last.Progress = progress;
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        format.EnsureNewLine = true;

        progress.Report(1); // MailKit reports the bytes it writes to the connection
        await message.WriteToAsync(format, written);
        await message.WriteToAsync(format, new MemoryStream());

        marks.Should().Be(1, "a second write of the same message does not mark again");
        atMark.Should().Contain(html ? "the html body" : "the text body");
        var full = System.Text.Encoding.ASCII.GetString(written.ToArray());
        if (html)
        {
            var boundary = ((Multipart)message.Body!).Boundary;
            atMark.Should().NotContain($"--{boundary}--", "the closing boundary is written after the mark");
            full.Should().EndWith($"--{boundary}--\r\n");
        }
        else
        {
            full.Should().Be(atMark, "a single part's content ends the body: only the end of data follows the mark");
        }
    }

    [Fact]
    public async Task HandoverHook_Throws_TheWriteStopsWithItsExceptionAndDoesNotRetryTheMark()
    {
        var marks = 0;
        var request = new EmailSendRequest("aigul@example.org", "s", "text", "ref-1", "<p>html</p>")
        {
            BeforeHandover = async _ =>
            {
                marks++;
                await Task.Yield();
                throw new InvalidOperationException("row taken over");
            },
        };
        using var message = SmtpEmailSender.Build(request, new MailboxAddress("A", "alerts@union.example"), "<ap.1@union.example>", out var last);
        var progress = new SmtpEmailSender.HandoverProgress(100, request.BeforeHandover);
        last.Progress = progress;
        progress.Report(1);
        using var written = new MemoryStream();

        await FluentActions.Awaiting(() => message.WriteToAsync(written)).Should().ThrowAsync<InvalidOperationException>().WithMessage("row taken over");
        await FluentActions.Awaiting(() => message.WriteToAsync(new MemoryStream())).Should().ThrowAsync<InvalidOperationException>();

        marks.Should().Be(1);
        System.Text.Encoding.ASCII.GetString(written.ToArray()).Should().NotContain($"--{((Multipart)message.Body!).Boundary}--");
    }

    [Fact]
    public async Task HandoverHook_SendTimedOutWhileMarking_StopsBeforeTheEndOfDataAndIsNotAnUnknownOutcome()
    {
        using var transfer = new CancellationTokenSource();
        var request = new EmailSendRequest("aigul@example.org", "s", "text", "ref-1")
        {
            BeforeHandover = async _ =>
            {
                await Task.Yield();
                await transfer.CancelAsync(); // the send's timeout fires while the table is slow to take the mark
            },
        };
        using var message = SmtpEmailSender.Build(request, new MailboxAddress("A", "alerts@union.example"), "<ap.1@union.example>", out var last);
        var progress = new SmtpEmailSender.HandoverProgress(SmtpEmailSender.MeasureForSmtp(message), request.BeforeHandover);
        last.Progress = progress;
        progress.Report(1);
        using var written = new MemoryStream();

        await FluentActions.Awaiting(() => message.WriteToAsync(FormatOptions.Default, written, transfer.Token)).Should().ThrowAsync<OperationCanceledException>();
        progress.Report(written.Length + 1000, written.Length + 1000);

        progress.WholeMessageWritten.Should().BeTrue("a single part's body was all written before the mark");
        progress.StoppedBeforeEndOfData.Should().BeTrue();
        progress.MayHaveHandedOver.Should().BeFalse("MailKit never wrote the end of data, so the failure is transient and the row is re-sent");
    }

    [Fact]
    public void SendCancellation_CallerCancelsBeforeTheHandover_StopsTheSendAndRefusesTheCommit()
    {
        using var caller = new CancellationTokenSource();
        using var send = new SmtpEmailSender.SendCancellation(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), caller.Token);

        caller.Cancel();

        send.Token.IsCancellationRequested.Should().BeTrue();
        send.TryCommit().Should().BeFalse("nothing may be marked once the send was stopped");
        send.Committed.Should().BeFalse();
    }

    [Fact]
    public void SendCancellation_CallerCancelsAfterTheHandoverBegan_TheSendGoesOn()
    {
        using var caller = new CancellationTokenSource();
        using var send = new SmtpEmailSender.SendCancellation(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), caller.Token);

        send.TryCommit().Should().BeTrue();
        caller.Cancel();

        send.Token.IsCancellationRequested.Should().BeFalse("a stored mark must be followed by the end of data");
        send.Committed.Should().BeTrue();
    }

    [Fact]
    public async Task SendCancellation_AfterTheCommit_OnlyTheHandoversOwnTimeStopsIt()
    {
        using var caller = new CancellationTokenSource();
        using var send = new SmtpEmailSender.SendCancellation(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(3), caller.Token);

        send.TryCommit().Should().BeTrue();
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        send.Token.IsCancellationRequested.Should().BeFalse("the send's first time no longer applies");

        await FluentActions.Awaiting(() => Task.Delay(Timeout.InfiniteTimeSpan, send.Token)).Should().ThrowAsync<OperationCanceledException>("the handover's own time bounds it");
    }

    [Fact]
    public async Task HandoverHook_SendStoppedBeforeTheHook_DoesNotMarkAndStopsBeforeTheEndOfData()
    {
        var marks = 0;
        var request = new EmailSendRequest("aigul@example.org", "s", "text", "ref-1") { BeforeHandover = _ => Task.FromResult(++marks) };
        using var message = SmtpEmailSender.Build(request, new MailboxAddress("A", "alerts@union.example"), "<ap.1@union.example>", out var last);
        var progress = new SmtpEmailSender.HandoverProgress(SmtpEmailSender.MeasureForSmtp(message), request.BeforeHandover, commit: () => false);
        last.Progress = progress;
        progress.Report(1);

        await FluentActions.Awaiting(() => message.WriteToAsync(new MemoryStream())).Should().ThrowAsync<OperationCanceledException>();

        marks.Should().Be(0);
        progress.StoppedBeforeEndOfData.Should().BeTrue();
        progress.MayHaveHandedOver.Should().BeFalse();
    }

    [Fact]
    public void MessageIdFor_IsStablePerReferenceAndFreeOfIt()
    {
        var id = SmtpEmailSender.MessageIdFor("alert-1/email/jane@example.org", "union.example");

        id.Should().Be(SmtpEmailSender.MessageIdFor("alert-1/email/jane@example.org", "union.example"));
        id.Should().NotBe(SmtpEmailSender.MessageIdFor("alert-2/email/jane@example.org", "union.example"));
        id.Should().MatchRegex(@"^<ap\.[0-9a-f]{32}@union\.example>$").And.NotContain("jane");
    }

    [Theory]
    [InlineData("not an address")]
    [InlineData("a@example.org, b@example.org")]
    [InlineData("Jane <jane@example.org>")]
    [InlineData("")]
    public void EmailSendRequest_BadRecipient_ThrowsWithMaskedAddress(string to) =>
        FluentActions.Invoking(() => new EmailSendRequest(to, "s", "t", "d")).Should().Throw<ArgumentException>().WithMessage("*not a single valid address*");

    [Fact]
    public void EmailSendRequest_SubjectWithNewline_IsRejected() =>
        FluentActions.Invoking(() => new EmailSendRequest("a@example.org", "s\r\nBcc: x@evil.example", "t", "d"))
            .Should().Throw<ArgumentException>().WithMessage("*one non-empty line*");

    [Fact]
    public void EmailSendRequest_HttpUnsubscribeUrl_IsRejected() =>
        FluentActions.Invoking(() => new EmailSendRequest("a@example.org", "s", "t", "d", unsubscribeUrl: new Uri("http://x.example/u")))
            .Should().Throw<ArgumentException>().WithMessage("*https*");

    [Fact]
    public void EmailSendRequest_ToString_MasksTheAddress() =>
        new EmailSendRequest("jane.doe@example.org", "s", "t", "d").ToString().Should().NotContain("jane.doe").And.Contain("j***@e***.org");

    [Fact]
    public void SmtpOptions_Port465WithCredentials_IsImplicitTlsAndValid() =>
        new SmtpOptions { Host = "smtp.example.org", Port = 465, UseStartTls = false, From = "alerts@union.example", UserName = "u", Password = "p" }
            .Validate().Should().BeEmpty();

    [Fact]
    public void SmtpOptions_Validate_NamesEveryProblem()
    {
        var options = new SmtpOptions { Port = 0, From = "nope", UserName = "u", UseStartTls = false, Host = "smtp.example.org" };

        options.Validate().Should().BeEquivalentTo(
            "Smtp:Port must be 1..65535.",
            "Smtp:From must be a valid email address.",
            "Set both Smtp:UserName and Smtp:Password, or neither.",
            "Smtp:UseStartTls must be true when credentials are set for a non-loopback host (the password would travel in clear).");
    }

    [Fact]
    public void AddEmailGateway_WithHost_ResolvesSmtpAndValidates()
    {
        var good = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = "2525",
            ["Smtp:UseStartTls"] = "false",
            ["Smtp:From"] = "alerts@union.example",
        }).Build();
        using var provider = new ServiceCollection().AddEmailGateway(good).BuildServiceProvider();
        provider.GetRequiredService<IEmailGateway>().Should().BeOfType<SmtpEmailSender>();

        var bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Smtp:Host"] = "smtp.example.org" }).Build();
        using var badProvider = new ServiceCollection().AddEmailGateway(bad).BuildServiceProvider();
        FluentActions.Invoking(() => badProvider.GetRequiredService<IOptions<SmtpOptions>>().Value)
            .Should().Throw<OptionsValidationException>().WithMessage("*Smtp:From*");
    }
}
