using System.Collections.Concurrent;
using AlertPipeline.Infrastructure.Storage.Tables;
using AlertPipeline.Testing;
using Azure.Core;
using Azure.Core.Pipeline;

namespace AlertPipeline.IntegrationTests.Storage.Tables;

/// <summary>A fresh table on the shared Azurite per test, and a recorder of every request the client sends.</summary>
public abstract class TableTestBase : IAsyncLifetime
{
    protected AzuriteFixture Azurite { get; private set; } = null!;

    protected RequestRecorder Requests { get; } = new();

    protected TableServiceClient Service { get; private set; } = null!;

    protected TableClient Table { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Azurite = await AzuriteFixture.SharedAsync();
        var options = new TableClientOptions();
        options.AddPolicy(Requests, HttpPipelinePosition.PerCall);
        Service = new TableServiceClient(Azurite.ConnectionString, options);
        Table = Service.GetTableClient(AzuriteFixture.UniqueName("t"));
        (await Table.CreateIfNotExistsAsync()).Should().BeTrue();
        Requests.Clear();
    }

    public async Task DisposeAsync() => await Table.DeleteAsync();

    protected static TableEntity Entity(string pk, string rk, params (string Name, object? Value)[] properties)
    {
        var entity = new TableEntity(pk, rk);
        foreach (var (name, value) in properties)
        {
            entity[name] = value;
        }

        return entity;
    }

    protected async Task<List<TableEntity>> AllAsync(string? filter = null)
    {
        var list = new List<TableEntity>();
        await foreach (var e in Table.QueryAsync(filter))
        {
            list.Add(e);
        }

        return list;
    }

    /// <summary>Records method, URL and body of every request (per call, before signing and retries).</summary>
    public sealed class RequestRecorder : HttpPipelineSynchronousPolicy
    {
        private readonly ConcurrentQueue<(string Method, Uri Uri, byte[]? Body)> _requests = new();

        public IReadOnlyList<(string Method, Uri Uri, byte[]? Body)> All => _requests.ToArray();

        public int Count => _requests.Count;

        public void Clear() => _requests.Clear();

        public override void OnSendingRequest(HttpMessage message)
        {
            byte[]? body = null;
            if (message.Request.Content is { } content)
            {
                using var stream = new MemoryStream();
                content.WriteTo(stream, CancellationToken.None);
                body = stream.ToArray();
            }

            _requests.Enqueue((message.Request.Method.Method, message.Request.Uri.ToUri(), body));
        }
    }
}
