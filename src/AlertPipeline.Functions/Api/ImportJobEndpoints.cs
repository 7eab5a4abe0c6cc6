using AlertPipeline.Core.Imports;
using AlertPipeline.Infrastructure.Imports;

namespace AlertPipeline.Functions.Api;

/// <summary>
/// A union's contact import jobs (docs/api.md "Import jobs", union-admin): <c>GET /imports</c> (newest first) and
/// <c>GET /imports/{jobId}</c> (state, progress, counts and one page of the per-line report). A job lives in its union's
/// partition: another union's, an unknown or a malformed job id all answer the standard 404.
/// </summary>
internal static class ImportJobEndpoints
{
    public const int DefaultPageSize = 1000;
    public const int MaxPageSize = 1000;
    public const int DefaultListLimit = 20;
    public const int MaxListLimit = 100;

    public sealed record ImportLineItem(int Line, string Field, string Message);

    public sealed record ImportJobView(
        string JobId, string BranchId, string State, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
        DateTimeOffset UpdatedAt, int LinesTotal, int LinesDone, int Imported, int Rejected, int Warned, string? Failure);

    public sealed record ImportJobReportView(
        string JobId, string BranchId, string State, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
        DateTimeOffset UpdatedAt, int LinesTotal, int LinesDone, int Imported, int Rejected, int Warned, string? Failure,
        IReadOnlyList<ImportLineItem> Errors, IReadOnlyList<ImportLineItem> Warnings, string? ContinuationToken);

    public static string Location(ImportJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return $"/api/unions/{job.UnionId}/imports/{job.JobId}";
    }

    public static ImportJobReportView View(ImportJob job, IReadOnlyList<ImportLineEntry> entries, string? continuationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var summary = Summary(job);
        return new(
            summary.JobId, summary.BranchId, summary.State, summary.CreatedAt, summary.StartedAt, summary.FinishedAt, summary.UpdatedAt,
            summary.LinesTotal, summary.LinesDone, summary.Imported, summary.Rejected, summary.Warned, summary.Failure,
            [.. entries.Where(e => !e.IsWarning).Select(Item)], [.. entries.Where(e => e.IsWarning).Select(Item)], continuationToken);
    }

    public static Task<IResult> JobsAsync(HttpContext context, string union, ApiGate gate, ImportJobStore store) =>
        gate.RunAsync(context, union, ApiAccess.UnionAdmin, string.Empty, async (unionId, _) =>
        {
            var query = context.Request.Query;
            var limit = DefaultListLimit;
            if (query.ContainsKey("limit") && (!int.TryParse(query["limit"], out limit) || limit is < 1 or > MaxListLimit))
            {
                return ApiProblems.Invalid("limit", $"must be a whole number from 1 to {MaxListLimit}");
            }

            var jobs = await store.ListAsync(unionId, limit, context.RequestAborted);
            return Results.Ok(new { items = jobs.Select(Summary) });
        });

    public static Task<IResult> JobAsync(HttpContext context, string union, string jobId, ApiGate gate, ImportJobStore store) =>
        gate.RunAsync(context, union, ApiAccess.UnionAdmin, string.Empty, async (unionId, _) =>
        {
            if (!ImportJobId.TryParse(jobId, out var id) || await store.GetAsync(unionId, id, context.RequestAborted) is not { } stored)
            {
                return ApiProblems.NotFound();
            }

            var query = context.Request.Query;
            var pageSize = DefaultPageSize;
            if (query.ContainsKey("pageSize") && (!int.TryParse(query["pageSize"], out pageSize) || pageSize is < 1 or > MaxPageSize))
            {
                return ApiProblems.Invalid("pageSize", $"must be a whole number from 1 to {MaxPageSize}");
            }

            var token = query["continuationToken"].ToString();
            ImportLinePage page;
            try
            {
                page = await store.ReadLinesAsync(id, pageSize, token.Length == 0 ? null : token, context.RequestAborted);
            }
            catch (ArgumentException)
            {
                return ApiProblems.Invalid("continuationToken", "is not a token this API issued for this job (pass back the continuationToken of the previous page, or none to start)");
            }

            context.Response.Headers.CacheControl = "no-store";
            return Results.Ok(View(stored.Job, page.Entries, page.ContinuationToken));
        });

    private static ImportJobView Summary(ImportJob job) => new(
        job.JobId.Value, job.BranchId.Value, job.State.ToString().ToLowerInvariant(), job.CreatedAt, job.StartedAt, job.FinishedAt, job.UpdatedAt,
        job.LinesTotal, job.LinesDone, job.Counts.Imported, job.Counts.Rejected, job.Counts.Warned, job.Failure);

    private static ImportLineItem Item(ImportLineEntry entry) => new(entry.Line, entry.Field, entry.Message);
}
