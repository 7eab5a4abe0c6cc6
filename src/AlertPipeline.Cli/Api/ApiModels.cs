namespace AlertPipeline.Cli.Api;

/// <summary>A list answer of the API: <c>{items:[…], continuationToken}</c>.</summary>
public sealed record ItemsPage<T>(IReadOnlyList<T> Items, string? ContinuationToken = null);

public sealed record BranchItem(string BranchId, string Name);

public sealed record ContactItem(
    string ContactId, string Name, string? Phone, string? PhoneError, string? Email, string Language, string TimeZone,
    bool SmsConsent, bool EmailConsent, DateTimeOffset? SmsOptedOutAt, DateTimeOffset? EmailOptedOutAt);

public sealed record ImportLineError(int Line, string Field, string Message);

public sealed record ImportReport(int Imported, int Rejected, IReadOnlyList<ImportLineError> Errors);

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
