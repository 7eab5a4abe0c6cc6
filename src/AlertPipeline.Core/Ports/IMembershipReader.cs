using AlertPipeline.Core.Contacts;

namespace AlertPipeline.Core.Ports;

/// <summary>
/// Reads unions, branches, contacts, campaigns and subscriptions. Every contact read names its union and branch, and
/// implementations build the storage key from both (tenancy: one union never reads another's members).
/// </summary>
public interface IMembershipReader
{
    Task<Campaign?> GetCampaignAsync(CampaignId campaignId, CancellationToken cancellationToken = default);

    Task<Union?> GetUnionAsync(UnionId unionId, CancellationToken cancellationToken = default);

    Task<Branch?> GetBranchAsync(UnionId unionId, BranchId branchId, CancellationToken cancellationToken = default);

    /// <summary>Every branch of one union (a whole-union subscription covers them all).</summary>
    Task<IReadOnlyList<Branch>> GetBranchesAsync(UnionId unionId, CancellationToken cancellationToken = default);

    /// <summary>The unions and branches subscribed to a campaign (a handful of rows, not an audience).</summary>
    Task<IReadOnlyList<Subscription>> GetSubscriptionsAsync(CampaignId campaignId, CancellationToken cancellationToken = default);

    /// <summary>
    /// One page of one branch's contacts, at most <paramref name="pageSize"/>, starting at <paramref name="continuationToken"/>
    /// (null: the first page). The page's token is null after the last page. A page may be empty and still carry a token.
    /// </summary>
    Task<ContactPage> GetContactsPageAsync(
        UnionId unionId, BranchId branchId, int pageSize, string? continuationToken, CancellationToken cancellationToken = default);

    Task<ContactEntry?> GetContactAsync(UnionId unionId, BranchId branchId, ContactId contactId, CancellationToken cancellationToken = default);

    /// <summary>
    /// How many contacts one branch holds, counting (keys only, a page at a time) no further than
    /// <paramref name="atLeast"/>: the answer is exact below it, and at least it otherwise. Fan-out sizes an alert's
    /// partition layout with it.
    /// </summary>
    Task<int> CountContactsAsync(UnionId unionId, BranchId branchId, int atLeast, CancellationToken cancellationToken = default);
}

/// <summary>
/// A stored contact. <see cref="InvalidPhone"/> is set when the union gave a number that could not be parsed: the
/// contact is kept (email may still reach them) and their SMS deliveries are skipped as <c>InvalidNumber</c>.
/// </summary>
public sealed record ContactEntry(Contact Contact, PhoneNumberError? InvalidPhone = null)
{
    public override string ToString() => $"ContactEntry {{ {Contact}, InvalidPhone = {InvalidPhone} }}";
}

/// <summary>One page of contacts; <see cref="ContinuationToken"/> is opaque and holds no personal data (keys only).</summary>
public sealed record ContactPage(IReadOnlyList<ContactEntry> Contacts, string? ContinuationToken);
