using AlertPipeline.Core.Contacts;

namespace AlertPipeline.Core.Scheduling.Ports;

/// <summary>The stored schedules of one campaign, for the organiser API's listings.</summary>
public interface IScheduleCatalog
{
    /// <summary>
    /// The schedules of <paramref name="campaignId"/> whose stored id starts with <paramref name="idPrefix"/>, ordered by id.
    /// Rows that do not read back as schedules are left out.
    /// </summary>
    Task<IReadOnlyList<StoredSchedule>> ListAsync(CampaignId campaignId, string idPrefix, CancellationToken cancellationToken = default);
}
