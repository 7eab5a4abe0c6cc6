using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Infrastructure.Persistence;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace AlertPipeline.Infrastructure.Pipeline;

/// <summary>
/// Re-drives the messages of one poison queue (<c>{queue}-poison</c>) onto <c>{queue}</c>, run by the ScheduleTick: what
/// <see cref="FanOutChunkRedriver"/> (fan-out chunks) and <see cref="DispatchBatchRedriver"/> (dispatch batches) share.
/// Each item's re-drives are counted in <paramref name="table"/> (PK alert id, RK the item's id; <c>Redrives</c>,
/// <c>GaveUp</c>, <c>UpdatedAt</c> and the item's own key columns: keys and counts only). Order per message: count,
/// re-enqueue, delete from the poison queue; a crash in between re-drives it once more (every item is idempotent) and
/// spends one more of its budget. An item past its budget (<see cref="FanOutRedrive.Decide"/>) stays on the poison queue
/// (nothing accepted is lost) and is flagged in the report; a message that is not a re-drivable item stays there too
/// (recorded once as <c>Kept</c> with its <c>Reason</c> when it names an alert, <see cref="PoisonedItem.KeptReason"/>).
/// The <c>sms-status</c> poison queue is the third (<see cref="StatusCallbackRedriver"/>).
/// </summary>
/// <param name="queue">The queue the poison queue belongs to (tests use their own).</param>
/// <param name="lookAgainAfter">How long a message the pass leaves on the poison queue (given up, or not re-drivable) stays
/// hidden, so it is looked at again after it and others get their turn (default 10 minutes); the others are held for
/// <see cref="PassHold"/> only, so a pass cut short leaves them to the next tick.</param>
public abstract class PoisonQueueRedriver(
    QueueServiceClient queues, PipelineTables tables, TimeProvider time, string table, string queue, int budget, TimeSpan? lookAgainAfter)
{
    /// <summary>Poison messages read per tick.</summary>
    public const int MessagesPerTick = 32;

    /// <summary>
    /// How long the messages a pass reads stay hidden while it handles them. A pass cut short (the worker killed) leaves
    /// them to a tick a minute later; only those it keeps or gives up are hidden for <c>lookAgainAfter</c>.
    /// </summary>
    public static readonly TimeSpan PassHold = TimeSpan.FromMinutes(1);

    private readonly TimeSpan _lookAgainAfter = lookAgainAfter ?? TimeSpan.FromMinutes(10);
    private readonly RedriveCounter _counter = new(tables, table, budget, time);

    /// <summary>The queue re-driven items go back on.</summary>
    public string Queue => queue;

    /// <summary>
    /// A poison message as an item to re-drive: its alert, its id within the alert, the body to put back on the queue and the
    /// key columns recorded with its count (a <c>UnionId</c> column scopes it to that union's report and re-drive); null when
    /// the message is not a re-drivable item (it stays poisoned, for people to look at).
    /// </summary>
    protected abstract PoisonedItem? Read(string text);

    /// <summary>One pass over (up to <see cref="MessagesPerTick"/> of) the poison queue.</summary>
    public async Task<PoisonRedriveResult> RedriveAsync(CancellationToken cancellationToken)
    {
        var poison = queues.GetQueueClient(QueueNames.PoisonOf(queue));
        if (!(await poison.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value)
        {
            return new PoisonRedriveResult(0, 0, 0);
        }

        var messages = (await poison.ReceiveMessagesAsync(MessagesPerTick, _lookAgainAfter < PassHold ? _lookAgainAfter : PassHold, cancellationToken).ConfigureAwait(false)).Value;
        if (messages.Length == 0)
        {
            return new PoisonRedriveResult(0, 0, 0);
        }

        var target = queues.GetQueueClient(queue);
        int redriven = 0, givenUp = 0, kept = 0;
        foreach (var message in messages)
        {
            if (Read(message.Body.ToString()) is not { } item)
            {
                kept++;
                await LookAgainLaterAsync(poison, message, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (item.KeptReason is { } reason)
            {
                // Not re-drivable, but it names an alert: recorded once with its reason, so the alert's report lists it.
                await _counter.RecordKeptAsync(item.AlertId, item.ItemId, item.Columns, reason, cancellationToken).ConfigureAwait(false);
                kept++;
                await LookAgainLaterAsync(poison, message, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (await _counter.TrySpendAsync(item.AlertId, item.ItemId, item.Columns, cancellationToken).ConfigureAwait(false) is null)
            {
                givenUp++;
                await LookAgainLaterAsync(poison, message, cancellationToken).ConfigureAwait(false);
                continue;
            }

            await target.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await target.SendMessageAsync(item.Body, cancellationToken).ConfigureAwait(false);
            try
            {
                await poison.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Already gone (another tick): the item was re-driven twice, which is harmless.
            }

            redriven++;
        }

        return new PoisonRedriveResult(redriven, givenUp, kept);
    }

    /// <summary>Hides a message the pass leaves on the poison queue for <c>lookAgainAfter</c>, so others get their turn.</summary>
    private async Task LookAgainLaterAsync(QueueClient poison, QueueMessage message, CancellationToken cancellationToken)
    {
        if (_lookAgainAfter <= PassHold)
        {
            return;
        }

        try
        {
            await poison.UpdateMessageAsync(message.MessageId, message.PopReceipt, message.Body, _lookAgainAfter, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Gone or read again meanwhile (its hold ran out): the next pass looks at it.
        }
    }

    /// <summary>The alert's poisoned items as far as <paramref name="unionId"/> may see them (its own, and those recorded without a union).</summary>
    public async Task<PoisonRedriveProgress> GetProgressAsync(AlertId alertId, UnionId unionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alertId);
        ArgumentNullException.ThrowIfNull(unionId);
        var counts = await tables.GetAsync(table, cancellationToken).ConfigureAwait(false);
        int redriven = 0, givenUp = 0, kept = 0;
        await foreach (var entity in counts.QueryAsync<TableEntity>(
            e => e.PartitionKey == alertId.Value, select: ["UnionId", "Redrives", "GaveUp", "Kept"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (!Visible(entity, unionId))
            {
                continue;
            }

            if (entity.GetBoolean("Kept") == true)
            {
                kept++;
            }
            else if (entity.GetBoolean("GaveUp") == true)
            {
                givenUp++;
            }
            else
            {
                redriven++;
            }
        }

        return new PoisonRedriveProgress(redriven, givenUp, kept);
    }

    /// <summary>
    /// Gives the alert's given-up items that <paramref name="unionId"/> may see a fresh budget (an organiser's re-drive, e.g.
    /// after fixing what failed them); the next tick re-drives them. Returns how many.
    /// </summary>
    public async Task<int> ResetAsync(AlertId alertId, UnionId unionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alertId);
        ArgumentNullException.ThrowIfNull(unionId);
        var counts = await tables.GetAsync(table, cancellationToken).ConfigureAwait(false);
        var reset = 0;
        await foreach (var entity in counts.QueryAsync<TableEntity>(e => e.PartitionKey == alertId.Value, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (Visible(entity, unionId) && entity.GetBoolean("GaveUp") == true)
            {
                entity["Redrives"] = 0;
                entity["GaveUp"] = false;
                entity["UpdatedAt"] = time.GetUtcNow();
                await counts.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                reset++;
            }
        }

        return reset;
    }

    private static bool Visible(TableEntity entity, UnionId unionId) => entity.GetString("UnionId") is not { } union || union == unionId.Value;

    /// <summary>
    /// A poison message of an alert (see <see cref="Read"/>); <paramref name="Columns"/> hold keys and counts only. With a
    /// <paramref name="KeptReason"/> it is not re-drivable (bad input): it stays poisoned and is recorded once with that
    /// reason (<c>Kept</c>), so the alert's report can say so.
    /// </summary>
    protected sealed record PoisonedItem(string AlertId, string ItemId, string Body, IReadOnlyDictionary<string, object> Columns, string? KeptReason = null);
}

/// <summary>One re-drive pass: items put back, items left poisoned past their budget, messages that are not re-drivable items (kept).</summary>
public sealed record PoisonRedriveResult(int Redriven, int GivenUp, int Kept);

/// <summary>
/// An alert's poisoned items: <paramref name="Redriven"/> put back, <paramref name="GivenUp"/> past their budget (members
/// without rows, or rows left Pending/Sending: the alert is incomplete), <paramref name="Kept"/> not re-drivable (bad input
/// that names the alert, left poisoned with its reason).
/// </summary>
public sealed record PoisonRedriveProgress(int Redriven, int GivenUp, int Kept = 0)
{
    public bool Incomplete => GivenUp > 0;
}

/// <summary>
/// The per-item re-drive counts of one table (PK alert id, RK the item's id; <c>Redrives</c>, <c>GaveUp</c>,
/// <c>UpdatedAt</c> and the item's own key columns: keys and counts only), spent by the budget rule of
/// <see cref="FanOutRedrive.Decide"/>: what <see cref="PoisonQueueRedriver"/> and the Service Bus dead-letter re-drive
/// (<see cref="ServiceBus.ServiceBusDeadLetterRedriver"/>, on the same <c>DispatchRedrives</c> table) share.
/// </summary>
public sealed class RedriveCounter(PipelineTables tables, string table, int budget, TimeProvider time)
{
    /// <summary>
    /// Spends one re-drive of the item's budget: the item's re-drive number (1-based) when it may go back, counted before it
    /// goes; null when its budget is spent (recorded <c>GaveUp</c> once: the report's "incomplete").
    /// </summary>
    public async Task<int?> TrySpendAsync(string alertId, string itemId, IReadOnlyDictionary<string, object> columns, CancellationToken cancellationToken)
    {
        var counts = await tables.GetAsync(table, cancellationToken).ConfigureAwait(false);
        var entry = await counts.GetEntityIfExistsAsync<TableEntity>(alertId, itemId, cancellationToken: cancellationToken).ConfigureAwait(false);
        var redrives = entry.HasValue ? entry.Value!.GetInt32("Redrives") ?? 0 : 0;
        var now = time.GetUtcNow();
        if (FanOutRedrive.Decide(redrives, budget) == FanOutRedriveDecision.GiveUp)
        {
            if (!entry.HasValue || entry.Value!.GetBoolean("GaveUp") != true)
            {
                await counts.UpsertEntityAsync(Entity(alertId, itemId, columns, redrives, gaveUp: true, now), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            }

            return null;
        }

        await counts.UpsertEntityAsync(Entity(alertId, itemId, columns, redrives + 1, gaveUp: false, now), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        return redrives + 1;
    }

    /// <summary>Records a poison message that is not re-drivable (<c>Kept</c>, with its <c>Reason</c>), once.</summary>
    public async Task RecordKeptAsync(string alertId, string itemId, IReadOnlyDictionary<string, object> columns, string reason, CancellationToken cancellationToken)
    {
        var counts = await tables.GetAsync(table, cancellationToken).ConfigureAwait(false);
        if ((await counts.GetEntityIfExistsAsync<TableEntity>(alertId, itemId, select: ["Kept"], cancellationToken: cancellationToken).ConfigureAwait(false)).HasValue)
        {
            return;
        }

        var entity = Entity(alertId, itemId, columns, 0, gaveUp: false, time.GetUtcNow());
        entity["Kept"] = true;
        entity["Reason"] = reason;
        await counts.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    private static TableEntity Entity(string alertId, string itemId, IReadOnlyDictionary<string, object> columns, int redrives, bool gaveUp, DateTimeOffset now)
    {
        var entity = new TableEntity(alertId, itemId);
        foreach (var (key, value) in columns)
        {
            entity[key] = value;
        }

        entity["Redrives"] = redrives;
        entity["GaveUp"] = gaveUp;
        entity["UpdatedAt"] = now;
        return entity;
    }
}
