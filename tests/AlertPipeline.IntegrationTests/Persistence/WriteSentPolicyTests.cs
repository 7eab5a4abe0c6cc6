using System.Net;
using System.Net.Sockets;
using System.Text;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Storage;
using AlertPipeline.Testing;
using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AlertPipeline.IntegrationTests.Persistence;

/// <summary>
/// <see cref="WriteSentPolicy"/> with the real table client and its real HTTP transport: a watched write is signalled
/// once its whole request has reached the connection, while the answer is still outstanding; the clients the app
/// registers carry the policy.
/// </summary>
public sealed class WriteSentPolicyTests
{
    [Fact]
    public async Task WatchedUpdate_SignalledWithTheWholeRequestOnTheWire_BeforeAnyAnswer()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0;
        options.AddPolicy(new WriteSentPolicy(), HttpPipelinePosition.PerCall);
        var client = new TableClient(
            new Uri($"http://127.0.0.1:{port}/devstoreaccount1"), "marks",
            new TableSharedKeyCredential("devstoreaccount1", Convert.ToBase64String(new byte[64])), options);
        var entity = new TableEntity("alert~3", "email~ab12") { ["HandedOverAt"] = "2026-12-05T06:00:00Z" };

        var (update, sent) = WriteSent.Watch(() => client.UpdateEntityAsync(entity, new ETag("W/\"datetime'2026-12-05T05%3A59%3A59Z'\""), TableUpdateMode.Replace));
        using var server = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await sent.WaitAsync(TimeSpan.FromSeconds(10));

        update.IsCompleted.Should().BeFalse("nothing has been answered yet");
        var stream = server.GetStream();
        var request = await ReadRequestAsync(stream);
        request.Head.Should().StartWith("PUT /devstoreaccount1/marks(PartitionKey='alert~3',RowKey='email~ab12')");
        request.Body.Should().Contain("\"HandedOverAt\":\"2026-12-05T06:00:00Z\"", "the body went out with the head, before the answer");

        var answer = "HTTP/1.1 204 No Content\r\nETag: W/\"datetime'2026-12-05T06%3A00%3A00Z'\"\r\nContent-Length: 0\r\n\r\n"u8.ToArray();
        await stream.WriteAsync(answer);
        var response = await update.WaitAsync(TimeSpan.FromSeconds(10));
        response.Status.Should().Be(204);
    }

    [Fact]
    public async Task UnwatchedWriteOrInsert_IsNotSignalled_AndAWatchedUpdateOnAzuriteIs()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString }).Build();
        await using var services = new ServiceCollection().AddStorageClients(configuration: configuration).BuildServiceProvider();
        var table = services.GetRequiredService<IAzureClientFactory<TableServiceClient>>()
            .CreateClient(StorageServiceCollectionExtensions.DefaultConnectionName).GetTableClient(AzuriteFixture.UniqueName("sent"));
        await table.CreateAsync();
        try
        {
            var (outer, outerSent) = WriteSent.Watch(() => Task.FromResult(0));
            await table.UpsertEntityAsync(new TableEntity("p", "unwatched"));
            var (inserted, insertSent) = WriteSent.Watch(() => table.AddEntityAsync(new TableEntity("p", "inserted")));
            (await inserted).Status.Should().Be(204);
            insertSent.IsCompleted.Should().BeFalse("a POST (an insert, or a table created on the way) is not the watched update");
            var (upserted, sent) = WriteSent.Watch(() => table.UpsertEntityAsync(new TableEntity("p", "watched"), TableUpdateMode.Replace));

            await sent.WaitAsync(TimeSpan.FromSeconds(10));
            (await upserted).Status.Should().Be(204);
            outerSent.IsCompleted.Should().BeFalse("a write outside Watch raises no signal, and Watch leaves none behind");
            WriteSent.Current.Should().BeNull();
            (await table.GetEntityAsync<TableEntity>("p", "watched")).Value.RowKey.Should().Be("watched");
        }
        finally
        {
            await table.DeleteAsync();
        }
    }

    private static async Task<(string Head, string Body)> ReadRequestAsync(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var chunk = new byte[4096];
        using var time = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var text = Encoding.UTF8.GetString([.. buffer]);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var head = text[..end];
                var length = int.Parse(head.Split("\r\n").Single(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                if (buffer.Count - (end + 4) >= length)
                {
                    return (head, Encoding.UTF8.GetString([.. buffer], end + 4, length));
                }
            }

            var read = await stream.ReadAsync(chunk, time.Token);
            read.Should().BePositive("the client keeps the connection open for the answer");
            buffer.AddRange(chunk.AsSpan(0, read).ToArray());
        }
    }
}
