using AlertPipeline.Core.Events;
using AlertPipeline.Core.Ports;

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// The branches an alert goes to: every branch covered by a subscription of its campaign (a whole-union subscription
/// covers all the union's branches), narrowed by the event's audience, each once. Only subscriptions and branch lists
/// are read here; members are streamed later, one page per chunk.
/// </summary>
public sealed class AudienceResolver(IMembershipReader membership)
{
    public async Task<IReadOnlyList<BranchRef>> ResolveAsync(AlertEvent alertEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alertEvent);
        var result = new List<BranchRef>();
        var seen = new HashSet<BranchRef>();
        var subscriptions = await membership.GetSubscriptionsAsync(alertEvent.CampaignId, cancellationToken).ConfigureAwait(false);
        foreach (var subscription in subscriptions)
        {
            var branches = subscription.BranchId is { } branchId
                ? await membership.GetBranchAsync(subscription.UnionId, branchId, cancellationToken).ConfigureAwait(false) is { } one ? [one] : []
                : await membership.GetBranchesAsync(subscription.UnionId, cancellationToken).ConfigureAwait(false);
            foreach (var branch in branches)
            {
                var reference = new BranchRef(branch.UnionId, branch.BranchId);
                if (branch.UnionId == subscription.UnionId && alertEvent.Audience.Includes(branch.UnionId, branch.BranchId) && seen.Add(reference))
                {
                    result.Add(reference);
                }
            }
        }

        return result;
    }
}
