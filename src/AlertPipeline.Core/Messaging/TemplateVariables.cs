using AlertPipeline.Core.Common;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Events;
using NodaTime;
using NodaTime.Text;

namespace AlertPipeline.Core.Messaging;

/// <summary>
/// Variable names filled per recipient at fan-out time; an event's own variables may not use them.
/// </summary>
public static class TemplateVariables
{
    /// <summary>The contact's name.</summary>
    public const string Name = "name";

    /// <summary>The contact's union's name.</summary>
    public const string Union = "union";

    /// <summary>The contact's branch's name.</summary>
    public const string Branch = "branch";

    /// <summary>The campaign's name.</summary>
    public const string Campaign = "campaign";

    /// <summary>The occurrence's date in the contact's time zone.</summary>
    public const string Date = "date";

    /// <summary>The occurrence's time in the contact's time zone.</summary>
    public const string Time = "time";

    public static IReadOnlySet<string> PerRecipient { get; } =
        new HashSet<string>([Name, Union, Branch, Campaign, Date, Time], StringComparer.Ordinal);

    private static readonly LocalDatePattern EnglishDate = LocalDatePattern.CreateWithInvariantCulture("d MMMM yyyy");
    private static readonly LocalDatePattern NumericDate = LocalDatePattern.CreateWithInvariantCulture("dd'.'MM'.'yyyy");
    private static readonly LocalTimePattern TwentyFourHour = LocalTimePattern.CreateWithInvariantCulture("HH':'mm");

    /// <summary>
    /// The variables for one recipient: the event's own, plus <c>name</c>, <c>union</c>, <c>branch</c>, <c>campaign</c>,
    /// and <c>date</c>/<c>time</c> of the occurrence in the contact's time zone. Dates are <c>16 December 2025</c> for
    /// English and <c>16.12.2025</c> for every other language; times are 24-hour <c>11:00</c>. (Deterministic on any
    /// machine, with or without ICU data; a venue's own local time, if wanted, goes in an event variable.)
    /// Throws <see cref="ArgumentException"/> when the union, branch or contact do not belong together.
    /// </summary>
    public static ValueDictionary ForRecipient(AlertEvent alertEvent, Campaign campaign, Union union, Branch branch, Contact contact)
    {
        ArgumentNullException.ThrowIfNull(alertEvent);
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(union);
        ArgumentNullException.ThrowIfNull(branch);
        ArgumentNullException.ThrowIfNull(contact);
        if (contact.UnionId != union.UnionId || branch.UnionId != union.UnionId || contact.BranchId != branch.BranchId)
        {
            throw new ArgumentException("The contact, branch and union do not belong together.", nameof(contact));
        }

        if (campaign.CampaignId != alertEvent.CampaignId)
        {
            throw new ArgumentException("The campaign is not the event's campaign.", nameof(campaign));
        }

        var local = alertEvent.Occurrence.Instant.InZone(contact.TimeZone.Zone).LocalDateTime;
        var datePattern = contact.Language.Primary == "en" ? EnglishDate : NumericDate;
        return alertEvent.Variables.With(new Dictionary<string, string>
        {
            [Name] = contact.Name,
            [Union] = union.Name,
            [Branch] = branch.Name,
            [Campaign] = campaign.Name,
            [Date] = datePattern.Format(local.Date),
            [Time] = TwentyFourHour.Format(local.TimeOfDay),
        });
    }
}
