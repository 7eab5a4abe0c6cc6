using AlertPipeline.Infrastructure.Storage;
using AlertPipeline.Infrastructure.Storage.Tables;
using Azure.Core;
using Azure.Core.Pipeline;

namespace AlertPipeline.UnitTests.Storage.Tables;

public class TableSharedKeyLitePolicyTests
{
    private const string Date = "Tue, 02 Jan 2024 03:04:05 GMT";

    [Theory]
    [InlineData("http://127.0.0.1:10002/devstoreaccount1/Tables", "devstoreaccount1", "/devstoreaccount1/devstoreaccount1/Tables")]
    [InlineData(
        "http://127.0.0.1:10002/devstoreaccount1/mytable(PartitionKey='O%27%27Brien',RowKey='a%20b')?$filter=x%20eq%201&$select=A",
        "devstoreaccount1",
        "/devstoreaccount1/devstoreaccount1/mytable(PartitionKey='O%27%27Brien',RowKey='a%20b')")]
    [InlineData("https://myaccount.table.core.windows.net/mytable()?$top=5&comp=acl&NextRowKey=1", "myaccount", "/myaccount/mytable()?comp=acl")]
    [InlineData("https://myaccount.table.core.windows.net/mytable()?$top=5&NextPartitionKey=1!8!cA--", "myaccount", "/myaccount/mytable()")]
    [InlineData("http://127.0.0.1:10002/devstoreaccount1/$batch", "devstoreaccount1", "/devstoreaccount1/devstoreaccount1/$batch")]
    public void BuildStringToSign_IsDateNewlineAccountPathAndOnlyComp(string url, string account, string resource)
    {
        var stringToSign = TableSharedKeyLitePolicy.BuildStringToSign(Date, account, new Uri(url));

        stringToSign.Should().Be(Date + "\n" + resource);
    }

    // Expected signatures computed independently with python3:
    //   base64.b64encode(hmac.new(base64.b64decode(devKey), sts.encode(), hashlib.sha256).digest())
    [Theory]
    [InlineData("http://127.0.0.1:10002/devstoreaccount1/Tables", "vqH9cAkS8xJlO5MTje1QvTgbpxIibsQNqN4+xo6qZpI=")]
    [InlineData(
        "http://127.0.0.1:10002/devstoreaccount1/mytable(PartitionKey='O%27%27Brien',RowKey='a%20b')?$select=A",
        "zW0ixyUPYBc7cPRa9GRS9WiU4f4iqbdcsUu8v//MIZE=")]
    [InlineData("http://127.0.0.1:10002/devstoreaccount1/$batch", "aSewh4hxOzKIYM0HgzexcXxnQQZLt89/a24xdIgjMpI=")]
    public void Policy_SignsWithSharedKeyLite_KnownVectors(string url, string signature)
    {
        var message = Message(url);
        var policy = new TableSharedKeyLitePolicy(DevCredential(), new FixedClock(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero)));

        policy.OnSendingRequest(message);

        message.Request.Headers.TryGetValue("x-ms-date", out var date).Should().BeTrue();
        date.Should().Be(Date);
        message.Request.Headers.TryGetValue("Authorization", out var authorization).Should().BeTrue();
        authorization.Should().Be("SharedKeyLite devstoreaccount1:" + signature);
    }

    [Fact]
    public void BuildStringToSign_HostStyleWithComp_KnownVector()
    {
        // python3: sts = "Tue, 02 Jan 2024 03:04:05 GMT\n/myaccount/mytable?comp=acl" signed with the dev key.
        var sts = TableSharedKeyLitePolicy.BuildStringToSign(Date, "myaccount", new Uri("https://myaccount.table.core.windows.net/mytable?comp=acl"));

        sts.Should().Be("Tue, 02 Jan 2024 03:04:05 GMT\n/myaccount/mytable?comp=acl");
        DevCredential().ComputeSignature(sts).Should().Be("1xtXYnO4QRiOZAX4rbVz4AMSOzl5oWojjeq5SYeFWLY=");
    }

    [Fact]
    public void Policy_EachAttempt_GetsAFreshDate()
    {
        var clock = new FixedClock(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var policy = new TableSharedKeyLitePolicy(DevCredential(), clock);
        var message = Message("http://127.0.0.1:10002/devstoreaccount1/Tables");

        policy.OnSendingRequest(message);
        message.Request.Headers.TryGetValue("Authorization", out var first);
        clock.Now = clock.Now.AddSeconds(30);
        policy.OnSendingRequest(message);
        message.Request.Headers.TryGetValue("Authorization", out var second);
        message.Request.Headers.TryGetValue("x-ms-date", out var date);

        date.Should().Be("Tue, 02 Jan 2024 03:04:35 GMT");
        second.Should().NotBe(first);
    }

    private static StorageSharedKeyCredential DevCredential() =>
        new(StorageConnectionString.DevelopmentAccountName, StorageConnectionString.DevelopmentAccountKey);

    private static HttpMessage Message(string url)
    {
        var message = HttpPipelineBuilder.Build(new TableClientOptions()).CreateMessage();
        message.Request.Method = RequestMethod.Get;
        message.Request.Uri.Reset(new Uri(url));
        return message;
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
