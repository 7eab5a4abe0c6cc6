using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Ports;

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// Cached reads of what every delivery of an alert shares: the alert (immutable once stored, kept until evicted) and
/// its campaign, unions and branches (cached for <see cref="PipelineOptions.ReferenceDataTtl"/>). Contacts are never
/// cached. Register one per process.
/// </summary>
public sealed class PipelineLookups(IAlertStore alerts, IMembershipReader membership, PipelineOptions options, TimeProvider time)
{
    private readonly BoundedCache<AlertId, AlertRecord> _alerts = new(options.CacheCapacity, null, time);
    private readonly BoundedCache<CampaignId, Campaign> _campaigns = new(options.CacheCapacity, options.ReferenceDataTtl, time);
    private readonly BoundedCache<UnionId, Union> _unions = new(options.CacheCapacity, options.ReferenceDataTtl, time);
    private readonly BoundedCache<(UnionId, BranchId), Branch> _branches = new(options.CacheCapacity, options.ReferenceDataTtl, time);

    public Task<AlertRecord?> GetAlertAsync(AlertId alertId, CancellationToken cancellationToken) =>
        _alerts.GetOrLoadAsync(alertId, alerts.GetAsync, cancellationToken);

    public Task<Campaign?> GetCampaignAsync(CampaignId campaignId, CancellationToken cancellationToken) =>
        _campaigns.GetOrLoadAsync(campaignId, membership.GetCampaignAsync, cancellationToken);

    public Task<Union?> GetUnionAsync(UnionId unionId, CancellationToken cancellationToken) =>
        _unions.GetOrLoadAsync(unionId, membership.GetUnionAsync, cancellationToken);

    public Task<Branch?> GetBranchAsync(UnionId unionId, BranchId branchId, CancellationToken cancellationToken) =>
        _branches.GetOrLoadAsync((unionId, branchId), (key, ct) => membership.GetBranchAsync(key.Item1, key.Item2, ct), cancellationToken);
}
