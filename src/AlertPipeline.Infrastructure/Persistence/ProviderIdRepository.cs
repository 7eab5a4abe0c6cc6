using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Ports;
using Azure;
using Azure.Data.Tables;

namespace AlertPipeline.Infrastructure.Persistence;

/// <summary>
/// ProviderIds (PK the provider's message id, RK <c>sms</c>, <c>Delivery</c> = the owning delivery key): which row owns
/// each Twilio SID, written when a send is answered and claimed (insert) by reconciliation. Point operations only; no
/// number, no body.
/// </summary>
public sealed class ProviderIdRepository(PipelineTables tables) : IProviderIdIndex
{
    private const string SmsRow = "sms";
    private const string DeliveryProperty = "Delivery";

    public async Task RecordAsync(string providerId, DeliveryKey owner, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(providerId);
        ArgumentNullException.ThrowIfNull(owner);
        var table = await tables.GetAsync(PipelineTables.ProviderIds, cancellationToken).ConfigureAwait(false);
        await table.UpsertEntityAsync(Entity(providerId, owner), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> ClaimAsync(string providerId, DeliveryKey owner, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(providerId);
        ArgumentNullException.ThrowIfNull(owner);
        var table = await tables.GetAsync(PipelineTables.ProviderIds, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.AddEntityAsync(Entity(providerId, owner), cancellationToken).ConfigureAwait(false);
            return owner.Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = await table.GetEntityAsync<TableEntity>(providerId, SmsRow, [DeliveryProperty], cancellationToken).ConfigureAwait(false);
            return existing.Value.GetString(DeliveryProperty) ?? string.Empty;
        }
    }

    public async Task<string?> FindOwnerAsync(string providerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(providerId);
        var table = await tables.GetAsync(PipelineTables.ProviderIds, cancellationToken).ConfigureAwait(false);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(providerId, SmsRow, [DeliveryProperty], cancellationToken).ConfigureAwait(false);
        return found.HasValue ? found.Value!.GetString(DeliveryProperty) : null;
    }

    private static TableEntity Entity(string providerId, DeliveryKey owner) => new(providerId, SmsRow) { [DeliveryProperty] = owner.Value };
}
