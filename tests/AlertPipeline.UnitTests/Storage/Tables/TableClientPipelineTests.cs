using System.Diagnostics.CodeAnalysis;
using System.Text;
using AlertPipeline.Infrastructure.Storage;
using AlertPipeline.Infrastructure.Storage.Tables;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace AlertPipeline.UnitTests.Storage.Tables;

public class TableClientPipelineTests
{
    private static (TableClient Client, ScriptedTransport Transport) Client(params int[] statuses)
    {
        var transport = new ScriptedTransport(statuses);
        var options = new TableClientOptions { Transport = transport };
        options.Retry.Delay = TimeSpan.FromMilliseconds(1);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(5);
        options.Retry.MaxRetries = 3;
        var client = new TableClient(
            new Uri("http://127.0.0.1:10002/devstoreaccount1"),
            "alerts",
            new StorageSharedKeyCredential(StorageConnectionString.DevelopmentAccountName, StorageConnectionString.DevelopmentAccountKey),
            options);
        return (client, transport);
    }

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task TransientStatus_IsRetriedByThePipeline(int status)
    {
        var (client, transport) = Client(status, status, 204);

        var etag = await client.UpsertEntityAsync(new TableEntity("p", "r"));

        etag.Should().Be(new ETag("W/\"v1\""));
        transport.Requests.Should().HaveCount(3);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(412)]
    [InlineData(501)]
    public async Task PermanentStatus_IsNotRetried(int status)
    {
        var (client, transport) = Client(status, 204);

        await FluentActions.Awaiting(() => client.UpdateEntityAsync(new TableEntity("p", "r"), ETag.All))
            .Should().ThrowAsync<RequestFailedException>();

        transport.Requests.Should().HaveCount(1);
    }

    [Fact]
    public async Task Request_CarriesVersionAcceptAndSharedKeyLite_AndTheEntityAddress()
    {
        var (client, transport) = Client(204);

        await client.UpdateEntityAsync(new TableEntity("it's", "a b"), new ETag("W/\"e\""), TableUpdateMode.Replace);

        var request = transport.Requests.Single();
        request.Method.Should().Be("PUT");
        request.Uri.Should().Be("http://127.0.0.1:10002/devstoreaccount1/alerts(PartitionKey='it%27%27s',RowKey='a%20b')");
        request.Headers["x-ms-version"].Should().Be("2019-02-02");
        request.Headers["Accept"].Should().Be("application/json;odata=minimalmetadata");
        request.Headers["If-Match"].Should().Be("W/\"e\"");
        request.Headers["Authorization"].Should().StartWith("SharedKeyLite devstoreaccount1:");
        request.Headers.Should().ContainKey("x-ms-date");
    }

    [Fact]
    public async Task Merge_UsesTheMergeVerb_AndUpsertSendsNoIfMatch()
    {
        var (client, transport) = Client(204);

        await client.UpsertEntityAsync(new TableEntity("p", "r"));

        transport.Requests.Single().Method.Should().Be("MERGE");
        transport.Requests.Single().Headers.Should().NotContainKey("If-Match");
    }

    [Fact]
    public void Options_Defaults_AreVersion20190202AndA30SecondNetworkTimeout()
    {
        var options = new TableClientOptions();

        options.VersionString.Should().Be("2019-02-02");
        options.Version.Should().Be(TableClientOptions.ServiceVersion.V2019_02_02);
        options.Retry.NetworkTimeout.Should().Be(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void AddTableStorage_RegistersOneServiceClient_AndRejectsAKeylessConnectionString()
    {
        var services = new ServiceCollection().AddTableStorage("UseDevelopmentStorage=true", o => o.Retry.MaxRetries = 1);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<TableServiceClient>().Should().BeSameAs(provider.GetRequiredService<TableServiceClient>());
        provider.GetRequiredService<TableServiceClient>().Uri.Should().Be(new Uri("http://127.0.0.1:10002/devstoreaccount1"));
        FluentActions.Invoking(() => new ServiceCollection().AddTableStorage("TableEndpoint=http://127.0.0.1:1/acct"))
            .Should().Throw<ArgumentException>().WithMessage("*no AccountKey*");
    }

    private sealed record Sent(string Method, string Uri, Dictionary<string, string> Headers);

    /// <summary>Answers each request with the next scripted status (success gets an ETag).</summary>
    private sealed class ScriptedTransport(int[] statuses) : HttpPipelineTransport
    {
        private int _next;

        public List<Sent> Requests { get; } = [];

        public override Request CreateRequest() => HttpPipelineBuilder.Build(new TableClientOptions()).CreateMessage().Request;

        public override void Process(HttpMessage message) => ProcessAsync(message).AsTask().GetAwaiter().GetResult();

        public override ValueTask ProcessAsync(HttpMessage message)
        {
            Requests.Add(new Sent(
                message.Request.Method.Method,
                message.Request.Uri.ToString(),
                message.Request.Headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase)));
            var status = statuses[Math.Min(_next++, statuses.Length - 1)];
            message.Response = new ScriptedResponse(status);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ScriptedResponse(int status) : Response
    {
        private readonly Dictionary<string, string> _headers = status < 300
            ? new(StringComparer.OrdinalIgnoreCase) { ["ETag"] = "W/\"v1\"" }
            : new(StringComparer.OrdinalIgnoreCase) { ["x-ms-error-code"] = "Scripted", ["Content-Type"] = "application/json" };

        public override int Status => status;

        public override string ReasonPhrase => status.ToString(System.Globalization.CultureInfo.InvariantCulture);

        public override Stream? ContentStream { get; set; } = new MemoryStream(status < 300
            ? []
            : Encoding.UTF8.GetBytes("{\"odata.error\":{\"code\":\"Scripted\",\"message\":{\"lang\":\"en-US\",\"value\":\"scripted\"}}}"));

        public override string ClientRequestId { get; set; } = "test";

        public override void Dispose()
        {
        }

        protected override bool ContainsHeader(string name) => _headers.ContainsKey(name);

        protected override IEnumerable<HttpHeader> EnumerateHeaders() => _headers.Select(h => new HttpHeader(h.Key, h.Value));

        protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value) => _headers.TryGetValue(name, out value);

        protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
        {
            values = _headers.TryGetValue(name, out var value) ? [value] : null;
            return values is not null;
        }
    }
}
