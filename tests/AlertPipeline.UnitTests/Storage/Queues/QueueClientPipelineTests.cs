using System.Net;
using System.Net.Sockets;
using AlertPipeline.Infrastructure.Storage;
using AlertPipeline.Infrastructure.Storage.Queues;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace AlertPipeline.UnitTests.Storage.Queues;

/// <summary>The client on the real Azure.Core pipeline, with <see cref="MockHandler"/> as the network.</summary>
public class QueueClientPipelineTests
{
    private const string Endpoint = "http://127.0.0.1:10001/devstoreaccount1";

    private static QueueClient Queue(MockHandler handler, QueueMessageEncoding encoding = QueueMessageEncoding.Base64)
    {
        var options = new QueueClientOptions
        {
            MessageEncoding = encoding,
            Transport = new HttpClientTransport(new HttpClient(handler)),
            Retry = { Delay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(2) },
        };
        return new QueueServiceClient("UseDevelopmentStorage=true", options).GetQueueClient("alerts");
    }

    private const string SendResponse = """
        <?xml version="1.0" encoding="utf-8"?><QueueMessagesList><QueueMessage>
        <MessageId>6a1b</MessageId><InsertionTime>Mon, 02 Mar 2026 10:00:00 GMT</InsertionTime>
        <ExpirationTime>Mon, 09 Mar 2026 10:00:00 GMT</ExpirationTime><PopReceipt>AgAA+zZ/==</PopReceipt>
        <TimeNextVisible>Mon, 02 Mar 2026 10:00:05 GMT</TimeNextVisible></QueueMessage></QueueMessagesList>
        """;

    [Fact]
    public void Options_Defaults_AreVersionBase64AndBoundedRetries()
    {
        var options = new QueueClientOptions();

        options.ServiceVersion.Should().Be("2021-12-02");
        options.MessageEncoding.Should().Be(QueueMessageEncoding.Base64);
        options.Retry.MaxRetries.Should().Be(3);
        options.Retry.Mode.Should().Be(RetryMode.Exponential);
        options.Retry.NetworkTimeout.Should().Be(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Create_503TwiceThen201_RetriesAndSucceedsOnTheThirdAttempt()
    {
        var handler = new MockHandler()
            .Respond(HttpStatusCode.ServiceUnavailable)
            .Respond(HttpStatusCode.ServiceUnavailable)
            .Respond(HttpStatusCode.Created);

        (await Queue(handler).CreateIfNotExistsAsync()).Should().BeTrue();

        handler.Requests.Should().HaveCount(3);
        handler.Requests.Should().OnlyContain(r => r.Header("Authorization")!.StartsWith("SharedKey devstoreaccount1:") && r.Header("x-ms-date") != null);
    }

    [Theory]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    public async Task Send_TransientStatusThen201_RetriesOnce(HttpStatusCode transient)
    {
        var handler = new MockHandler().Respond(transient).Respond(HttpStatusCode.Created, SendResponse);

        var receipt = await Queue(handler).SendMessageAsync("hello");

        receipt.MessageId.Should().Be("6a1b");
        handler.Requests.Should().HaveCount(2);
        handler.Requests[1].Body.Should().Be(handler.Requests[0].Body, "the retry resends the same body");
    }

    [Fact]
    public async Task Create_TransportErrorThen201_Retries()
    {
        var handler = new MockHandler()
            .Fail(new HttpRequestException("Connection refused", new SocketException((int)SocketError.ConnectionRefused)))
            .Respond(HttpStatusCode.NoContent);

        (await Queue(handler).CreateIfNotExistsAsync()).Should().BeFalse();

        handler.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task Create_AlwaysUnavailable_GivesUpAfterMaxRetriesWith503()
    {
        var handler = new MockHandler();
        for (var i = 0; i < 4; i++)
        {
            handler.Respond(HttpStatusCode.ServiceUnavailable, "<Error><Code>ServerBusy</Code><Message>Busy.</Message></Error>");
        }

        var act = () => Queue(handler).CreateIfNotExistsAsync();

        var ex = (await act.Should().ThrowAsync<RequestFailedException>()).Which;
        ex.Status.Should().Be(503);
        ex.ErrorCode.Should().Be("ServerBusy");
        handler.Requests.Should().HaveCount(4, "one attempt and three retries");
    }

    [Fact]
    public async Task Delete_404_IsNotRetriedAndCarriesTheXmlErrorCode()
    {
        var handler = new MockHandler().Respond(
            HttpStatusCode.NotFound,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>MessageNotFound</Code><Message>The specified message does not exist.\nRequestId:r1</Message></Error>");

        var act = () => Queue(handler).DeleteMessageAsync("6a1b", "pop");

        var ex = (await act.Should().ThrowAsync<RequestFailedException>()).Which;
        ex.Status.Should().Be(404);
        ex.ErrorCode.Should().Be(QueueErrorCode.MessageNotFound);
        ex.Message.Should().Contain("The specified message does not exist.");
        handler.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task Error_HeaderOnlyAndExtraDetail_AreReported()
    {
        var handler = new MockHandler()
            .Respond(HttpStatusCode.NotFound, null, ("x-ms-error-code", "QueueNotFound"))
            .Respond(HttpStatusCode.Forbidden, "<Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate.</Message><AuthenticationErrorDetail>The MAC signature differs.</AuthenticationErrorDetail></Error>");
        var queue = Queue(handler);

        var notFound = () => queue.ClearMessagesAsync();
        var forbidden = () => queue.ClearMessagesAsync();

        (await notFound.Should().ThrowAsync<RequestFailedException>()).Which.ErrorCode.Should().Be(QueueErrorCode.QueueNotFound);
        var ex = (await forbidden.Should().ThrowAsync<RequestFailedException>()).Which;
        ex.ErrorCode.Should().Be(QueueErrorCode.AuthenticationFailed);
        ex.Message.Should().Contain("The MAC signature differs.");
    }

    [Fact]
    public async Task Send_PutsEscapedXmlAndQueryOnTheWire()
    {
        var handler = new MockHandler().Respond(HttpStatusCode.Created, SendResponse);

        var receipt = await Queue(handler, QueueMessageEncoding.None)
            .SendMessageAsync("<b> & \"c\"\r\n", TimeSpan.FromSeconds(4.2), QueueClient.MessageNeverExpires);

        var sent = handler.Requests.Should().ContainSingle().Subject;
        sent.Method.Should().Be(HttpMethod.Post);
        sent.Uri.AbsolutePath.Should().Be("/devstoreaccount1/alerts/messages");
        sent.Uri.Query.Should().Be("?visibilitytimeout=5&messagettl=-1");
        sent.Header("Content-Type").Should().Be("application/xml; charset=utf-8");
        sent.Header("x-ms-version").Should().Be("2021-12-02");
        sent.Body.Should().Be("<?xml version=\"1.0\" encoding=\"utf-8\"?><QueueMessage><MessageText>&lt;b&gt; &amp; &quot;c&quot;&#xD;\n</MessageText></QueueMessage>");
        receipt.Should().Be(new SendReceipt(
            "6a1b",
            "AgAA+zZ/==",
            new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 3, 9, 10, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 3, 2, 10, 0, 5, TimeSpan.Zero)));
    }

    [Fact]
    public async Task Receive_ParsesEveryFieldAndKeepsRawText()
    {
        var handler = new MockHandler().Respond(HttpStatusCode.OK, """
            <?xml version="1.0" encoding="utf-8"?><QueueMessagesList>
            <QueueMessage><MessageId>m1</MessageId><InsertionTime>Mon, 02 Mar 2026 10:00:00 GMT</InsertionTime>
            <ExpirationTime>Fri, 31 Dec 9999 23:59:59 GMT</ExpirationTime><PopReceipt>p1</PopReceipt>
            <TimeNextVisible>Mon, 02 Mar 2026 10:00:30 GMT</TimeNextVisible><DequeueCount>3</DequeueCount>
            <MessageText>aGk=</MessageText></QueueMessage>
            <QueueMessage><MessageId>m2</MessageId><InsertionTime>Mon, 02 Mar 2026 10:00:01 GMT</InsertionTime>
            <ExpirationTime>Mon, 09 Mar 2026 10:00:01 GMT</ExpirationTime><PopReceipt>p2</PopReceipt>
            <TimeNextVisible>Mon, 02 Mar 2026 10:00:30 GMT</TimeNextVisible><DequeueCount>1</DequeueCount>
            <MessageText>  </MessageText></QueueMessage></QueueMessagesList>
            """);

        var messages = await Queue(handler).ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30));

        handler.Requests.Single().Uri.Query.Should().Be("?numofmessages=32&visibilitytimeout=30");
        messages.Should().HaveCount(2);
        messages[0].Should().Be(new QueueMessage(
            "m1", "p1", 3,
            new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero),
            new DateTimeOffset(2026, 3, 2, 10, 0, 30, TimeSpan.Zero),
            "aGk=",
            QueueMessageEncoding.Base64));
        messages[0].Body.Should().Be("hi");
        messages[1].MessageText.Should().Be("  ", "whitespace-only text is kept");
    }

    [Fact]
    public async Task Update_WithoutText_SendsNoBodyAndEncodesThePopReceipt()
    {
        var handler = new MockHandler().Respond(
            HttpStatusCode.NoContent, null, ("x-ms-popreceipt", "new+pop"), ("x-ms-time-next-visible", "Mon, 02 Mar 2026 10:01:00 GMT"));

        var receipt = await Queue(handler).UpdateMessageAsync("m1", "old+pop/==", TimeSpan.FromMinutes(1));

        var sent = handler.Requests.Should().ContainSingle().Subject;
        sent.Method.Should().Be(HttpMethod.Put);
        sent.Uri.AbsolutePath.Should().Be("/devstoreaccount1/alerts/messages/m1");
        sent.Uri.Query.Should().Be("?popreceipt=old%2Bpop%2F%3D%3D&visibilitytimeout=60");
        sent.Body.Should().BeNullOrEmpty();
        receipt.Should().Be(new UpdateReceipt("new+pop", new DateTimeOffset(2026, 3, 2, 10, 1, 0, TimeSpan.Zero)));
    }

    [Fact]
    public async Task ApproximateCount_ReadsTheHeader()
    {
        var handler = new MockHandler().Respond(HttpStatusCode.OK, null, ("x-ms-approximate-messages-count", "42"));

        (await Queue(handler).GetApproximateMessageCountAsync()).Should().Be(42);
        handler.Requests.Single().Uri.Query.Should().Be("?comp=metadata");
    }

    [Fact]
    public async Task TokenCredential_SendsBearerTokenForStorageScopeAndVersion()
    {
        var handler = new MockHandler().Respond(HttpStatusCode.Created);
        var credential = new RecordingTokenCredential();
        var options = new QueueClientOptions { Transport = new HttpClientTransport(new HttpClient(handler)) };
        var service = new QueueServiceClient(new Uri("https://acct.queue.core.windows.net"), credential, options);

        (await service.GetQueueClient("alerts").CreateIfNotExistsAsync()).Should().BeTrue();

        var sent = handler.Requests.Should().ContainSingle().Subject;
        sent.Uri.Should().Be(new Uri("https://acct.queue.core.windows.net/alerts"));
        sent.Header("Authorization").Should().Be("Bearer token-123");
        sent.Header("x-ms-version").Should().Be("2021-12-02");
        credential.Scopes.Should().Equal("https://storage.azure.com/.default");
        service.AccountName.Should().Be("acct");
    }

    [Fact]
    public async Task Oversized_AndInvalidArguments_SendNothing()
    {
        var handler = new MockHandler();
        var queue = Queue(handler);

        await FluentActions.Awaiting(() => queue.SendMessageAsync(new string('x', 49_153)))
            .Should().ThrowAsync<ArgumentException>().WithMessage("*65,540 bytes*");
        await FluentActions.Awaiting(() => queue.SendMessageAsync(null!)).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Awaiting(() => queue.ReceiveMessagesAsync(0)).Should().ThrowAsync<ArgumentOutOfRangeException>().WithMessage("*between 1 and 32*");
        await FluentActions.Awaiting(() => queue.ReceiveMessagesAsync(33)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(() => queue.PeekMessagesAsync(33)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(() => queue.ReceiveMessagesAsync(1, TimeSpan.Zero)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(() => queue.ReceiveMessagesAsync(1, TimeSpan.FromDays(8))).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(() => queue.SendMessageAsync("x", TimeSpan.FromSeconds(-1))).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(() => queue.SendMessageAsync("x", null, TimeSpan.Zero)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(() => queue.SendMessageAsync("x", TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60)))
            .Should().ThrowAsync<ArgumentException>().WithMessage("*shorter than the time to live*");
        await FluentActions.Awaiting(() => queue.DeleteMessageAsync("", "pop")).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => queue.DeleteMessageAsync("id", " ")).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => queue.UpdateMessageAsync("id", "pop", TimeSpan.FromDays(8))).Should().ThrowAsync<ArgumentOutOfRangeException>();

        handler.Requests.Should().BeEmpty();
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Alerts")]
    [InlineData("a--b")]
    [InlineData("-abc")]
    [InlineData("abc-")]
    [InlineData("al_erts")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    public void GetQueueClient_InvalidName_ThrowsNamingTheRule(string name)
    {
        var service = new QueueServiceClient("UseDevelopmentStorage=true");

        var act = () => service.GetQueueClient(name);

        act.Should().Throw<ArgumentException>().WithMessage($"'{name}' is not a valid queue name*");
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("sms-dispatch")]
    [InlineData("alert-events-poison")]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123")]
    public void GetQueueClient_ValidName_BuildsTheQueueUri(string name)
    {
        var queue = new QueueServiceClient("UseDevelopmentStorage=true").GetQueueClient(name);

        queue.Name.Should().Be(name);
        queue.Uri.Should().Be(new Uri($"{Endpoint}/{name}"));
    }

    [Fact]
    public void Constructors_BadInput_ThrowClearErrors()
    {
        var noKey = () => new QueueServiceClient("QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1");
        var sas = () => new QueueServiceClient(new Uri(Endpoint + "?sig=x"), new StorageSharedKeyCredential("devstoreaccount1", "a2V5"));
        var relative = () => new QueueServiceClient(new Uri("/q", UriKind.Relative), new StorageSharedKeyCredential("devstoreaccount1", "a2V5"));

        noKey.Should().Throw<ArgumentException>().WithMessage("*no AccountKey*TokenCredential*");
        sas.Should().Throw<ArgumentException>().WithMessage("*query string*");
        relative.Should().Throw<ArgumentException>().WithMessage("*not an absolute http(s) URL*");
    }

    private sealed class RecordingTokenCredential : TokenCredential
    {
        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Scopes.AddRange(requestContext.Scopes);
            return new AccessToken("token-123", DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(GetToken(requestContext, cancellationToken));
    }
}
