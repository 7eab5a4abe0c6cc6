using AlertPipeline.Infrastructure.Storage;
using AlertPipeline.Infrastructure.Storage.Queues;
using Azure.Core;
using Azure.Core.Pipeline;

namespace AlertPipeline.UnitTests.Storage.Queues;

public class QueueSharedKeyPolicyTests
{
    private const string Date = "Mon, 02 Mar 2026 10:00:00 GMT";

    private static KeyValuePair<string, string> H(string name, string value) => new(name, value);

    [Fact]
    public void BuildStringToSign_PathStyleSend_DoublesAccountAndSortsQuery()
    {
        var uri = new Uri("http://127.0.0.1:10001/devstoreaccount1/alerts/messages?visibilitytimeout=5&messagettl=60");
        var headers = new[]
        {
            H("x-ms-version", "2021-12-02"),
            H("Content-Type", "application/xml; charset=utf-8"),
            H("x-ms-date", Date),
            H("x-ms-client-request-id", "c1"),
        };

        var sts = QueueSharedKeyPolicy.BuildStringToSign("POST", uri, headers, 120, "devstoreaccount1");

        // VERB, Content-Encoding, Content-Language, Content-Length, Content-MD5, Content-Type, Date,
        // If-Modified-Since, If-Match, If-None-Match, If-Unmodified-Since, Range; x-ms-* sorted; resource; query sorted.
        sts.Should().Be(string.Join("\n",
            "POST", "", "", "120", "", "application/xml; charset=utf-8", "", "", "", "", "", "",
            "x-ms-client-request-id:c1",
            "x-ms-date:" + Date,
            "x-ms-version:2021-12-02",
            "/devstoreaccount1/devstoreaccount1/alerts/messages",
            "messagettl:60",
            "visibilitytimeout:5"));
    }

    [Fact]
    public void BuildStringToSign_HostStyleDelete_DecodesPopReceiptAndLeavesZeroLengthEmpty()
    {
        var uri = new Uri("https://acct.queue.core.windows.net/alerts/messages/6a1b?popreceipt=AgAAAAMAAAAAAAAA%2BzZ%2F%3D%3D");

        var sts = QueueSharedKeyPolicy.BuildStringToSign(
            "DELETE", uri, [H("x-ms-date", Date), H("x-ms-version", "2021-12-02")], 0, "acct");

        sts.Should().Be(string.Join("\n",
            "DELETE", "", "", "", "", "", "", "", "", "", "", "",
            "x-ms-date:" + Date,
            "x-ms-version:2021-12-02",
            "/acct/alerts/messages/6a1b",
            "popreceipt:AgAAAAMAAAAAAAAA+zZ/=="));
    }

    [Fact]
    public void BuildStringToSign_SeveralQueryParamsAndMixedCaseHeaders_CanonicalisesBoth()
    {
        var uri = new Uri("http://127.0.0.1:10001/devstoreaccount1/alerts/messages?NumOfMessages=32&visibilitytimeout=30&peekonly=true&Tag=b&tag=a");
        var headers = new[]
        {
            H("X-MS-Version", "2021-12-02"),
            H("User-Agent", "not signed"),
            H("x-ms-Meta-Name", "  padded  "),
            H("Date", "Tue, 01 Jan 2030 00:00:00 GMT"),
            H("If-Match", "\"etag\""),
            H("x-ms-date", Date),
        };

        var sts = QueueSharedKeyPolicy.BuildStringToSign("GET", uri, headers, 0, "devstoreaccount1");

        sts.Should().Be(string.Join("\n",
            "GET", "", "", "", "", "", "", "", "\"etag\"", "", "", "",
            "x-ms-date:" + Date,
            "x-ms-meta-name:padded",
            "x-ms-version:2021-12-02",
            "/devstoreaccount1/devstoreaccount1/alerts/messages",
            "numofmessages:32",
            "peekonly:true",
            "tag:a,b",
            "visibilitytimeout:30"));
    }

    [Fact]
    public void Signature_OfAKnownStringWithTheDevKey_MatchesAnIndependentHmac()
    {
        var uri = new Uri("http://127.0.0.1:10001/devstoreaccount1/alerts?comp=metadata");
        var sts = QueueSharedKeyPolicy.BuildStringToSign(
            "GET", uri, [H("x-ms-version", "2021-12-02"), H("x-ms-date", Date)], 0, "devstoreaccount1");
        var credential = new StorageSharedKeyCredential(StorageConnectionString.DevelopmentAccountName, StorageConnectionString.DevelopmentAccountKey);

        sts.Should().Be("GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Mon, 02 Mar 2026 10:00:00 GMT\nx-ms-version:2021-12-02\n/devstoreaccount1/devstoreaccount1/alerts\ncomp:metadata");

        // Computed independently, both agreeing:
        //   printf 'GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Mon, 02 Mar 2026 10:00:00 GMT\nx-ms-version:2021-12-02\n/devstoreaccount1/devstoreaccount1/alerts\ncomp:metadata' \
        //     | openssl dgst -sha256 -mac HMAC -macopt hexkey:$(echo <dev key> | base64 -d | xxd -p -c 256) -binary | base64
        //   python3: base64.b64encode(hmac.new(base64.b64decode(devkey), sts.encode(), hashlib.sha256).digest())
        credential.ComputeSignature(sts).Should().Be("4Yook7ehBAJpBi+mgmHA16PervBqkV7fjWKImavkS10=");
    }

    [Fact]
    public async Task Policy_SignsTheRequestAsSentIncludingThePipelinesOwnHeaders()
    {
        var handler = new MockHandler().Respond(System.Net.HttpStatusCode.Created);
        var options = new QueueClientOptions { Transport = new HttpClientTransport(new HttpClient(handler)) };
        var credential = new StorageSharedKeyCredential(StorageConnectionString.DevelopmentAccountName, StorageConnectionString.DevelopmentAccountKey);
        var clock = new FixedClock(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero));
        var pipeline = HttpPipelineBuilder.Build(options, new QueueSharedKeyPolicy(credential, clock));
        using var message = pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Put;
        message.Request.Uri.Reset(new Uri("http://127.0.0.1:10001/devstoreaccount1/alerts"));
        message.Request.Headers.SetValue("x-ms-version", "2021-12-02");

        using (HttpPipeline.CreateClientRequestIdScope("fixed-request-id"))
        {
            await pipeline.SendAsync(message, CancellationToken.None);
        }

        var sent = handler.Requests.Should().ContainSingle().Subject;
        sent.Header("x-ms-date").Should().Be(Date);
        sent.Header("Date").Should().BeNull();
        // String to sign (PUT, no body, the pipeline adds x-ms-client-request-id and x-ms-return-client-request-id):
        //   "PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-client-request-id:fixed-request-id\nx-ms-date:Mon, 02 Mar 2026 10:00:00 GMT\n
        //    x-ms-return-client-request-id:true\nx-ms-version:2021-12-02\n/devstoreaccount1/devstoreaccount1/alerts"
        // signed with python3 hmac/hashlib/base64 and the dev key, as in the test above.
        sent.Header("Authorization").Should().Be("SharedKey devstoreaccount1:BmIBsgvL0qaRuWl8jYJW+FVVDlJYZc/+jMB/IM0cu5g=");
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
