using AlertPipeline.Core.Alerts;

namespace AlertPipeline.Core.Ports;

/// <summary>
/// Which delivery owns a provider message id (Twilio's SM… SID). Reconciliation matches a provider's message to a row by
/// number and body only, so two alerts with the same text to one member would otherwise both claim the same message; the
/// index lets exactly one row own each SID. No number and no body: a SID and a delivery key.
/// </summary>
public interface IProviderIdIndex
{
    /// <summary>Records that <paramref name="owner"/>'s own send was answered with <paramref name="providerId"/> (authoritative: it overwrites).</summary>
    Task RecordAsync(string providerId, DeliveryKey owner, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims <paramref name="providerId"/> for <paramref name="owner"/> unless another delivery owns it already (an
    /// insert: of two reconciling rows one wins). Returns the owner's key: <paramref name="owner"/>'s when the claim holds.
    /// </summary>
    Task<string> ClaimAsync(string providerId, DeliveryKey owner, CancellationToken cancellationToken = default);

    /// <summary>The key of the delivery that owns <paramref name="providerId"/>, or null when none does yet.</summary>
    Task<string?> FindOwnerAsync(string providerId, CancellationToken cancellationToken = default);
}
