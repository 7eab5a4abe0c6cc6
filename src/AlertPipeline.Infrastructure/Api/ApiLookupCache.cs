using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Ports;

namespace AlertPipeline.Infrastructure.Api;

/// <summary>
/// What a worker reads before it can answer a read request (GET, and the preview), kept for
/// <see cref="ApiOptions.LookupCacheSeconds"/> so that a burst of reports and previews does not read it again and again
/// while the storage is busy (docs/api.md "Cached lookups"): the caller's API key (by its SHA-256, never the key), what
/// the caller's union is to a campaign, the union, and an alert (by union and alert, though alerts never change, so that
/// no entry is ever shared across unions). Writes read all of it afresh. A change made through this worker
/// (<see cref="ApiKeyService"/>, <see cref="CampaignAdmin"/>) evicts the entries it touches at once; one made through another
/// worker or straight on storage (the CLI's <c>admin keys revoke</c>) is seen here within the lifetime.
/// </summary>
public sealed class ApiLookupCache(ApiOptions options, TimeProvider time)
{
    /// <summary>No caching (the CLI, which writes straight on storage and serves no requests).</summary>
    public static ApiLookupCache Off { get; } = new(new ApiOptions { LookupCacheSeconds = 0 }, TimeProvider.System);

    /// <summary>Key records by the key's SHA-256 (lowercase hex), revoked ones too; unknown keys are not kept.</summary>
    public LookupCache<string, ApiKeyRecord> Keys { get; } = new(TimeSpan.FromSeconds(options.LookupCacheSeconds), options.LookupCacheEntries, time);

    /// <summary>The campaign and what the union is to it, by union and campaign; unknown campaigns are not kept.</summary>
    public LookupCache<(UnionId Union, CampaignId Campaign), CampaignRoleOf> Roles { get; } =
        new(TimeSpan.FromSeconds(options.LookupCacheSeconds), options.LookupCacheEntries, time);

    public LookupCache<UnionId, Union> Unions { get; } = new(TimeSpan.FromSeconds(options.LookupCacheSeconds), options.LookupCacheEntries, time);

    /// <summary>Alerts by the asking union and the alert; unknown alerts are not kept (one may be stored a moment later).</summary>
    public LookupCache<(UnionId Union, AlertId Alert), AlertRecord> Alerts { get; } =
        new(TimeSpan.FromSeconds(options.LookupCacheSeconds), options.LookupCacheEntries, time);

    /// <summary>
    /// An alert's poison re-drive progress as a union's report shows it (fan-out chunks, dispatch messages, status
    /// callbacks), by union and alert: it changes at most every ScheduleTick, and a report must not wait on three more
    /// queries behind a busy table. The organiser's re-drive through this worker evicts it (<see cref="ProgressChanged"/>).
    /// </summary>
    public LookupCache<(UnionId Union, AlertId Alert), RedriveProgress> Progress { get; } =
        new(TimeSpan.FromSeconds(options.LookupCacheSeconds), options.LookupCacheEntries, time);

    /// <summary>The alert's re-drive budgets were reset through this worker: forget its progress for every union.</summary>
    public void ProgressChanged(AlertId alertId) => Progress.EvictWhere(k => k.Alert == alertId);

    /// <summary>The alert as <paramref name="unionId"/> last read it, or a fresh read.</summary>
    public Task<AlertRecord?> GetAlertAsync(UnionId unionId, AlertId alertId, IAlertStore alerts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        return Alerts.GetAsync((unionId, alertId), c => alerts.GetAsync(alertId, c), cancellationToken);
    }

    /// <summary>The key with this id was revoked or rotated: forget it (by hash prefix: the id is the hash's first 16 digits).</summary>
    public void KeyChanged(string keyId) => Keys.EvictWhere(hash => hash.StartsWith(keyId, StringComparison.Ordinal));

    /// <summary>The campaign or its subscriptions changed: forget every union's role in it.</summary>
    public void CampaignChanged(CampaignId campaignId) => Roles.EvictWhere(k => k.Campaign == campaignId);

    public void UnionChanged(UnionId unionId) => Unions.Evict(unionId);
}

/// <summary>A campaign and what a union is to it (<see cref="CampaignRules.RoleOf"/>).</summary>
public sealed record CampaignRoleOf(Campaign Campaign, CampaignRole Role);

/// <summary>An alert's poison re-drive progress for one union: fan-out chunks, dispatch messages, status callbacks.</summary>
public sealed record RedriveProgress(
    Pipeline.PoisonRedriveProgress FanOut, Pipeline.PoisonRedriveProgress Dispatch, Pipeline.PoisonRedriveProgress Statuses);
