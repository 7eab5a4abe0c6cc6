using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Ports;
using AlertPipeline.Core.Scheduling;
using NodaTime;

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// Builds the delivery rows of one page of contacts (pure). Per contact and requested channel: a row keyed by the
/// recipient hash of the address, so a person listed twice lands on one row (invariant 2); Pending, or Skipped with the
/// first reason that applies — <c>InvalidNumber</c> (the union's number could not be parsed), <c>NoAddress</c>,
/// <c>Expired</c>, then the contact's own state (<c>OptedOut</c>, <c>NoConsent</c>). Rows without a usable address are
/// keyed by the listing's hash instead. Only Pending rows carry the address and the contact snapshot. Within the page the first row per key wins.
/// <para>
/// Quiet hours (SMS only; email does not wake anyone): a Pending SMS row whose contact's local time is inside
/// <paramref name="quietHours"/> gets <see cref="DeliveryRecord.NotBefore"/> = the end of the quiet hours
/// (<see cref="QuietHours.Defer"/>); if the alert expires before then (less than a second left, the senders' rule), the row
/// is Skipped <c>Expired</c> instead — deferral never outlives the alert.
/// </para>
/// </summary>
public static class DeliveryPlanner
{
    public static IReadOnlyList<DeliveryRecord> Plan(
        AlertRecord alert, IEnumerable<ContactEntry> contacts, RecipientHasher hasher, Instant now, QuietHours? quietHours = null)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(contacts);
        ArgumentNullException.ThrowIfNull(hasher);
        var expired = alert.Event.IsExpiredAt(now);
        var rows = new Dictionary<string, DeliveryRecord>(StringComparer.Ordinal);
        foreach (var entry in contacts)
        {
            foreach (var channel in alert.Event.Channels)
            {
                var row = Build(alert.AlertId, entry, channel, hasher, expired, now);
                if (quietHours is not null && channel == Channel.Sms && row.Status == DeliveryStatus.Pending)
                {
                    row = ApplyQuietHours(row, quietHours, entry.Contact.TimeZone, alert.Event.ExpiresAt, now);
                }

                rows.TryAdd(row.Key.Value, row);
            }
        }

        return [.. rows.Values];
    }

    private static DeliveryRecord Build(AlertId alertId, ContactEntry entry, Channel channel, RecipientHasher hasher, bool expired, Instant now)
    {
        var contact = entry.Contact;
        var unusable = channel == Channel.Sms && entry.InvalidPhone is not null ? SkipReason.InvalidNumber
            : !contact.HasAddress(channel) ? SkipReason.NoAddress
            : (SkipReason?)null;
        var recipient = unusable is null
            ? hasher.HashFor(contact, channel)!
            : hasher.HashListing(contact.UnionId, contact.BranchId, contact.ContactId);
        var skip = unusable ?? (expired ? SkipReason.Expired : contact.CannotReceive(channel));
        return new DeliveryRecord
        {
            Key = new DeliveryKey(alertId, channel, recipient),
            Status = skip is null ? DeliveryStatus.Pending : DeliveryStatus.Skipped,
            SkipReason = skip,
            Contact = ContactRef.For(contact),
            Address = skip is null ? AddressOf(contact, channel) : null,
            Snapshot = skip is null ? ContactSnapshot.Of(contact) : null,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    /// <summary>
    /// The quiet-hours decision for one Pending SMS row: unchanged outside quiet hours; deferred (<c>NotBefore</c>) inside;
    /// Skipped <c>Expired</c> (address dropped) when the alert expires before the quiet hours end.
    /// </summary>
    public static DeliveryRecord ApplyQuietHours(DeliveryRecord row, QuietHours quietHours, TimeZoneId zone, Instant expiresAt, Instant now)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(quietHours);
        ArgumentNullException.ThrowIfNull(zone);
        // Senders skip a row with less than a second left, so a send instant must leave that second.
        return quietHours.Defer(now, zone.Zone, expiresAt - Duration.FromSeconds(1)) switch
        {
            DeferResult.Send { Deferred: true } send => row with { NotBefore = send.At },
            DeferResult.Expired => row with { Status = DeliveryStatus.Skipped, SkipReason = SkipReason.Expired, Address = null, Snapshot = null },
            _ => row,
        };
    }

    private static string AddressOf(Contact contact, Channel channel) =>
        channel == Channel.Sms ? contact.Phone!.E164 : contact.Email!.Value;

    /// <summary>The rows with the opted-out recipients among <paramref name="optedOut"/> turned into Skipped OptedOut (address dropped).</summary>
    public static IReadOnlyList<DeliveryRecord> ApplyOptOuts(IReadOnlyList<DeliveryRecord> rows, Func<DeliveryKey, bool> optedOut)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return rows
            .Select(r => r.Status == DeliveryStatus.Pending && optedOut(r.Key)
                ? r with { Status = DeliveryStatus.Skipped, SkipReason = SkipReason.OptedOut, Address = null, Snapshot = null }
                : r)
            .ToList();
    }
}
