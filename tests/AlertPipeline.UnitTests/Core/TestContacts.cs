using AlertPipeline.Core.Contacts;

namespace AlertPipeline.UnitTests.Core;

/// <summary>Test data builders. Numbers are from Ofcom's drama range (07700 900xxx); addresses use example.org.</summary>
internal static class TestContacts
{
    public static Contact Contact() => new()
    {
        UnionId = UnionId.Parse("uk-unite"),
        BranchId = BranchId.Parse("london"),
        ContactId = ContactId.Parse("c-1"),
        Name = "Aigul",
        Phone = PhoneNumber.Parse("+447700900123"),
        Email = EmailAddress.Parse("aigul@example.org"),
        Language = LanguageTag.Parse("kk"),
        TimeZone = TimeZoneId.Parse("Europe/London"),
        Consent = Consent.All,
    };
}
