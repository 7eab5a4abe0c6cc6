using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Ports;
using AlertPipeline.Core.Scheduling;
using NodaTime;

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// The rows fan-out writes for one page of one branch's contacts: only that union's and branch's contacts (tenancy,
/// whatever the store returned), planned by <see cref="DeliveryPlanner"/>, with opted-out recipients turned into Skipped
/// <c>OptedOut</c>. Shared by <see cref="FanOutChunkHandler"/> (which writes the rows) and <see cref="AudiencePreviewer"/>
/// (which only counts them), so a preview and a send cannot disagree.
/// </summary>
public sealed class DeliveryPagePlanner(IOptOutStore optOuts, RecipientHasher hasher)
{
    public Task<PlannedPage> PlanAsync(
        AlertRecord alert, UnionId unionId, BranchId branchId, IReadOnlyList<ContactEntry> page, Instant now, QuietHours? quietHours, CancellationToken cancellationToken) =>
        PlanAsync(alert, unionId, branchId, page, now, quietHours, null, cancellationToken);

    /// <param name="optOuts">Every opt-out per channel, read once beforehand (<see cref="IOptOutStore.GetOptedOutAsync"/>,
    /// a preview reading many pages); null asks the store for this page's recipients.</param>
    public async Task<PlannedPage> PlanAsync(
        AlertRecord alert, UnionId unionId, BranchId branchId, IReadOnlyList<ContactEntry> page, Instant now, QuietHours? quietHours,
        IReadOnlyDictionary<Channel, IReadOnlySet<RecipientHash>>? optOuts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(page);
        var contacts = page.Where(c => c.Contact.UnionId == unionId && c.Contact.BranchId == branchId).ToList();
        var planned = DeliveryPlanner.Plan(alert, contacts, hasher, now, quietHours);
        var optedOut = optOuts is null
            ? await FindOptedOutAsync(planned, cancellationToken).ConfigureAwait(false)
            : [.. planned.Where(r => r.Status == DeliveryStatus.Pending && optOuts.TryGetValue(r.Channel, out var set) && set.Contains(r.Key.Recipient)).Select(r => r.Key)];
        return new PlannedPage(contacts, DeliveryPlanner.ApplyOptOuts(planned, optedOut.Contains));
    }

    /// <summary>Every opt-out of the <paramref name="channels"/>, one read each: for <see cref="PlanAsync(AlertRecord, UnionId, BranchId, IReadOnlyList{ContactEntry}, Instant, QuietHours?, IReadOnlyDictionary{Channel, IReadOnlySet{RecipientHash}}?, CancellationToken)"/>.</summary>
    public async Task<IReadOnlyDictionary<Channel, IReadOnlySet<RecipientHash>>> ReadOptOutsAsync(IEnumerable<Channel> channels, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channels);
        var result = new Dictionary<Channel, IReadOnlySet<RecipientHash>>();
        foreach (var channel in channels.Distinct())
        {
            result[channel] = await optOuts.GetOptedOutAsync(channel, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    private async Task<HashSet<DeliveryKey>> FindOptedOutAsync(IReadOnlyList<DeliveryRecord> rows, CancellationToken cancellationToken)
    {
        var result = new HashSet<DeliveryKey>();
        foreach (var group in rows.Where(r => r.Status == DeliveryStatus.Pending).GroupBy(r => r.Channel))
        {
            var keys = group.Select(r => r.Key).ToList();
            var optedOut = await optOuts.FindOptedOutAsync([.. keys.Select(k => k.Recipient)], group.Key, cancellationToken).ConfigureAwait(false);
            result.UnionWith(keys.Where(k => optedOut.Contains(k.Recipient)));
        }

        return result;
    }
}

/// <param name="Contacts">The page's contacts of the planned union and branch.</param>
/// <param name="Rows">One row per distinct key of the page, opt-outs applied.</param>
public sealed record PlannedPage(IReadOnlyList<ContactEntry> Contacts, IReadOnlyList<DeliveryRecord> Rows);
