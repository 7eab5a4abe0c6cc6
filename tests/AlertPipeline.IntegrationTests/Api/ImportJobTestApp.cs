using System.Net.Http.Headers;
using System.Text.Json;
using AlertPipeline.Core.Imports;
using AlertPipeline.Infrastructure.Api;
using AlertPipeline.Infrastructure.Imports;
using AlertPipeline.Infrastructure.Storage;
using AlertPipeline.Testing;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;

namespace AlertPipeline.IntegrationTests.Api;

/// <summary>
/// The function app on Azurite with import jobs on a queue of its own (<c>Imports:QueueName</c>), which the tests pump by
/// calling what the <c>ContactImport</c> function calls (<see cref="ContactImportJobs.ProcessSliceAsync"/>) for each message,
/// as the host would: a message is deleted only after its slice returned. Jobs start above 2000 lines; slices of 2500.
/// </summary>
public sealed class ImportJobTestApp : IAsyncLifetime
{
    private readonly string _prefix = AzuriteFixture.UniqueName("imp");

    public TestAppServer Factory { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public QueueClient Queue { get; private set; } = null!;

    public string ConnectionString { get; private set; } = null!;

    public string TablePrefix => _prefix;

    public ContactImportJobs Jobs => Factory.Services.GetRequiredService<ContactImportJobs>();

    public ImportJobStore Store => Factory.Services.GetRequiredService<ImportJobStore>();

    public AuditLog Audit => Factory.Services.GetRequiredService<AuditLog>();

    public async Task InitializeAsync()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        ConnectionString = azurite.ConnectionString;
        var queueName = AzuriteFixture.UniqueName("imports");
        Factory = TestFunctionApps.Create(azurite.ConnectionString, _prefix, new Dictionary<string, string>
        {
            ["Imports:QueueName"] = queueName,
            ["Imports:JobThresholdLines"] = "2000",
            ["Imports:SliceLines"] = "2500",
            ["Imports:SliceParallelism"] = "4",
        });
        Client = Factory.CreateClient();
        Queue = new QueueClient(azurite.ConnectionString, queueName, StorageServiceCollectionExtensions.QueueOptions());
        await Queue.CreateIfNotExistsAsync();
    }

    public async Task DisposeAsync()
    {
        await Queue.DeleteIfExistsAsync();
        await TestFunctionApps.DeleteTablesAsync(Factory, ConnectionString, _prefix);
        Client.Dispose();
        await Factory.DisposeAsync();
    }

    public Task<TestUnion> NewUnionAsync() => TestFunctionApps.NewUnionAsync(Factory, "central");

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string key, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        return await Client.SendAsync(request);
    }

    /// <summary>
    /// Receives and handles messages until the queue is empty; returns each slice's outcome in order. Bounded at 5 minutes:
    /// a 10,000-line job takes ~10 s on an idle machine, but minutes on the shared build machine under load.
    /// </summary>
    public async Task<List<ImportSliceOutcome>> DrainAsync(TimeSpan? timeout = null)
    {
        var outcomes = new List<ImportSliceOutcome>();
        await Poll.UntilAsync(async () =>
        {
            var messages = (await Queue.ReceiveMessagesAsync(maxMessages: 8, visibilityTimeout: TimeSpan.FromSeconds(60))).Value;
            foreach (var message in messages)
            {
                outcomes.Add(await Jobs.ProcessSliceAsync(Read(message.Body.ToString())));
                await Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }

            return messages.Length == 0 && (await Queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0;
        }, "the import queue to drain", timeout ?? TimeSpan.FromSeconds(300));
        return outcomes;
    }

    public static ImportJobMessage Read(string body) => JsonSerializer.Deserialize<ImportJobMessage>(body, JsonSerializerOptions.Web)!;
}
