using System.Text.Json;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Infrastructure.Persistence;
using Azure.Storage.Queues;

namespace AlertPipeline.Infrastructure.Pipeline;

/// <summary>
/// Re-drives poisoned fan-out chunks (<see cref="FanOutRedrive"/>) from <c>fanout-chunks-poison</c>, at most
/// <see cref="PipelineOptions.FanOutRedriveBudget"/> times per chunk, counted in <c>FanOutRedrives</c> (PK alert id, RK
/// <see cref="FanOutRedrive.ChunkId"/>; <c>UnionId</c>, <c>BranchId</c>, <c>Page</c>, <c>Redrives</c>, <c>GaveUp</c>,
/// <c>UpdatedAt</c>). The loop, the report's progress and the organiser's reset: <see cref="PoisonQueueRedriver"/>.
/// </summary>
/// <param name="chunkQueue">The chunk queue (its poison queue is <c>{chunkQueue}-poison</c>): <c>fanout-chunks</c>; tests use their own.</param>
public sealed class FanOutChunkRedriver(
    QueueServiceClient queues, PipelineTables tables, PipelineOptions options, TimeProvider time,
    string chunkQueue = QueueNames.FanOutChunks, TimeSpan? lookAgainAfter = null)
    : PoisonQueueRedriver(queues, tables, time, PipelineTables.FanOutRedrives, chunkQueue, options.FanOutRedriveBudget, lookAgainAfter)
{
    public static readonly string PoisonQueue = QueueNames.PoisonOf(QueueNames.FanOutChunks);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    protected override PoisonedItem? Read(string text)
    {
        try
        {
            if (JsonSerializer.Deserialize<FanOutChunkMessage>(text, Json) is not { } message || !message.TryParse(out var chunk, out _))
            {
                return null; // a malformed chunk is bad input: it stays poisoned, for people to look at
            }

            return new PoisonedItem(chunk.AlertId.Value, FanOutRedrive.ChunkId(chunk), text, new Dictionary<string, object>
            {
                ["UnionId"] = chunk.UnionId.Value,
                ["BranchId"] = chunk.BranchId.Value,
                ["Page"] = chunk.Page,
            });
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
