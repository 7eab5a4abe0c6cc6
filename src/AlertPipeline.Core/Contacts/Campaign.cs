namespace AlertPipeline.Core.Contacts;

/// <summary>
/// A solidarity campaign that unions and branches subscribe to. <see cref="HelpContact"/> is the line sent in reply to
/// HELP/INFO (e.g. "Zhanaozen solidarity: help@example.org, +44 20 7946 0000"); <see cref="DefaultLanguage"/> is used
/// when there is no template in a contact's own language.
/// <para>
/// <see cref="OwnerUnionId"/> is the union that owns it: only its organisers change the campaign's schedules and only its
/// union-admin admits other unions (<see cref="CampaignRules"/>). Null for a campaign stored before campaigns had owners:
/// nobody may then change its schedules or admit a union (docs/domain.md). <see cref="IsOpen"/>: any union may subscribe
/// without an invitation.
/// </para>
/// </summary>
public sealed record Campaign
{
    public Campaign(CampaignId campaignId, string name, string helpContact, LanguageTag defaultLanguage)
    {
        CampaignId = campaignId;
        Name = name;
        HelpContact = helpContact;
        DefaultLanguage = defaultLanguage;
    }

    public CampaignId CampaignId { get; init => field = DisplayText.NotNull(value, nameof(CampaignId)); }

    public string Name { get; init => field = DisplayText.Require(value, nameof(Name)); }

    public string HelpContact { get; init => field = DisplayText.Require(value, nameof(HelpContact), 300); }

    public LanguageTag DefaultLanguage { get; init => field = DisplayText.NotNull(value, nameof(DefaultLanguage)); }

    public UnionId? OwnerUnionId { get; init; }

    public bool IsOpen { get; init; }
}
