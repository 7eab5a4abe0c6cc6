using System.Diagnostics.CodeAnalysis;
using AlertPipeline.Core.Contacts;

namespace AlertPipeline.Core.Imports;

/// <summary>Where a contact import job is: waiting on its queue, being worked through slice by slice, or finished.</summary>
public enum ImportJobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
}

/// <summary>
/// A job's id: 32 lowercase hex digits (a random 128-bit value), so it says nothing about the file and cannot be guessed.
/// </summary>
public sealed record ImportJobId
{
    private ImportJobId(string value) => Value = value;

    public string Value { get; }

    public static ImportJobId New() => new(Guid.NewGuid().ToString("N"));

    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out ImportJobId? id)
    {
        id = value is { Length: 32 } && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f') ? new ImportJobId(value) : null;
        return id is not null;
    }

    public static ImportJobId Parse(string value) =>
        TryParse(value, out var id) ? id : throw new FormatException("An import job id is 32 lowercase hex digits.");

    public override string ToString() => Value;
}

/// <summary>Whole-file figures up to a line: lines imported, lines rejected, lines imported with a warning.</summary>
public sealed record ImportCounts(int Imported, int Rejected, int Warned)
{
    public static ImportCounts Zero { get; } = new(0, 0, 0);
}

/// <summary>
/// One contact import run in the background (docs/api.md "Import jobs"): the file's lines are worked through in slices
/// from the top; <see cref="LinesDone"/> is the checkpoint (every line up to it is imported or reported), written after
/// each slice, so a restart resumes there. The transitions are the only way to change a job:
/// <c>Queued → Running → Succeeded</c>, and <c>Queued | Running → Failed</c>; a finished job never changes again.
/// </summary>
public sealed record ImportJob(
    ImportJobId JobId,
    UnionId UnionId,
    BranchId BranchId,
    string ContentHash,
    int LinesTotal,
    string CreatedBy,
    DateTimeOffset CreatedAt)
{
    public ImportJobState State { get; init; } = ImportJobState.Queued;

    /// <summary>Lines of the file (header = line 1) already imported or reported, counted from the top.</summary>
    public int LinesDone { get; init; }

    public ImportCounts Counts { get; init; } = ImportCounts.Zero;

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; } = CreatedAt;

    /// <summary>Why a <see cref="ImportJobState.Failed"/> job stopped (never quotes the file).</summary>
    public string? Failure { get; init; }

    public bool IsFinished => State is ImportJobState.Succeeded or ImportJobState.Failed;

    /// <summary>A new job for a file of <paramref name="linesTotal"/> lines (at least the header).</summary>
    public static ImportJob Create(
        ImportJobId jobId, UnionId unionId, BranchId branchId, string contentHash, int linesTotal, string createdBy, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(contentHash);
        ArgumentOutOfRangeException.ThrowIfLessThan(linesTotal, 1);
        return new ImportJob(jobId, unionId, branchId, contentHash, linesTotal, createdBy, now);
    }

    /// <summary>Queued → Running (a running job stays as it is: a redelivered message resumes it).</summary>
    public ImportJob Start(DateTimeOffset now) => State switch
    {
        ImportJobState.Queued => this with { State = ImportJobState.Running, StartedAt = now, UpdatedAt = now },
        ImportJobState.Running => this,
        _ => throw new InvalidOperationException($"Import job {JobId} is {State} and cannot start again."),
    };

    /// <summary>The last line of the next slice of at most <paramref name="sliceLines"/> lines.</summary>
    public int NextSliceEnd(int sliceLines)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sliceLines, 1);
        return (int)Math.Min(LinesTotal, (long)LinesDone + sliceLines);
    }

    /// <summary>
    /// Records that every line up to <paramref name="linesDone"/> is imported or reported, with the whole-file counts up
    /// to it; the last line finishes the job (<see cref="ImportJobState.Succeeded"/>). The checkpoint only moves forward.
    /// </summary>
    public ImportJob Advance(int linesDone, ImportCounts counts, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (State != ImportJobState.Running)
        {
            throw new InvalidOperationException($"Import job {JobId} is {State}; only a running job advances.");
        }

        if (linesDone <= LinesDone || linesDone > LinesTotal)
        {
            throw new ArgumentOutOfRangeException(nameof(linesDone), linesDone, $"The checkpoint moves forward, from {LinesDone} to at most {LinesTotal}.");
        }

        var done = linesDone == LinesTotal;
        return this with
        {
            LinesDone = linesDone,
            Counts = counts,
            UpdatedAt = now,
            State = done ? ImportJobState.Succeeded : ImportJobState.Running,
            FinishedAt = done ? now : null,
        };
    }

    /// <summary>Queued or Running → Failed, saying why; the lines done so far stay imported and reported.</summary>
    public ImportJob Fail(string reason, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return IsFinished
            ? throw new InvalidOperationException($"Import job {JobId} is already {State}.")
            : this with { State = ImportJobState.Failed, Failure = reason, FinishedAt = now, UpdatedAt = now };
    }

    /// <summary>
    /// Whether a new upload of the same file (same union, branch and content) should get this job back instead of a new
    /// one: it did not fail and was created less than <paramref name="window"/> ago.
    /// </summary>
    public bool MayBeReused(DateTimeOffset now, TimeSpan window) => State != ImportJobState.Failed && now - CreatedAt < window;
}

/// <summary>
/// The JSON of a <c>contact-imports</c> message: <c>{"unionId","jobId","token"}</c>. It only names the job; the worker
/// reads the checkpoint from the job's row, so a redelivered message resumes the job, never restarts it. The token must be
/// the one the job row holds (each checkpoint hands on a new one): a stale or duplicate message is dropped.
/// </summary>
public sealed record ImportJobMessage(string? UnionId, string? JobId)
{
    public string? Token { get; init; }

    public bool TryParse([NotNullWhen(true)] out UnionId? unionId, [NotNullWhen(true)] out ImportJobId? jobId, [NotNullWhen(false)] out string? error)
    {
        jobId = null;
        if (!Contacts.UnionId.TryParse(UnionId, out unionId, out error))
        {
            error = "import job message: " + error;
            return false;
        }

        if (!ImportJobId.TryParse(JobId, out jobId))
        {
            error = "import job message: jobId must be 32 lowercase hex digits";
            return false;
        }

        return true;
    }
}
