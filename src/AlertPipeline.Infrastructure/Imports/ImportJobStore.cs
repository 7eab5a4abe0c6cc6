using System.Globalization;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Imports;
using AlertPipeline.Infrastructure.Persistence;
using Azure;
using Azure.Data.Tables;

namespace AlertPipeline.Infrastructure.Imports;

/// <summary>
/// A job as read, with the ETag its next write must match and its <see cref="Token"/>: the token the one live queue
/// message of the job carries (a message with another token is stale and dropped).
/// </summary>
public sealed record StoredImportJob(ImportJob Job, ETag ETag, string Token);

/// <summary>One entry of a job's per-line report: an error of a rejected line or a warning of an imported one.</summary>
public sealed record ImportLineEntry(int Line, string Field, string Message, bool IsWarning);

/// <summary>One page of a job's per-line report, in line order; <see cref="ContinuationToken"/> null after the last.</summary>
public sealed record ImportLinePage(IReadOnlyList<ImportLineEntry> Entries, string? ContinuationToken);

/// <summary>
/// The <c>ImportJobs</c> and <c>ImportJobLines</c> tables (docs/storage.md):
/// <list type="bullet">
/// <item><c>ImportJobs</c>: PK = union id, RK = job id (a union's jobs are one partition: only its own key can reach
/// them); and RK = <c>~{branch}~{sha256}</c> for the "same file" index that makes a retried upload find its job.</item>
/// <item><c>ImportJobLines</c>: PK = job id, RK = line (9 digits) + <c>~</c> + the entry's place on its line (3 digits),
/// so a slice written again after a crash overwrites the same rows and the report reads back in line order.</item>
/// </list>
/// Every change of a job row is a Replace on the ETag read (412: someone else changed it first).
/// </summary>
public sealed class ImportJobStore(PipelineTables tables)
{
    private const string DedupePrefix = "~";

    public async Task<StoredImportJob?> GetAsync(UnionId unionId, ImportJobId jobId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(unionId);
        ArgumentNullException.ThrowIfNull(jobId);
        var table = await tables.GetAsync(PipelineTables.ImportJobs, cancellationToken).ConfigureAwait(false);
        var entity = await table.GetEntityOrNullAsync(unionId.Value, jobId.Value, cancellationToken: cancellationToken).ConfigureAwait(false);
        return entity is null ? null : new StoredImportJob(Read(entity), entity.ETag, entity.GetString("Token") ?? string.Empty);
    }

    /// <summary>Adds a new job row (409 if the id exists: ids are random, so never in practice).</summary>
    public async Task AddAsync(ImportJob job, string token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        var table = await tables.GetAsync(PipelineTables.ImportJobs, cancellationToken).ConfigureAwait(false);
        await table.AddEntityAsync(Write(job, token), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces the job's row if it still has <paramref name="etag"/>; null when another writer changed it first (412).</summary>
    public async Task<ETag?> TryReplaceAsync(ImportJob job, ETag etag, string token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        var table = await tables.GetAsync(PipelineTables.ImportJobs, cancellationToken).ConfigureAwait(false);
        try
        {
            return (await table.UpdateEntityAsync(Write(job, token), etag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false)).NewETag();
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return null;
        }
    }

    /// <summary>A union's jobs, newest first (at most <paramref name="limit"/>).</summary>
    public async Task<IReadOnlyList<ImportJob>> ListAsync(UnionId unionId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(unionId);
        var table = await tables.GetAsync(PipelineTables.ImportJobs, cancellationToken).ConfigureAwait(false);
        var jobs = new List<ImportJob>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {unionId.Value} and RowKey lt {DedupePrefix}");
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            jobs.Add(Read(entity));
        }

        return [.. jobs.OrderByDescending(j => j.CreatedAt).Take(limit)];
    }

    /// <summary>
    /// The job id recorded for this file (union, branch, content hash), with the index row's ETag; null when none.
    /// </summary>
    public async Task<(ImportJobId JobId, ETag ETag)?> FindSameFileAsync(UnionId unionId, BranchId branchId, string contentHash, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(PipelineTables.ImportJobs, cancellationToken).ConfigureAwait(false);
        var entity = await table.GetEntityOrNullAsync(unionId.Value, DedupeKey(branchId, contentHash), cancellationToken: cancellationToken).ConfigureAwait(false);
        return entity?.GetString("JobId") is { } id && ImportJobId.TryParse(id, out var jobId) ? (jobId, entity.ETag) : null;
    }

    /// <summary>
    /// Points the file's index row at <paramref name="jobId"/>: adds it (<paramref name="previous"/> null) or replaces the
    /// one read (its ETag). False when another upload of the same file got there first: read it again.
    /// </summary>
    public async Task<bool> TryClaimSameFileAsync(UnionId unionId, BranchId branchId, string contentHash, ImportJobId jobId, ETag? previous, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(PipelineTables.ImportJobs, cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(unionId.Value, DedupeKey(branchId, contentHash)) { ["JobId"] = jobId.Value };
        try
        {
            if (previous is { } etag)
            {
                await table.UpdateEntityAsync(entity, etag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    /// <summary>Writes report entries (upserts in transactions of 100: a slice written twice leaves the same rows).</summary>
    public async Task WriteLinesAsync(ImportJobId jobId, IReadOnlyList<ImportLineEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        var table = await tables.GetAsync(PipelineTables.ImportJobLines, cancellationToken).ConfigureAwait(false);
        var rows = entries.GroupBy(e => e.Line).SelectMany(line => line.Select((e, i) => new TableEntity(jobId.Value, LineKey(e.Line, i))
        {
            ["Line"] = e.Line,
            ["Field"] = e.Field,
            ["Message"] = e.Message,
            ["Kind"] = e.IsWarning ? "warning" : "error",
        }));
        foreach (var batch in rows.Chunk(100))
        {
            await table.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Up to <paramref name="pageSize"/> report entries of a job in line order, from <paramref name="continuationToken"/>
    /// (of an earlier page of the same job). Throws <see cref="ArgumentException"/> for a token not issued for this job.
    /// </summary>
    public async Task<ImportLinePage> ReadLinesAsync(ImportJobId jobId, int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        var table = await tables.GetAsync(PipelineTables.ImportJobLines, cancellationToken).ConfigureAwait(false);
        var token = continuationToken is null ? null : Unwrap(continuationToken, jobId);
        var entries = new List<ImportLineEntry>();
        do
        {
            var page = await table.GetPageAsync(
                TableClient.CreateQueryFilter($"PartitionKey eq {jobId.Value}"), pageSize - entries.Count, token, cancellationToken).ConfigureAwait(false);
            entries.AddRange(page.Values.Select(e => new ImportLineEntry(
                e.GetInt32("Line") ?? 0, e.GetString("Field") ?? string.Empty, e.GetString("Message") ?? string.Empty, e.GetString("Kind") == "warning")));
            token = page.ContinuationToken;
        }
        while (entries.Count < pageSize && token is not null);

        return new ImportLinePage(entries, token is null ? null : Wrap(token, jobId));
    }

    private static string DedupeKey(BranchId branchId, string contentHash) => DedupePrefix + branchId.Value + DedupePrefix + contentHash;

    private static string LineKey(int line, int place) =>
        line.ToString("D9", CultureInfo.InvariantCulture) + EntityValues.KeySeparator + place.ToString("D3", CultureInfo.InvariantCulture);

    private static string Wrap(string token, ImportJobId jobId) => jobId.Value[..8] + "." + token;

    private static string Unwrap(string token, ImportJobId jobId) =>
        token.Length > 9 && token.StartsWith(jobId.Value[..8] + ".", StringComparison.Ordinal) && TableClientExtensions.IsPageToken(token[9..])
            ? token[9..]
            : throw new ArgumentException("The continuation token is not one this API issued for this job.", nameof(token));

    private static TableEntity Write(ImportJob job, string token) => new(job.UnionId.Value, job.JobId.Value)
    {
        ["Token"] = token,
        ["BranchId"] = job.BranchId.Value,
        ["ContentHash"] = job.ContentHash,
        ["LinesTotal"] = job.LinesTotal,
        ["CreatedBy"] = job.CreatedBy,
        ["CreatedAt"] = job.CreatedAt,
        ["State"] = job.State.ToString(),
        ["LinesDone"] = job.LinesDone,
        ["Imported"] = job.Counts.Imported,
        ["Rejected"] = job.Counts.Rejected,
        ["Warned"] = job.Counts.Warned,
        ["StartedAt"] = job.StartedAt,
        ["FinishedAt"] = job.FinishedAt,
        ["UpdatedAt"] = job.UpdatedAt,
        ["Failure"] = job.Failure,
    };

    private static ImportJob Read(TableEntity e) =>
        new ImportJob(
            ImportJobId.TryParse(e.RowKey, out var jobId) ? jobId : throw EntityValues.Corrupt(e, "RowKey", "is not a job id"),
            UnionId.TryParse(e.PartitionKey, out var unionId) ? unionId : throw EntityValues.Corrupt(e, "PartitionKey", "is not a union id"),
            e.Parse("BranchId", id => BranchId.TryParse(id, out var branchId) ? branchId : null),
            e.Required("ContentHash"),
            e.GetInt32("LinesTotal") ?? throw EntityValues.Corrupt(e, "LinesTotal", "is missing"),
            e.GetString("CreatedBy") ?? string.Empty,
            e.GetDateTimeOffset("CreatedAt") ?? throw EntityValues.Corrupt(e, "CreatedAt", "is missing"))
        {
            State = e.Enum<ImportJobState>("State") ?? ImportJobState.Queued,
            LinesDone = e.GetInt32("LinesDone") ?? 0,
            Counts = new ImportCounts(e.GetInt32("Imported") ?? 0, e.GetInt32("Rejected") ?? 0, e.GetInt32("Warned") ?? 0),
            StartedAt = e.GetDateTimeOffset("StartedAt"),
            FinishedAt = e.GetDateTimeOffset("FinishedAt"),
            UpdatedAt = e.GetDateTimeOffset("UpdatedAt") ?? e.GetDateTimeOffset("CreatedAt")!.Value,
            Failure = e.GetString("Failure"),
        };
}
