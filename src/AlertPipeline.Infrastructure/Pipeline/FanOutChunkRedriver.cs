using System.Text.Json;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Infrastructure.Persistence;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;

namespace AlertPipeline.Infrastructure.Pipeline;

/// <summary>
/// Re-drives poisoned fan-out chunks (<see cref="FanOutRedrive"/>), run by the ScheduleTick, and answers whether an
/// alert's fan-out is incomplete. Each chunk's re-drives are counted in <c>FanOutRedrives</c> (PK alert id, RK
/// <see cref="FanOutRedrive.ChunkId"/>; <c>UnionId</c>, <c>BranchId</c>, <c>Page</c>, <c>Redrives</c>, <c>GaveUp</c>,
/// <c>UpdatedAt</c>: keys and counts only). Order per message: count, re-enqueue on <c>fanout-chunks</c>, delete from the
/// poison queue; a crash in between re-drives it once more (a chunk is idempotent) and spends one more of its budget.
/// A chunk past its budget stays on the poison queue (bad input never disappears) and is flagged in the report.
/// </summary>
/// <param name="chunkQueue">The chunk queue (its poison queue is <c>{chunkQueue}-poison</c>): <c>fanout-chunks</c>; tests use their own.</param>
/// <param name="lookAgainAfter">How long a message read from the poison queue stays hidden, so a given-up chunk is looked at
/// again after it and others get their turn (default 10 minutes).</param>
public sealed class FanOutChunkRedriver(
    QueueServiceClient queues, PipelineTables tables, PipelineOptions options, TimeProvider time,
    string chunkQueue = QueueNames.FanOutChunks, TimeSpan? lookAgainAfter = null)
{
    public static readonly string PoisonQueue = QueueNames.PoisonOf(QueueNames.FanOutChunks);

    /// <summary>Poison messages read per tick.</summary>
    public const int MessagesPerTick = 32;

    private readonly TimeSpan _lookAgainAfter = lookAgainAfter ?? TimeSpan.FromMinutes(10);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>One pass over (up to <see cref="MessagesPerTick"/> of) the poison queue.</summary>
    public async Task<FanOutRedriveResult> RedriveAsync(CancellationToken cancellationToken)
    {
        var poison = queues.GetQueueClient(QueueNames.PoisonOf(chunkQueue));
        if (!(await poison.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value)
        {
            return new FanOutRedriveResult(0, 0, 0);
        }

        var messages = (await poison.ReceiveMessagesAsync(MessagesPerTick, _lookAgainAfter, cancellationToken).ConfigureAwait(false)).Value;
        if (messages.Length == 0)
        {
            return new FanOutRedriveResult(0, 0, 0);
        }

        var table = await tables.GetAsync(PipelineTables.FanOutRedrives, cancellationToken).ConfigureAwait(false);
        var chunks = queues.GetQueueClient(chunkQueue);
        int redriven = 0, givenUp = 0, unreadable = 0;
        foreach (var message in messages)
        {
            var text = message.Body.ToString();
            if (Parse(text) is not { } chunk)
            {
                unreadable++; // a malformed chunk is bad input: it stays poisoned, for people to look at
                continue;
            }

            var chunkId = FanOutRedrive.ChunkId(chunk);
            var entry = await table.GetEntityIfExistsAsync<TableEntity>(chunk.AlertId.Value, chunkId, cancellationToken: cancellationToken).ConfigureAwait(false);
            var redrives = entry.HasValue ? entry.Value!.GetInt32("Redrives") ?? 0 : 0;
            var now = time.GetUtcNow();
            if (FanOutRedrive.Decide(redrives, options.FanOutRedriveBudget) == FanOutRedriveDecision.GiveUp)
            {
                if (!entry.HasValue || entry.Value!.GetBoolean("GaveUp") != true)
                {
                    await table.UpsertEntityAsync(Entity(chunk, chunkId, redrives, gaveUp: true, now), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                }

                givenUp++;
                continue;
            }

            await table.UpsertEntityAsync(Entity(chunk, chunkId, redrives + 1, gaveUp: false, now), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            await chunks.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await chunks.SendMessageAsync(text, cancellationToken).ConfigureAwait(false);
            try
            {
                await poison.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Already gone (another tick): the chunk was re-driven twice, which is harmless.
            }

            redriven++;
        }

        return new FanOutRedriveResult(redriven, givenUp, unreadable);
    }

    /// <summary>The state of <paramref name="alertId"/>'s fan-out as far as poisoned chunks tell it, for <paramref name="unionId"/>'s chunks.</summary>
    public async Task<FanOutProgress> GetProgressAsync(AlertId alertId, UnionId unionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alertId);
        ArgumentNullException.ThrowIfNull(unionId);
        var table = await tables.GetAsync(PipelineTables.FanOutRedrives, cancellationToken).ConfigureAwait(false);
        int redriven = 0, givenUp = 0;
        await foreach (var entity in table.QueryAsync<TableEntity>(
            e => e.PartitionKey == alertId.Value, select: ["UnionId", "Redrives", "GaveUp"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (entity.GetString("UnionId") != unionId.Value)
            {
                continue;
            }

            if (entity.GetBoolean("GaveUp") == true)
            {
                givenUp++;
            }
            else
            {
                redriven++;
            }
        }

        return new FanOutProgress(redriven, givenUp);
    }

    /// <summary>
    /// Gives <paramref name="unionId"/>'s given-up chunks of <paramref name="alertId"/> a fresh budget (an organiser's
    /// re-drive, e.g. after fixing what failed them); the next tick re-drives them. Returns how many.
    /// </summary>
    public async Task<int> ResetAsync(AlertId alertId, UnionId unionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alertId);
        ArgumentNullException.ThrowIfNull(unionId);
        var table = await tables.GetAsync(PipelineTables.FanOutRedrives, cancellationToken).ConfigureAwait(false);
        var reset = 0;
        await foreach (var entity in table.QueryAsync<TableEntity>(e => e.PartitionKey == alertId.Value, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (entity.GetString("UnionId") == unionId.Value && entity.GetBoolean("GaveUp") == true)
            {
                entity["Redrives"] = 0;
                entity["GaveUp"] = false;
                entity["UpdatedAt"] = time.GetUtcNow();
                await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                reset++;
            }
        }

        return reset;
    }

    private static FanOutChunk? Parse(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<FanOutChunkMessage>(text, Json) is { } message && message.TryParse(out var chunk, out _) ? chunk : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static TableEntity Entity(FanOutChunk chunk, string chunkId, int redrives, bool gaveUp, DateTimeOffset now) => new(chunk.AlertId.Value, chunkId)
    {
        ["UnionId"] = chunk.UnionId.Value,
        ["BranchId"] = chunk.BranchId.Value,
        ["Page"] = chunk.Page,
        ["Redrives"] = redrives,
        ["GaveUp"] = gaveUp,
        ["UpdatedAt"] = now,
    };
}

/// <summary>One re-drive pass: chunks put back, chunks left poisoned past their budget, messages that are not chunks.</summary>
public sealed record FanOutRedriveResult(int Redriven, int GivenUp, int Unreadable);

/// <summary>
/// A union's poisoned chunks of one alert: <paramref name="Redriven"/> put back (their rows follow), <paramref name="GivenUp"/>
/// past their budget (members without rows: the fan-out is incomplete).
/// </summary>
public sealed record FanOutProgress(int Redriven, int GivenUp)
{
    public bool Incomplete => GivenUp > 0;
}
