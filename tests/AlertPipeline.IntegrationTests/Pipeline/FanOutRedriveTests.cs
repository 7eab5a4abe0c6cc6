using System.Net;
using System.Text.Json;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Infrastructure.Pipeline;
using AlertPipeline.Infrastructure.Storage;
using AlertPipeline.IntegrationTests.Api;
using AlertPipeline.Testing;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;

namespace AlertPipeline.IntegrationTests.Pipeline;

/// <summary>
/// Poisoned fan-out chunks are re-driven and visible (docs/reliability.md), on Azurite: a chunk on the poison queue goes
/// back on its queue once and its members get rows; one past its budget stays poisoned, the alert's report says the
/// fan-out is incomplete, and the organiser's re-drive gives it a fresh budget. Each test has its own chunk queue.
/// </summary>
public sealed class FanOutRedriveTests : IAsyncLifetime
{
    private readonly string _prefix = AzuriteFixture.UniqueName("frd");
    private readonly string _chunkQueue = AzuriteFixture.UniqueName("chunks");
    private TestAppServer _app = null!;
    private HttpClient _client = null!;
    private TestUnion _union = null!;
    private string _connectionString = null!;
    private CampaignId _campaign = null!;

    public async Task InitializeAsync()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        _connectionString = azurite.ConnectionString;
        _app = TestFunctionApps.Create(_connectionString, _prefix, new Dictionary<string, string> { ["Pipeline:FanOutRedriveBudget"] = "1" });
        _client = _app.CreateClient();
        _union = await TestFunctionApps.NewUnionAsync(_app, "central");
        var unionId = UnionId.Parse(_union.UnionId);
        _campaign = await TestFunctionApps.NewOwnedCampaignAsync(_app, unionId);
        foreach (var (person, phone) in new[] { ("aigul", "+447700900471"), ("bota", "+447700900472") })
        {
            await TestFunctionApps.AddContactAsync(_app, unionId, BranchId.Parse(_union.Branch), person, person, phone: phone);
        }
    }

    public async Task DisposeAsync()
    {
        await Queue(_chunkQueue).DeleteIfExistsAsync();
        await Queue(_chunkQueue + "-poison").DeleteIfExistsAsync();
        await TestFunctionApps.DeleteTablesAsync(_app, _connectionString, _prefix);
        _client.Dispose();
        await _app.DisposeAsync();
    }

    private T Service<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    private QueueClient Queue(string name) => _app.Services.QueueService(StorageServiceCollectionExtensions.DefaultConnectionName).GetQueueClient(name);

    private FanOutChunkRedriver Redriver(TimeSpan? lookAgainAfter = null) => new(
        _app.Services.QueueService(StorageServiceCollectionExtensions.DefaultConnectionName), Service<PipelineTables>(), Service<PipelineOptions>(), TimeProvider.System,
        _chunkQueue, lookAgainAfter);

    [Fact]
    public async Task PoisonedChunk_IsRedrivenOnce_AndItsMembersGetRows()
    {
        var (alertId, chunk) = await PoisonedChunkAsync("hearing-redrive");

        var result = await Redriver().RedriveAsync(default);

        result.Should().Be(new PoisonRedriveResult(1, 0, 0));
        (await Queue(_chunkQueue + "-poison").PeekMessagesAsync(32)).Value.Should().BeEmpty("the chunk left the poison queue");
        var redriven = (await Queue(_chunkQueue).ReceiveMessagesAsync(32)).Value.Should().ContainSingle().Subject;
        var message = JsonSerializer.Deserialize<FanOutChunkMessage>(redriven.Body.ToString(), JsonSerializerOptions.Web)!;
        message.TryParse(out var back, out _).Should().BeTrue();
        back.Should().Be(chunk, "the same chunk, as it was");
        (await Service<FanOutChunkHandler>().HandleAsync(back!, default)).Added.Should().Be(2);
        (await Service<IDeliveryStore>().GetPageAsync(alertId, 10, null)).Rows.Should().HaveCount(2).And.OnlyContain(r => r.Status == DeliveryStatus.Pending);
        var progress = await Service<FanOutChunkRedriver>().GetProgressAsync(alertId, UnionId.Parse(_union.UnionId), default);
        progress.Should().Be(new PoisonRedriveProgress(1, 0));
        progress.Incomplete.Should().BeFalse();
    }

    [Fact]
    public async Task ChunkPastItsBudget_StaysPoisoned_ReportSaysIncomplete_OrganiserRedriveGivesAFreshBudget()
    {
        var (alertId, _) = await PoisonedChunkAsync("hearing-budget");
        var redriver = Redriver(lookAgainAfter: TimeSpan.FromSeconds(1));
        (await redriver.RedriveAsync(default)).Redriven.Should().Be(1, "the budget (1) allows one re-drive");
        // Killed again on every dequeue: the host poisons it a second time.
        var again = (await Queue(_chunkQueue).ReceiveMessagesAsync(1)).Value.Single();
        await Queue(_chunkQueue + "-poison").SendMessageAsync(again.Body.ToString());
        await Queue(_chunkQueue).DeleteMessageAsync(again.MessageId, again.PopReceipt);

        (await redriver.RedriveAsync(default)).Should().Be(new PoisonRedriveResult(0, 1, 0));

        (await Queue(_chunkQueue + "-poison").GetPropertiesAsync()).Value.ApproximateMessagesCount.Should().Be(1, "a chunk past its budget stays poisoned");
        var report = await GetJsonAsync($"/api/unions/{_union.UnionId}/alerts/{alertId.Value}/report");
        report.GetProperty("fanOut").GetProperty("incomplete").GetBoolean().Should().BeTrue();
        report.GetProperty("fanOut").GetProperty("chunksPoisoned").GetInt32().Should().Be(1);

        using var redrive = await SendAsync(HttpMethod.Post, $"/api/unions/{_union.UnionId}/alerts/{alertId.Value}/fanout/redrive");
        redrive.StatusCode.Should().Be(HttpStatusCode.Accepted);
        JsonDocument.Parse(await redrive.Content.ReadAsStringAsync()).RootElement.GetProperty("chunksToRedrive").GetInt32().Should().Be(1);
        await Poll.UntilAsync(async () => (await redriver.RedriveAsync(default)).Redriven == 1, "the reset chunk to be re-driven once visible again", TimeSpan.FromSeconds(15));
        (await GetJsonAsync($"/api/unions/{_union.UnionId}/alerts/{alertId.Value}/report")).GetProperty("fanOut").GetProperty("incomplete").GetBoolean().Should().BeFalse();
    }

    /// <summary>Stores the alert (as FanOut does) and puts its one chunk on the test's poison queue, as the host does after five failed dequeues.</summary>
    private async Task<(AlertId AlertId, FanOutChunk Chunk)> PoisonedChunkAsync(string eventId)
    {
        var accepted = await Service<FanOutHandler>().HandleAsync(HearingEvent.Json(eventId, _campaign.Value, "\"sms\""), null, default);
        accepted.Outcome.Should().Be(FanOutOutcome.Accepted, string.Join("; ", accepted.Errors));
        var chunk = accepted.Chunks.Should().ContainSingle().Subject;
        var poison = Queue(_chunkQueue + "-poison");
        await poison.CreateIfNotExistsAsync();
        await poison.SendMessageAsync(JsonSerializer.Serialize(chunk.ToMessage(), JsonSerializerOptions.Web));
        (await Service<IDeliveryStore>().GetPageAsync(accepted.AlertId!, 10, null)).Rows.Should().BeEmpty("the chunk never finished: nobody has a row");
        return (accepted.AlertId!, chunk);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path) => TestFunctionApps.SendWithKeyAsync(_client, _union.OrganiserKey, method, path);

    private Task<JsonElement> GetJsonAsync(string path) => TestFunctionApps.GetJsonWithKeyAsync(_client, _union.OrganiserKey, path);
}
