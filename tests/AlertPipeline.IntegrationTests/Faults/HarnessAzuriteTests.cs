using AlertPipeline.Infrastructure.Storage;
using AlertPipeline.Testing;
using AlertPipeline.Testing.Faults;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;

namespace AlertPipeline.IntegrationTests.Faults;

/// <summary>
/// The harnesses' Azurite (<see cref="HarnessAzurite"/>): Table, Queue and Blob as three processes with
/// bench/azurite/point-lookups.js preloaded. On disk, a restart (SIGINT to each process) keeps the tables and queues,
/// as the fault harness's Azurite restart needs; and the preloaded look-ups give the answers Azurite's own give.
/// </summary>
public sealed class HarnessAzuriteTests
{
    [Fact]
    public async Task Restart_OnDiskInThreeProcesses_TheTableRowsAndQueueMessagesAreStillThere()
    {
        var location = Path.Combine(Path.GetTempPath(), AzuriteFixture.UniqueName("harnessazurite"));
        try
        {
            await using var azurite = await HarnessAzurite.StartAsync(new HarnessAzuriteOptions(location));
            var table = new TableClient(azurite.ConnectionString, AzuriteFixture.UniqueName("t"));
            await table.CreateAsync();
            await table.AddEntityAsync(new TableEntity("p", "r") { ["Status"] = "Sent" });
            var queue = new QueueClient(azurite.ConnectionString, AzuriteFixture.UniqueName("q"), StorageServiceCollectionExtensions.QueueOptions());
            await queue.CreateAsync();
            await queue.SendMessageAsync("kept");

            await azurite.RestartAsync(TimeSpan.Zero);

            (await table.GetEntityAsync<TableEntity>("p", "r")).Value.GetString("Status").Should().Be("Sent");
            (await queue.PeekMessageAsync()).Value.Body.ToString().Should().Be("kept");
        }
        finally
        {
            if (Directory.Exists(location))
            {
                Directory.Delete(location, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PointLookupsAndPartitionQueries_AnswerAsAzuriteAsShipped(bool indexed)
    {
        await using var azurite = await HarnessAzurite.StartAsync(new HarnessAzuriteOptions(null) { IndexedPointLookups = indexed });
        var table = new TableClient(azurite.ConnectionString, AzuriteFixture.UniqueName("t"));
        await table.CreateAsync();
        // Three partitions share their row keys (r000…r199), one partition holds most rows: both index ranges get used.
        foreach (var (partition, rows) in new[] { ("big", 200), ("small", 20), ("tiny", 2) })
        {
            foreach (var chunk in Enumerable.Range(0, rows).Chunk(100))
            {
                await table.SubmitTransactionAsync(chunk.Select(i => new TableTransactionAction(
                    TableTransactionActionType.Add, new TableEntity(partition, $"r{i:D3}") { ["N"] = i, ["Union"] = i % 2 == 0 ? "even" : "odd" })));
            }
        }

        (await table.GetEntityAsync<TableEntity>("big", "r150")).Value.GetInt32("N").Should().Be(150);
        (await table.GetEntityAsync<TableEntity>("tiny", "r001")).Value.GetInt32("N").Should().Be(1);
        (await table.GetEntityIfExistsAsync<TableEntity>("tiny", "r150")).HasValue.Should().BeFalse();
        var duplicate = () => table.AddEntityAsync(new TableEntity("small", "r005"));
        (await duplicate.Should().ThrowAsync<RequestFailedException>()).Which.Status.Should().Be(409);
        await table.UpsertEntityAsync(new TableEntity("small", "r005") { ["N"] = 500 }, TableUpdateMode.Merge);
        (await table.GetEntityAsync<TableEntity>("small", "r005")).Value.GetInt32("N").Should().Be(500);
        (await table.GetEntityAsync<TableEntity>("big", "r005")).Value.GetInt32("N").Should().Be(5, "the same row key in another partition is untouched");

        var inRange = await table.QueryAsync<TableEntity>("PartitionKey eq 'big' and RowKey ge 'r050' and RowKey lt 'r150' and Union eq 'even'", maxPerPage: 7)
            .Select(e => e.RowKey).ToListAsync();
        inRange.Should().Equal(Enumerable.Range(50, 100).Where(i => i % 2 == 0).Select(i => $"r{i:D3}"), "every page of a partition query, in key order");
        var twoPartitions = await table.QueryAsync<TableEntity>("PartitionKey eq 'small' or PartitionKey eq 'tiny'").CountAsync();
        twoPartitions.Should().Be(22);
    }
}
