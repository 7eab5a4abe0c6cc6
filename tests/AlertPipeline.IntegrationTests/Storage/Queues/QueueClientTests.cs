using System.Diagnostics;
using System.Text;
using AlertPipeline.Infrastructure.Storage;
using AlertPipeline.Infrastructure.Storage.Queues;
using AlertPipeline.Testing;
using Azure;

namespace AlertPipeline.IntegrationTests.Storage.Queues;

/// <summary>The queue client against a real Azurite; every test owns a uniquely named queue.</summary>
public sealed class QueueClientTests : IAsyncLifetime
{
    private AzuriteFixture _azurite = null!;
    private QueueServiceClient _service = null!;
    private QueueServiceClient _rawService = null!;

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteFixture.SharedAsync();
        _service = new QueueServiceClient(_azurite.ConnectionString);
        _rawService = new QueueServiceClient(_azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<QueueClient> NewQueueAsync(QueueServiceClient? service = null)
    {
        var queue = (service ?? _service).GetQueueClient(AzuriteFixture.UniqueName("q"));
        (await queue.CreateIfNotExistsAsync()).Should().BeTrue();
        return queue;
    }

    [Fact]
    public async Task CreateIfNotExists_NewThenExisting_ReturnsTrueThenFalse()
    {
        var queue = _service.GetQueueClient(AzuriteFixture.UniqueName("q"));

        (await queue.ExistsAsync()).Should().BeFalse();
        (await queue.CreateIfNotExistsAsync()).Should().BeTrue();
        (await queue.CreateIfNotExistsAsync()).Should().BeFalse();
        (await queue.ExistsAsync()).Should().BeTrue();
    }

    [Fact]
    public async Task DeleteIfExists_ExistingThenGone_ReturnsTrueThenFalse()
    {
        var queue = await NewQueueAsync();

        (await queue.DeleteIfExistsAsync()).Should().BeTrue();
        (await queue.ExistsAsync()).Should().BeFalse();
        (await queue.DeleteIfExistsAsync()).Should().BeFalse();
    }

    [Fact]
    public async Task SendReceiveDelete_Base64_RoundTripsAndPutsBase64OnTheWire()
    {
        var queue = await NewQueueAsync();
        const string json = "{\"alertId\":\"a-1\",\"kind\":\"trial\"}";

        var receipt = await queue.SendMessageAsync(json);
        var received = (await queue.ReceiveMessagesAsync()).Should().ContainSingle().Subject;

        receipt.MessageId.Should().NotBeNullOrEmpty();
        receipt.PopReceipt.Should().NotBeNullOrEmpty();
        receipt.ExpirationTime.Should().BeAfter(receipt.InsertionTime);
        received.MessageId.Should().Be(receipt.MessageId);
        received.MessageText.Should().Be(Convert.ToBase64String(Encoding.UTF8.GetBytes(json)));
        received.Body.Should().Be(json);
        received.DequeueCount.Should().Be(1);
        received.NextVisibleOn.Should().BeAfter(received.InsertionTime);

        await queue.DeleteMessageAsync(received.MessageId, received.PopReceipt);
        (await queue.GetApproximateMessageCountAsync()).Should().Be(0);
    }

    [Fact]
    public async Task SendReceive_NoneEncoding_PutsTheTextItselfOnTheWire()
    {
        var queue = await NewQueueAsync(_rawService);

        await queue.SendMessageAsync("plain text");
        var received = (await queue.ReceiveMessagesAsync()).Should().ContainSingle().Subject;

        received.MessageText.Should().Be("plain text");
        received.Body.Should().Be("plain text");
        await queue.DeleteMessageAsync(received.MessageId, received.PopReceipt);
    }

    [Theory]
    [InlineData(QueueMessageEncoding.Base64)]
    [InlineData(QueueMessageEncoding.None)]
    public async Task SendReceive_XmlSpecialCharactersAndKazakhText_RoundTripExactly(QueueMessageEncoding encoding)
    {
        var service = new QueueServiceClient(_azurite.ConnectionString, new QueueClientOptions { MessageEncoding = encoding });
        var queue = await NewQueueAsync(service);
        const string text = "<Ереуіл & «ынтымақ»> 'Қазақстан' \"Өскемен\" </MessageText>]]> ‑ 🚩\ttab";

        await queue.SendMessageAsync(text);
        var received = (await queue.ReceiveMessagesAsync()).Should().ContainSingle().Subject;

        received.Body.Should().Be(text);
    }

    [Theory]
    [InlineData(QueueMessageEncoding.Base64)]
    [InlineData(QueueMessageEncoding.None)]
    public async Task SendReceive_LeadingTrailingWhitespaceAndLineEnds_RoundTripExactly(QueueMessageEncoding encoding)
    {
        var service = new QueueServiceClient(_azurite.ConnectionString, new QueueClientOptions { MessageEncoding = encoding });
        var queue = await NewQueueAsync(service);
        const string text = "  line one\r\nline two\n  ";

        await queue.SendMessageAsync(text);
        var received = (await queue.ReceiveMessagesAsync()).Should().ContainSingle().Subject;

        received.Body.Should().Be(text);
    }

    [Fact]
    public async Task SendMessage_WithVisibilityDelay_IsHiddenUntilThenReceived()
    {
        var queue = await NewQueueAsync();

        await queue.SendMessageAsync("later", visibilityTimeout: TimeSpan.FromSeconds(2));

        (await queue.ReceiveMessagesAsync()).Should().BeEmpty("the message is not visible yet");
        (await queue.PeekMessagesAsync()).Should().BeEmpty();
        var watch = Stopwatch.StartNew();
        var received = await Poll.ForAsync(() => queue.ReceiveMessagesAsync(), m => m.Count == 1, "the delayed message to become visible", TimeSpan.FromSeconds(15));
        watch.Elapsed.Should().BeGreaterThan(TimeSpan.FromSeconds(1));
        received[0].Body.Should().Be("later");
    }

    [Fact]
    public async Task SendMessage_WithShortTimeToLive_ExpiresAndDisappears()
    {
        var queue = await NewQueueAsync();

        var receipt = await queue.SendMessageAsync("short-lived", timeToLive: TimeSpan.FromSeconds(2));

        receipt.ExpirationTime.Should().BeCloseTo(receipt.InsertionTime.AddSeconds(2), TimeSpan.FromSeconds(1));
        (await queue.PeekMessagesAsync()).Should().ContainSingle();
        await Poll.UntilAsync(async () => (await queue.PeekMessagesAsync()).Count == 0, "the message to expire", TimeSpan.FromSeconds(15));
        (await queue.ReceiveMessagesAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task SendMessage_NeverExpires_HasFarFutureExpiration()
    {
        var queue = await NewQueueAsync();

        var receipt = await queue.SendMessageAsync("forever", timeToLive: QueueClient.MessageNeverExpires);

        receipt.ExpirationTime.Year.Should().Be(9999);
        var received = (await queue.ReceiveMessagesAsync()).Should().ContainSingle().Subject;
        received.ExpirationTime.Year.Should().Be(9999);
    }

    [Fact]
    public async Task ReceiveMessages_32_ReturnsThirtyTwoDistinctMessagesAndLeavesTheRest()
    {
        var queue = await NewQueueAsync();
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => queue.SendMessageAsync($"m{i}")));

        var batch = await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(1));

        batch.Should().HaveCount(32);
        batch.Select(m => m.MessageId).Should().OnlyHaveUniqueItems();
        batch.Select(m => m.Body).Should().OnlyContain(b => b.StartsWith('m'));
        (await queue.ReceiveMessagesAsync(32)).Should().HaveCount(8);
    }

    [Fact]
    public async Task ReceiveMessages_AfterVisibilityLapses_DequeueCountIncrements()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("retry me");

        var first = (await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(1))).Should().ContainSingle().Subject;
        var second = await Poll.ForAsync(() => queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(1)), m => m.Count == 1, "the message to reappear");

        first.DequeueCount.Should().Be(1);
        second[0].MessageId.Should().Be(first.MessageId);
        second[0].DequeueCount.Should().Be(2);
        second[0].PopReceipt.Should().NotBe(first.PopReceipt);
    }

    [Fact]
    public async Task UpdateMessage_VisibilityAndContent_ReturnsNewPopReceiptAndOldOneFails()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("v1");
        var received = (await queue.ReceiveMessagesAsync()).Should().ContainSingle().Subject;

        var update = await queue.UpdateMessageAsync(received.MessageId, received.PopReceipt, TimeSpan.Zero, "v2");

        update.PopReceipt.Should().NotBe(received.PopReceipt);
        update.TimeNextVisible.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromSeconds(5));
        var stale = () => queue.UpdateMessageAsync(received.MessageId, received.PopReceipt, TimeSpan.FromSeconds(10));
        var ex = (await stale.Should().ThrowAsync<RequestFailedException>()).Which;
        ex.Status.Should().Be(400);
        ex.ErrorCode.Should().Be(QueueErrorCode.PopReceiptMismatch);

        var again = (await queue.ReceiveMessagesAsync()).Should().ContainSingle().Subject;
        again.Body.Should().Be("v2");
        again.DequeueCount.Should().Be(2);
    }

    [Fact]
    public async Task UpdateMessage_VisibilityOnly_KeepsContentAndHidesMessage()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("keep me");
        var received = (await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(1))).Should().ContainSingle().Subject;

        var update = await queue.UpdateMessageAsync(received.MessageId, received.PopReceipt, TimeSpan.FromMinutes(5));

        update.TimeNextVisible.Should().BeAfter(DateTimeOffset.UtcNow.AddMinutes(4));
        (await queue.PeekMessagesAsync()).Should().BeEmpty();
        var renewed = received with { PopReceipt = update.PopReceipt, NextVisibleOn = update.TimeNextVisible };
        await queue.UpdateMessageAsync(renewed.MessageId, renewed.PopReceipt, TimeSpan.Zero);
        var back = (await queue.ReceiveMessagesAsync()).Should().ContainSingle().Subject;
        back.Body.Should().Be("keep me");
    }

    [Fact]
    public async Task DeleteMessage_WithStalePopReceipt_FailsAndMessageStays()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("x");
        var first = (await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(1))).Should().ContainSingle().Subject;
        var second = await Poll.ForAsync(() => queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30)), m => m.Count == 1, "the message to reappear");

        var act = () => queue.DeleteMessageAsync(first.MessageId, first.PopReceipt);

        var ex = (await act.Should().ThrowAsync<RequestFailedException>()).Which;
        ex.Status.Should().Be(400);
        ex.ErrorCode.Should().Be(QueueErrorCode.PopReceiptMismatch);
        await queue.DeleteMessageAsync(second[0].MessageId, second[0].PopReceipt);
    }

    [Fact]
    public async Task DeleteMessage_AlreadyDeleted_FailsWithMessageNotFound()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("x");
        var m = (await queue.ReceiveMessagesAsync()).Should().ContainSingle().Subject;
        await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt);

        var act = () => queue.DeleteMessageAsync(m.MessageId, m.PopReceipt);

        var ex = (await act.Should().ThrowAsync<RequestFailedException>()).Which;
        ex.Status.Should().Be(404);
        ex.ErrorCode.Should().Be(QueueErrorCode.MessageNotFound);
    }

    [Fact]
    public async Task Operations_OnMissingQueue_ThrowQueueNotFound()
    {
        var queue = _service.GetQueueClient(AzuriteFixture.UniqueName("missing"));

        var send = () => queue.SendMessageAsync("x");
        var count = () => queue.GetApproximateMessageCountAsync();

        var ex = (await send.Should().ThrowAsync<RequestFailedException>()).Which;
        ex.Status.Should().Be(404);
        ex.ErrorCode.Should().Be(QueueErrorCode.QueueNotFound);
        ex.Message.Should().Contain("QueueNotFound");
        (await count.Should().ThrowAsync<RequestFailedException>()).Which.ErrorCode.Should().Be(QueueErrorCode.QueueNotFound);
    }

    [Fact]
    public async Task SendMessage_Oversized_IsRejectedBeforeAnyRequest()
    {
        // The queue does not exist: had a request gone out, it would have failed with 404 QueueNotFound instead.
        var queue = _service.GetQueueClient(AzuriteFixture.UniqueName("missing"));
        var text = new string('a', 49_200); // base64 of 49,200 bytes is 65,600 characters

        var act = () => queue.SendMessageAsync(text);

        (await act.Should().ThrowAsync<ArgumentException>()).WithMessage("*65,600 bytes*65,536*");
    }

    [Fact]
    public async Task SendMessage_ExactlyTheLimit_IsAcceptedByTheService()
    {
        var queue = await NewQueueAsync(_rawService);
        var text = new string('a', 65_536);

        await queue.SendMessageAsync(text);

        (await queue.ReceiveMessagesAsync()).Should().ContainSingle().Which.MessageText.Should().HaveLength(65_536);
    }

    [Fact]
    public async Task PeekMessages_DoesNotChangeVisibilityOrDequeueCount()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("a");
        await queue.SendMessageAsync("b");

        var peeked = await queue.PeekMessagesAsync(32);
        var peekedAgain = await queue.PeekMessagesAsync(32);

        peeked.Select(p => p.Body).Should().BeEquivalentTo(["a", "b"]);
        peeked.Should().OnlyContain(p => p.DequeueCount == 0);
        peekedAgain.Should().HaveCount(2);
        var received = await queue.ReceiveMessagesAsync(32);
        received.Should().HaveCount(2).And.OnlyContain(m => m.DequeueCount == 1);
    }

    [Fact]
    public async Task ApproximateCountAndClear_CountMessagesThenEmptyTheQueue()
    {
        var queue = await NewQueueAsync();
        for (var i = 0; i < 5; i++)
        {
            await queue.SendMessageAsync($"m{i}");
        }

        (await queue.GetApproximateMessageCountAsync()).Should().Be(5);
        await queue.ClearMessagesAsync();

        (await queue.GetApproximateMessageCountAsync()).Should().Be(0);
        (await queue.ReceiveMessagesAsync(32)).Should().BeEmpty();
    }

    [Fact]
    public async Task AnyOperation_WithWrongAccountKey_Throws403AuthenticationFailed()
    {
        var wrongKey = Convert.ToBase64String(Encoding.UTF8.GetBytes("not the key of devstoreaccount1, not at all"));
        var service = new QueueServiceClient(
            _service.Uri, new StorageSharedKeyCredential(StorageConnectionString.DevelopmentAccountName, wrongKey));

        var act = () => service.GetQueueClient(AzuriteFixture.UniqueName("q")).CreateIfNotExistsAsync();

        var ex = (await act.Should().ThrowAsync<RequestFailedException>()).Which;
        ex.Status.Should().Be(403);
        ex.ErrorCode.Should().Be(QueueErrorCode.AuthenticationFailed);
    }

    [Fact]
    public async Task Body_RawTextThatIsNotBase64_ThrowsUnderBase64WhileTryGetBodyIsFalse()
    {
        var name = AzuriteFixture.UniqueName("q");
        var raw = _rawService.GetQueueClient(name);
        await raw.CreateIfNotExistsAsync();
        await raw.SendMessageAsync("{\"not\":\"base64\"}");

        var received = (await _service.GetQueueClient(name).ReceiveMessagesAsync()).Should().ContainSingle().Subject;

        received.MessageText.Should().Be("{\"not\":\"base64\"}");
        received.TryGetBody(out _).Should().BeFalse();
        var body = () => received.Body;
        body.Should().Throw<FormatException>().WithMessage("*not valid base64*");
    }
}
