using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Imports;
using AlertPipeline.Infrastructure.Api;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;

namespace AlertPipeline.Infrastructure.Imports;

/// <summary>What a slice did: nothing (a stale or duplicate message, a finished job), or moved the job on.</summary>
public enum ImportSliceOutcome
{
    Dropped,
    Advanced,
    Finished,
    Failed,
}

/// <summary>
/// Contact imports as background jobs (docs/api.md "Import jobs"). <see cref="StartAsync"/> stores the upload (a blob),
/// the job row and the first <c>contact-imports</c> message, or finds the job of the same file. <see cref="ProcessSliceAsync"/>
/// works through one slice of lines per message:
/// <list type="number">
/// <item>the message's token must be the job row's (one live message per job; anything else is stale and dropped);</item>
/// <item>the file is read again (parsing is deterministic, so every line keeps its number, errors and first-seen duplicates);</item>
/// <item>the slice's good lines are upserted (merge; opt-outs kept: doing it twice writes the same rows) and its report
/// entries written under keys made from their line numbers;</item>
/// <item>the next message (new token) is sent, then the checkpoint (lines done, counts, the new token) is written on the
/// row's ETag. A crash before the checkpoint leaves the old token live: the redelivered message redoes the slice and the
/// orphan next message is dropped; a crash after it leaves the new one live. Either way nothing restarts from zero.</item>
/// </list>
/// The start and the end of a job are audited once each (row keys made from the job id).
/// </summary>
public sealed partial class ContactImportJobs(
    ImportJobStore store,
    ImportFileStore files,
    MembershipAdmin membership,
    AuditLog audit,
    QueueServiceClient queues,
    ImportJobOptions options,
    TimeProvider time,
    ILogger<ContactImportJobs> logger) : IDisposable
{
    private static readonly TimeSpan StalledAfter = TimeSpan.FromMinutes(5);
    private readonly SemaphoreSlim _slices = new(options.MaxConcurrentSlices);
    private readonly Lock _cacheLock = new();
    private (ImportJobId JobId, ContactCsvResult Parsed)? _lastParsed;

    /// <summary>
    /// Starts a job for <paramref name="file"/> (already checked: a valid header, <paramref name="linesTotal"/> lines), or
    /// returns the job of the same file, union and branch made within the idempotency window that did not fail
    /// (<c>Created</c> false). A stalled unfinished job found so is nudged (its message sent again with its token).
    /// </summary>
    public async Task<(ImportJob Job, bool Created)> StartAsync(
        UnionId unionId, BranchId branchId, byte[] file, int linesTotal, string createdBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        var hash = Convert.ToHexStringLower(SHA256.HashData(file));
        for (var attempt = 0; ; attempt++)
        {
            var now = time.GetUtcNow();
            var same = await store.FindSameFileAsync(unionId, branchId, hash, cancellationToken).ConfigureAwait(false);
            if (same is { } found && await store.GetAsync(unionId, found.JobId, cancellationToken).ConfigureAwait(false) is { } existing
                && existing.Job.MayBeReused(now, options.IdempotencyWindow))
            {
                if (!existing.Job.IsFinished && now - existing.Job.UpdatedAt > StalledAfter)
                {
                    await SendAsync(new ImportJobMessage(unionId.Value, existing.Job.JobId.Value) { Token = existing.Token }, cancellationToken).ConfigureAwait(false);
                }

                return (existing.Job, false);
            }

            var job = ImportJob.Create(ImportJobId.New(), unionId, branchId, hash, linesTotal, createdBy, now);
            if (!await store.TryClaimSameFileAsync(unionId, branchId, hash, job.JobId, same?.ETag, cancellationToken).ConfigureAwait(false))
            {
                // Another upload of the same file claimed it between our read and write: read its job.
                if (attempt < 3)
                {
                    continue;
                }

                throw new InvalidOperationException("Concurrent uploads of the same file kept racing; try again.");
            }

            var token = NewToken();
            await files.PutAsync(unionId, job.JobId, file, cancellationToken).ConfigureAwait(false);
            await store.AddAsync(job, token, cancellationToken).ConfigureAwait(false);
            await SendAsync(new ImportJobMessage(unionId.Value, job.JobId.Value) { Token = token }, cancellationToken).ConfigureAwait(false);
            ImportLog.Queued(logger, job.JobId.Value, unionId.Value, branchId.Value, linesTotal);
            return (job, true);
        }
    }

    /// <summary>Works through one slice of the job a <c>contact-imports</c> message names (see the class summary).</summary>
    public async Task<ImportSliceOutcome> ProcessSliceAsync(ImportJobMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!message.TryParse(out var unionId, out var jobId, out var error))
        {
            throw new FormatException(error);
        }

        await _slices.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ProcessAsync(unionId, jobId, message.Token ?? string.Empty, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slices.Release();
        }
    }

    private async Task<ImportSliceOutcome> ProcessAsync(UnionId unionId, ImportJobId jobId, string token, CancellationToken cancellationToken)
    {
        var stored = await store.GetAsync(unionId, jobId, cancellationToken).ConfigureAwait(false);
        if (stored is null || stored.Token != token || stored.Job.IsFinished)
        {
            ImportLog.Dropped(logger, jobId.Value, stored is null ? "no such job" : stored.Job.IsFinished ? "finished" : "stale message");
            return ImportSliceOutcome.Dropped;
        }

        var (job, etag) = (stored.Job, stored.ETag);
        if (job.State == ImportJobState.Queued)
        {
            job = job.Start(time.GetUtcNow());
            if (await store.TryReplaceAsync(job, etag, token, cancellationToken).ConfigureAwait(false) is not { } started)
            {
                return ImportSliceOutcome.Dropped;
            }

            etag = started;
        }

        if (job.LinesDone == 0)
        {
            // Also when the first slice is redone after a crash: the row key makes the second write a no-op.
            await AuditAsync(job, "start", StatusCodesAccepted, job.StartedAt!.Value, cancellationToken).ConfigureAwait(false);
        }

        var parsed = await ReadFileAsync(job, cancellationToken).ConfigureAwait(false);
        if (parsed is null || parsed.FileError is not null)
        {
            return await FailAsync(job, etag, token, parsed is null ? "the uploaded file is gone; upload it again" : "the file's header is not valid", cancellationToken).ConfigureAwait(false);
        }

        var (from, to) = (job.LinesDone, job.NextSliceEnd(options.SliceLines));
        var contacts = parsed.Contacts.Where((_, i) => parsed.ContactLines[i] > from && parsed.ContactLines[i] <= to).ToList();
        await membership.ImportContactsAsync(contacts, options.SliceParallelism, cancellationToken).ConfigureAwait(false);
        var entries = parsed.Errors.Where(e => e.Line > from && e.Line <= to).Select(e => new ImportLineEntry(e.Line, e.Field, e.Message, IsWarning: false))
            .Concat(parsed.Warnings.Where(w => w.Line > from && w.Line <= to).Select(w => new ImportLineEntry(w.Line, w.Field, w.Message, IsWarning: true)))
            .OrderBy(e => e.Line).ThenBy(e => e.IsWarning)
            .ToList();
        await store.WriteLinesAsync(job.JobId, entries, cancellationToken).ConfigureAwait(false);

        var counts = new ImportCounts(
            parsed.ContactLines.Count(l => l <= to),
            parsed.Errors.Where(e => e.Line <= to).Select(e => e.Line).Distinct().Count(),
            parsed.Warnings.Where(w => w.Line <= to).Select(w => w.Line).Distinct().Count());
        var next = job.Advance(to, counts, time.GetUtcNow());
        var nextToken = NewToken();
        if (!next.IsFinished)
        {
            await SendAsync(new ImportJobMessage(unionId.Value, jobId.Value) { Token = nextToken }, cancellationToken).ConfigureAwait(false);
        }

        if (await store.TryReplaceAsync(next, etag, nextToken, cancellationToken).ConfigureAwait(false) is null)
        {
            // Another delivery of the same message got there first; its checkpoint and its next message stand.
            ImportLog.Dropped(logger, jobId.Value, "checkpoint written by another delivery");
            return ImportSliceOutcome.Dropped;
        }

        ImportLog.Slice(logger, jobId.Value, from + 1, to, next.LinesTotal);
        if (!next.IsFinished)
        {
            return ImportSliceOutcome.Advanced;
        }

        await FinishAsync(next, cancellationToken).ConfigureAwait(false);
        await RecountAsync(next, cancellationToken).ConfigureAwait(false);
        return ImportSliceOutcome.Finished;
    }

    private const int StatusCodesAccepted = 202;

    private async Task<ImportSliceOutcome> FailAsync(ImportJob job, Azure.ETag etag, string token, string reason, CancellationToken cancellationToken)
    {
        var failed = job.Fail(reason, time.GetUtcNow());
        if (await store.TryReplaceAsync(failed, etag, token, cancellationToken).ConfigureAwait(false) is null)
        {
            return ImportSliceOutcome.Dropped;
        }

        await FinishAsync(failed, cancellationToken).ConfigureAwait(false);
        return ImportSliceOutcome.Failed;
    }

    private async Task FinishAsync(ImportJob job, CancellationToken cancellationToken)
    {
        await AuditAsync(job, "finish", job.State == ImportJobState.Succeeded ? 200 : 500, job.FinishedAt!.Value, cancellationToken).ConfigureAwait(false);
        await files.DeleteAsync(job.UnionId, job.JobId, cancellationToken).ConfigureAwait(false);
        lock (_cacheLock)
        {
            if (_lastParsed?.JobId == job.JobId)
            {
                _lastParsed = null;
            }
        }

        ImportLog.Finished(logger, job.JobId.Value, job.State.ToString(), job.Counts.Imported, job.Counts.Rejected);
    }

    /// <summary>
    /// Stores the branch's contact count now that the import has written it (fan-out sizes the next alert's layout from it
    /// instead of counting on the event's path). Best effort after the job is finished: on failure the next fan-out counts.
    /// </summary>
    private async Task RecountAsync(ImportJob job, CancellationToken cancellationToken)
    {
        try
        {
            var count = await membership.RecountContactsAsync(job.UnionId, job.BranchId, NodaTime.Instant.FromDateTimeOffset(time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
            ImportLog.Counted(logger, job.JobId.Value, count.Contacts);
        }
        catch (Azure.RequestFailedException ex)
        {
            ImportLog.CountFailed(logger, job.JobId.Value, ex.Status, ex.ErrorCode ?? "");
        }
    }

    /// <summary>The job's file, parsed (kept for the next slice of the same job: a file is parsed once per process, not once per slice).</summary>
    private async Task<ContactCsvResult?> ReadFileAsync(ImportJob job, CancellationToken cancellationToken)
    {
        lock (_cacheLock)
        {
            if (_lastParsed is { } cached && cached.JobId == job.JobId)
            {
                return cached.Parsed;
            }
        }

        var file = await files.GetAsync(job.UnionId, job.JobId, cancellationToken).ConfigureAwait(false);
        if (file is null)
        {
            return null;
        }

        var parsed = ContactCsv.Read(file, job.UnionId, job.BranchId);
        lock (_cacheLock)
        {
            _lastParsed = (job.JobId, parsed);
        }

        return parsed;
    }

    /// <summary>
    /// The job's start or finish row in its union's audit log: actor = the key that uploaded the file, route = the job's
    /// resource, targets = branch, job, step and (at the end) the counts. Written once: the row key comes from the job id.
    /// </summary>
    private Task AuditAsync(ImportJob job, string step, int status, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var targets = $"branch={job.BranchId} import={job.JobId} {step}"
            + (step == "finish" ? $" state={job.State.ToString().ToLowerInvariant()} imported={job.Counts.Imported} rejected={job.Counts.Rejected}" : string.Empty);
        var entry = new AuditEntry(job.UnionId, job.CreatedBy, ApiRoles.UnionAdminName, "JOB", "/api/unions/{union}/imports/{jobId}", targets, status, at);
        var id = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(job.JobId.Value + "|" + step)).AsSpan(0, 16));
        return audit.AppendOnceAsync(entry, id, CancellationToken.None);
    }

    private async Task SendAsync(ImportJobMessage message, CancellationToken cancellationToken)
    {
        var queue = queues.GetQueueClient(options.QueueName);
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await queue.SendMessageAsync(JsonSerializer.Serialize(message, JsonSerializerOptions.Web), cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _slices.Dispose();

    private static string NewToken() => Guid.NewGuid().ToString("N");

    private static partial class ImportLog
    {
        [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Import job {JobId} queued for union {UnionId} branch {BranchId}: {Lines} lines")]
        public static partial void Queued(ILogger logger, string jobId, string unionId, string branchId, int lines);

        [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Import job {JobId}: lines {From}-{To} of {Total} done")]
        public static partial void Slice(ILogger logger, string jobId, int from, int to, int total);

        [LoggerMessage(EventId = 6003, Level = LogLevel.Information, Message = "Import job {JobId} {State}: {Imported} imported, {Rejected} rejected")]
        public static partial void Finished(ILogger logger, string jobId, string state, int imported, int rejected);

        [LoggerMessage(EventId = 6004, Level = LogLevel.Information, Message = "Import job {JobId}: message dropped ({Reason})")]
        public static partial void Dropped(ILogger logger, string jobId, string reason);

        [LoggerMessage(EventId = 6005, Level = LogLevel.Information, Message = "Import job {JobId}: the branch now holds {Contacts} contacts (stored for fan-out's layout)")]
        public static partial void Counted(ILogger logger, string jobId, int contacts);

        [LoggerMessage(EventId = 6006, Level = LogLevel.Warning, Message = "Import job {JobId}: the branch's contact count was not stored ({Status} {ErrorCode}); the next fan-out counts it")]
        public static partial void CountFailed(ILogger logger, string jobId, int status, string errorCode);
    }
}
