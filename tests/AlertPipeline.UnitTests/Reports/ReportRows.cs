using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using NodaTime;

namespace AlertPipeline.UnitTests.Reports;

/// <summary>Delivery rows for report and erasure tests.</summary>
internal static class ReportRows
{
    public static readonly AlertId AlertId = AlertId.Parse("75774197e5449172989a88db2b6df47f");
    public static readonly Instant Created = Instant.FromUtc(2025, 12, 9, 6, 0);
    public static readonly UnionId Union = UnionId.Parse("kz-oil");
    private static readonly RecipientHasher Hasher = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    public static DeliveryRecord Row(
        string contact, Channel channel, DeliveryStatus status, SkipReason? skip = null, FailureReason? failure = null, string? errorCode = null,
        string? address = null, int? segments = null, UnionId? union = null) => new()
    {
        Key = new DeliveryKey(AlertId, channel, Hasher.HashListing(union ?? Union, BranchId.Parse("aqtau"), ContactId.Parse(contact))),
        Status = status,
        SkipReason = skip,
        FailureReason = failure,
        ErrorCode = errorCode,
        Contact = new ContactRef(union ?? Union, BranchId.Parse("aqtau"), ContactId.Parse(contact)),
        Address = address,
        Segments = segments,
        CreatedAt = Created,
        UpdatedAt = Created,
    };

    public static RecipientHash Hash(string input) => Hasher.HashListing(Union, BranchId.Parse("x"), ContactId.Parse(input));
}
