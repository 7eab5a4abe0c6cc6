using AlertPipeline.Core.Contacts;
using AlertPipeline.Infrastructure.Persistence;
using Azure.Data.Tables;

namespace AlertPipeline.Infrastructure.Api;

/// <summary>
/// One write made through the API: who (the key id, or <c>admin</c> for the bootstrap secret; never a key), what (method,
/// route template, target ids), when and the outcome (HTTP status). Never holds personal data. <see cref="ActorUnion"/> is
/// set on the copy of a campaign owner's schedule change written to each subscribing union's log (docs/api.md "Audit"):
/// the union whose key made the change; null when it is the log's own union.
/// </summary>
public sealed record AuditEntry(
    UnionId UnionId, string Actor, string Role, string Method, string Route, string Targets, int Status, DateTimeOffset At, UnionId? ActorUnion = null)
{
    /// <summary>The union whose key made the write: <see cref="ActorUnion"/>, or the log's own union.</summary>
    public UnionId ByUnion => ActorUnion ?? UnionId;

    public bool Succeeded => Status is >= 200 and < 300;

    /// <summary><c>Succeeded</c> (2xx) or <c>Refused</c>, as stored.</summary>
    public string Outcome => Succeeded ? "Succeeded" : "Refused";
}

/// <summary>One page of a union's audit, newest first; <see cref="ContinuationToken"/> is opaque, null after the last page.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, string? ContinuationToken);

/// <summary>
/// The append-only <c>Audit</c> table: PK = union id, RK = inverted ticks (19 digits) + <c>~</c> + a GUID, so a union's
/// partition reads newest first and two writes in the same tick never collide. Rows are only ever added.
/// </summary>
public sealed class AuditLog(PipelineTables tables)
{
    public const string TableName = "Audit";

    public static string RowKey(DateTimeOffset at, Guid id) =>
        EntityValues.Key((DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", System.Globalization.CultureInfo.InvariantCulture), id.ToString("N"));

    public Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default) => AddAsync(entry, Guid.NewGuid(), cancellationToken);

    /// <summary>
    /// Appends <paramref name="entry"/> under a row key made from its time and <paramref name="id"/>: writing the same
    /// entry again with the same id (a retried background step) finds the row and adds nothing.
    /// </summary>
    public async Task AppendOnceAsync(AuditEntry entry, Guid id, CancellationToken cancellationToken = default)
    {
        try
        {
            await AddAsync(entry, id, cancellationToken).ConfigureAwait(false);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 409)
        {
            // Already written by an earlier attempt.
        }
    }

    private async Task AddAsync(AuditEntry entry, Guid id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var table = await tables.GetAsync(TableName, cancellationToken).ConfigureAwait(false);
        await table.AddEntityAsync(new TableEntity(entry.UnionId.Value, RowKey(entry.At, id))
        {
            ["Actor"] = entry.Actor,
            ["Role"] = entry.Role,
            ["Method"] = entry.Method,
            ["Route"] = entry.Route,
            ["Targets"] = entry.Targets,
            ["Status"] = entry.Status,
            ["Outcome"] = entry.Outcome,
            ["At"] = entry.At,
            ["ActorUnion"] = entry.ActorUnion?.Value,
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A union's most recent entries, newest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ReadRecentAsync(UnionId unionId, int max = 100, CancellationToken cancellationToken = default) =>
        (await ReadPageAsync(unionId, max, continuationToken: null, cancellationToken).ConfigureAwait(false)).Entries;

    /// <summary>
    /// Up to <paramref name="limit"/> (1–1000) of a union's entries, newest first, from <paramref name="continuationToken"/>
    /// (from an earlier page) or the newest. Throws <see cref="ArgumentException"/> for a token this service did not issue.
    /// </summary>
    public async Task<AuditPage> ReadPageAsync(UnionId unionId, int limit, string? continuationToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(unionId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 1000);
        var table = await tables.GetAsync(TableName, cancellationToken).ConfigureAwait(false);
        var entries = new List<AuditEntry>();
        var token = continuationToken;
        do
        {
            // Ask only for what is still missing, so the page's token resumes exactly after the last entry returned.
            var page = await table.GetPageAsync(
                TableClient.CreateQueryFilter($"PartitionKey eq {unionId.Value}"), limit - entries.Count, token, cancellationToken).ConfigureAwait(false);
            entries.AddRange(page.Values.Select(e => Read(unionId, e)));
            token = page.ContinuationToken;
        }
        while (entries.Count < limit && token is not null);

        return new AuditPage(entries, token);
    }

    private static AuditEntry Read(UnionId unionId, TableEntity e) => new(
        unionId, e.Required("Actor"), e.GetString("Role") ?? string.Empty, e.Required("Method"), e.Required("Route"),
        e.GetString("Targets") ?? string.Empty, e.GetInt32("Status") ?? 0, e.GetDateTimeOffset("At") ?? default,
        e.GetString("ActorUnion") is { Length: > 0 } by && UnionId.TryParse(by, out var actorUnion) ? actorUnion : null);
}
