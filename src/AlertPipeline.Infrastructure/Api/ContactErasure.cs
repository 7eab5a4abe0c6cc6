using AlertPipeline.Core.Contacts;
using AlertPipeline.Infrastructure.Persistence;

namespace AlertPipeline.Infrastructure.Api;

/// <summary>
/// Erases a contact (docs/storage.md, "Personal data"): scrubs its delivery rows across all alerts, deletes the contact,
/// then scrubs once more (rows a fan-out in flight wrote from a page read before the delete). Ordered so that a failure
/// at any step loses nothing and calling it again finishes the job: the contact — the only way to find the rows again
/// by who they were for — is deleted only after its rows are scrubbed. Opt-outs and the recipient index are kept (they
/// hold only the keyed recipient hash; honouring STOP needs them).
/// </summary>
public sealed class ContactErasure(DeliveryErasure deliveries, MembershipAdmin membership)
{
    public async Task<ErasureResult> EraseAsync(UnionId unionId, BranchId branchId, ContactId contactId, CancellationToken cancellationToken = default)
    {
        var scrubbed = await deliveries.ScrubAsync(unionId, branchId, contactId, cancellationToken).ConfigureAwait(false);
        var deleted = await membership.DeleteContactAsync(unionId, branchId, contactId, cancellationToken).ConfigureAwait(false) == WriteOutcome.Done;
        scrubbed += await deliveries.ScrubAsync(unionId, branchId, contactId, cancellationToken).ConfigureAwait(false);
        return new ErasureResult(scrubbed, deleted);
    }
}

/// <param name="DeliveryRowsScrubbed">Rows this call scrubbed (0 when an earlier call did it all).</param>
/// <param name="ContactDeleted">Whether this call deleted the contact (false when it was already gone).</param>
public sealed record ErasureResult(int DeliveryRowsScrubbed, bool ContactDeleted);
