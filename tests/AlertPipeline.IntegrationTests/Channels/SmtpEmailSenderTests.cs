using System.Security.Cryptography.X509Certificates;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Channels;
using AlertPipeline.Infrastructure.Email;
using AlertPipeline.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AlertPipeline.IntegrationTests.Channels;

public sealed class SmtpEmailSenderTests : IAsyncLifetime
{
    private SmtpSink _sink = null!;

    public async Task InitializeAsync() => _sink = await SmtpSink.StartAsync();

    public async Task DisposeAsync() => await _sink.DisposeAsync();

    private static SmtpEmailSender Sender(string host, int port, bool startTls = false) =>
        new(Options.Create(new SmtpOptions
        {
            Host = host,
            Port = port,
            UseStartTls = startTls,
            From = "alerts@union.example",
            FromName = "Solidarity Alerts",
            Timeout = TimeSpan.FromSeconds(10),
        }), NullLogger<SmtpEmailSender>.Instance);

    private SmtpEmailSender Sender() => Sender(_sink.Host, _sink.Port);

    [Fact]
    public async Task SendAsync_TextAndHtml_ArrivesAsMultipartAlternativeWithOurHeaders()
    {
        var request = new EmailSendRequest(
            "member@example.org",
            "Picket tomorrow",
            "Gate 3 at 06:00.",
            "alert-1/email/abc",
            htmlBody: "<p>Gate <b>3</b> at 06:00.</p>",
            unsubscribeUrl: new Uri("https://alerts.union.example/u/tok123"),
            unsubscribeMailto: "unsubscribe@union.example",
            toName: "Member One");

        var result = await Sender().SendAsync(request);

        var message = (await _sink.WaitForMessagesAsync(1)).Single();
        message.Header("Content-Type").Should().StartWith("multipart/alternative");
        message.Parts.Select(p => p.ContentType).Should().Equal("text/plain", "text/html");
        message.TextBody!.TrimEnd().Should().Be("Gate 3 at 06:00.");
        message.HtmlBody!.TrimEnd().Should().Be("<p>Gate <b>3</b> at 06:00.</p>");
        message.Subject.Should().Be("Picket tomorrow");
        message.Header("From").Should().Contain("alerts@union.example").And.Contain("Solidarity Alerts");
        message.Header("To").Should().Contain("member@example.org");
        message.Header("X-RcptTo").Should().Be("member@example.org");
        message.Header(SmtpEmailSender.DeliveryHeader).Should().Be("alert-1/email/abc");
        message.Header("List-Unsubscribe").Should().Be("<mailto:unsubscribe@union.example?subject=unsubscribe>, <https://alerts.union.example/u/tok123>");
        message.Header("List-Unsubscribe-Post").Should().Be("List-Unsubscribe=One-Click");
        message.HeaderValues("Message-ID").Should().ContainSingle().Which.Should().Be(result.ProviderId);
        result.ProviderId.Should().MatchRegex(@"^<ap\.[0-9a-f]{32}@union\.example>$");
    }

    [Fact]
    public async Task SendAsync_CyrillicAndKazakh_SubjectAndBodiesArriveIntact()
    {
        const string subject = "Солидарность: суд над Ерланом — завтра в 10:00";
        const string text = "Приходите к зданию суда. Қазақ тілі: әділет, ғ, ү, ң. Emoji ✊";
        const string html = "<p>Приходите к зданию суда. <i>Әділет!</i></p>";

        await Sender().SendAsync(new EmailSendRequest("member@example.org", subject, text, "d-utf8", htmlBody: html, toName: "Ерлан Қ."));

        var message = (await _sink.WaitForMessagesAsync(1)).Single();
        message.Subject.Should().Be(subject);
        message.TextBody!.TrimEnd().Should().Be(text);
        message.HtmlBody!.TrimEnd().Should().Be(html);
        message.Header("To").Should().Contain("Ерлан Қ.");
    }

    [Fact]
    public async Task SendAsync_TextOnlyWithMailtoUnsubscribe_IsSinglePartWithoutOneClickHeader()
    {
        await Sender().SendAsync(new EmailSendRequest("member@example.org", "Plain", "Just text.", "d-plain", unsubscribeMailto: "unsubscribe@union.example"));

        var message = (await _sink.WaitForMessagesAsync(1)).Single();
        message.Parts.Should().BeEmpty();
        message.ContentType.Should().Be("text/plain");
        message.TextBody!.TrimEnd().Should().Be("Just text.");
        message.Header("List-Unsubscribe").Should().Be("<mailto:unsubscribe@union.example?subject=unsubscribe>");
        message.Header("List-Unsubscribe-Post").Should().BeNull();
    }

    [Fact]
    public async Task SendAsync_SameDeliveryTwice_CarriesTheSameMessageId()
    {
        var first = await Sender().SendAsync(new EmailSendRequest("member@example.org", "S", "T", "same-delivery"));
        var second = await Sender().SendAsync(new EmailSendRequest("member@example.org", "S", "T", "same-delivery"));
        var other = await Sender().SendAsync(new EmailSendRequest("member@example.org", "S", "T", "other-delivery"));

        second.ProviderId.Should().Be(first.ProviderId);
        other.ProviderId.Should().NotBe(first.ProviderId);
        (await _sink.WaitForMessagesAsync(3)).Select(m => m.Header("Message-ID")).Should().Equal(first.ProviderId, first.ProviderId, other.ProviderId);
    }

    [Fact]
    public async Task SendAsync_NothingListening_ThrowsTransientWithoutTheAddress()
    {
        var sender = Sender("127.0.0.1", FreePort.Next());

        var ex = (await FluentActions.Awaiting(() => sender.SendAsync(new EmailSendRequest("member@example.org", "S", "T", "d1")))
            .Should().ThrowAsync<EmailSendException>()).Which;

        ex.Kind.Should().Be(ChannelFailureKind.Transient);
        ex.IsTransient.Should().BeTrue();
        ex.Message.Should().NotContain("member@example.org");
    }

    [Fact]
    public async Task SendAsync_PlainToSinkThatRequiresStartTls_ThrowsConfiguration()
    {
        using var certificate = SmtpSink.CreateSelfSignedCertificate();
        await using var tlsSink = await SmtpSink.StartAsync(certificate);

        var ex = (await FluentActions.Awaiting(() => Sender(tlsSink.Host, tlsSink.Port).SendAsync(new EmailSendRequest("member@example.org", "S", "T", "d1")))
            .Should().ThrowAsync<EmailSendException>()).Which;

        ex.Kind.Should().Be(ChannelFailureKind.Configuration);
        ex.ProviderCode.Should().Be("530");
        (await tlsSink.ReadMessagesAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task SendAsync_StartTlsWithUntrustedCertificate_ThrowsConfiguration()
    {
        using var certificate = SmtpSink.CreateSelfSignedCertificate();
        await using var tlsSink = await SmtpSink.StartAsync(certificate);

        var ex = (await FluentActions.Awaiting(() => Sender(tlsSink.Host, tlsSink.Port, startTls: true).SendAsync(new EmailSendRequest("member@example.org", "S", "T", "d1")))
            .Should().ThrowAsync<EmailSendException>()).Which;

        ex.Kind.Should().Be(ChannelFailureKind.Configuration);
        (await tlsSink.ReadMessagesAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task SendAsync_StartTlsWithTrustedCertificate_Delivers()
    {
        using var certificate = SmtpSink.CreateSelfSignedCertificate();
        await using var tlsSink = await SmtpSink.StartAsync(certificate);
        using var trust = TrustedRoot.Add(certificate);

        await Sender(tlsSink.Host, tlsSink.Port, startTls: true).SendAsync(new EmailSendRequest("member@example.org", "Over TLS", "Encrypted.", "d-tls"));

        var message = (await tlsSink.WaitForMessagesAsync(1)).Single();
        message.Subject.Should().Be("Over TLS");
        message.TextBody!.TrimEnd().Should().Be("Encrypted.");
    }

    /// <summary>
    /// Trusts a certificate for the length of one test through the current user's Root store (on Linux .NET trusts
    /// it for chain building), instead of a process-wide ServerCertificateValidationCallback. Removed on dispose.
    /// </summary>
    private sealed class TrustedRoot : IDisposable
    {
        private readonly X509Certificate2 _certificate;

        private TrustedRoot(X509Certificate2 certificate) => _certificate = certificate;

        public static TrustedRoot Add(X509Certificate2 certificate)
        {
            using var store = new X509Store(StoreName.Root, StoreLocation.CurrentUser);
            store.Open(OpenFlags.ReadWrite);
            using var publicOnly = X509CertificateLoader.LoadCertificate(certificate.Export(X509ContentType.Cert));
            store.Add(publicOnly);
            return new TrustedRoot(certificate);
        }

        public void Dispose()
        {
            using var store = new X509Store(StoreName.Root, StoreLocation.CurrentUser);
            store.Open(OpenFlags.ReadWrite);
            foreach (var match in store.Certificates.Find(X509FindType.FindByThumbprint, _certificate.Thumbprint, validOnly: false))
            {
                store.Remove(match);
                match.Dispose();
            }
        }
    }
}
