namespace AlertPipeline.Cli.Api;

/// <summary>A list answer of the API: <c>{items:[…], continuationToken}</c>.</summary>
public sealed record ItemsPage<T>(IReadOnlyList<T> Items, string? ContinuationToken = null);

public sealed record BranchItem(string BranchId, string Name);

public sealed record ContactItem(
    string ContactId, string Name, string? Phone, string? PhoneError, string? Email, string Language, string TimeZone,
    bool SmsConsent, bool EmailConsent, DateTimeOffset? SmsOptedOutAt, DateTimeOffset? EmailOptedOutAt);

public sealed record ImportLineError(int Line, string Field, string Message);

public sealed record ImportReport(int Imported, int Rejected, IReadOnlyList<ImportLineError> Errors)
{
    /// <summary>Lines imported with a change (an extension dropped from a phone number).</summary>
    public IReadOnlyList<ImportLineError> Warnings { get; init; } = [];
}

/// <summary>
/// A contact import job (docs/api.md "Import jobs"): state, progress, whole-job counts and one page of the per-line
/// report (<see cref="Errors"/>, <see cref="Warnings"/>; <see cref="ContinuationToken"/> for the next page).
/// </summary>
public sealed record ImportJobItem(
    string JobId, string BranchId, string State, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
    DateTimeOffset UpdatedAt, int LinesTotal, int LinesDone, int Imported, int Rejected, int Warned, string? Failure)
{
    public IReadOnlyList<ImportLineError> Errors { get; init; } = [];

    public IReadOnlyList<ImportLineError> Warnings { get; init; } = [];

    public string? ContinuationToken { get; init; }

    public bool IsFinished => State is "succeeded" or "failed";

    public ImportReport ToReport() => new(Imported, Rejected, Errors) { Warnings = Warnings };
}

/// <summary>What an upload started: the report of a small file (imported at once), or a job for a large one.</summary>
public sealed record ImportStart(ImportReport? Report, ImportJobItem? Job);

public sealed record KeyItem(string KeyId, string Role, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, string? ReplacedBy);

/// <summary>A key just made: <see cref="Key"/> is shown once.</summary>
public sealed record CreatedKey(string KeyId, string Key, string UnionId, string Role, DateTimeOffset CreatedAt, string? Replaces = null)
{
    public override string ToString() => $"CreatedKey {{ KeyId = {KeyId}, UnionId = {UnionId}, Role = {Role} }}";
}

/// <param name="ActorUnion">The union whose key made the write (another union's for a campaign owner's schedule change).</param>
public sealed record AuditItem(
    DateTimeOffset At, string Actor, string Role, string Method, string Route, string Targets, int Status, string Outcome, string? ActorUnion = null);

public sealed record SubscriptionItem(string CampaignId, string? BranchId);

/// <param name="Role">owner, subscriber, invited, requested, approved, open or none.</param>
public sealed record UnionCampaignItem(string CampaignId, string Name, bool Subscribed, string? Role = null, bool Open = false);

/// <summary>A union's membership of a campaign: <c>invited</c>, <c>requested</c>, <c>approved</c> (null: subscribed without a row).</summary>
public sealed record MemberItem(
    string CampaignId, string UnionId, string? State, bool Subscribed, DateTimeOffset? InvitedAt = null, DateTimeOffset? RequestedAt = null, DateTimeOffset? ApprovedAt = null);

public sealed record SentAlert(string AlertId, string EventId);

public sealed record ErasureResult(int DeliveryRowsScrubbed, bool ContactDeleted);

public sealed record UnionItem(string UnionId, string Name);

public sealed record CampaignItem(string CampaignId, string Name, string HelpContact, string DefaultLanguage, string? OwnerUnionId, bool Open = false);
