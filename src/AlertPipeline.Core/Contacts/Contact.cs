using AlertPipeline.Core.Deliveries;

namespace AlertPipeline.Core.Contacts;

/// <summary>
/// A union member in one branch. A person listed in several branches or unions is several contacts; fan-out
/// de-duplicates them by recipient hash (see <c>Alerts.RecipientHasher</c>).
/// <para><see cref="ToString"/> prints ids only: names, numbers and addresses are personal data.</para>
/// </summary>
public sealed record Contact
{
    public required UnionId UnionId { get; init => field = DisplayText.NotNull(value, nameof(UnionId)); }

    public required BranchId BranchId { get; init => field = DisplayText.NotNull(value, nameof(BranchId)); }

    public required ContactId ContactId { get; init => field = DisplayText.NotNull(value, nameof(ContactId)); }

    public required string Name { get; init => field = DisplayText.Require(value, nameof(Name)); }

    public PhoneNumber? Phone { get; init; }

    public EmailAddress? Email { get; init; }

    public required LanguageTag Language { get; init => field = DisplayText.NotNull(value, nameof(Language)); }

    public required TimeZoneId TimeZone { get; init => field = DisplayText.NotNull(value, nameof(TimeZone)); }

    public Consent Consent { get; init => field = DisplayText.NotNull(value, nameof(Consent)); } = Consent.None;

    public OptOutState OptOut { get; init => field = DisplayText.NotNull(value, nameof(OptOut)); } = OptOutState.None;

    public bool HasAddress(Channel channel) => channel switch
    {
        Channel.Sms => Phone is not null,
        Channel.Email => Email is not null,
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "Unknown channel."),
    };

    /// <summary>
    /// Why this contact must not be messaged on <paramref name="channel"/>, or null when they may be. Checked in this
    /// order: no address (<see cref="SkipReason.NoAddress"/>), opted out (<see cref="SkipReason.OptedOut"/>), no consent
    /// (<see cref="SkipReason.NoConsent"/>).
    /// </summary>
    public SkipReason? CannotReceive(Channel channel) =>
        !HasAddress(channel) ? SkipReason.NoAddress
        : OptOut.IsOptedOut(channel) ? SkipReason.OptedOut
        : !Consent.For(channel) ? SkipReason.NoConsent
        : null;

    public override string ToString() => $"Contact {{ UnionId = {UnionId}, BranchId = {BranchId}, ContactId = {ContactId} }}";
}
