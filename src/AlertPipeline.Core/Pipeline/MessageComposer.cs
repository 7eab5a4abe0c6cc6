using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Messaging;
using AlertPipeline.Core.Ports;

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// Renders one delivery's message: the contact's name, language and time zone as fan-out copied them onto the row
/// (<see cref="ContactSnapshot"/>; a row written before the snapshot existed reads the contact's current record instead),
/// their union, branch and the campaign, the template in the best language (<see cref="TemplateSelector"/>) and the
/// per-recipient variables. A contact deleted after fan-out still gets the message fanned out to them (as the address
/// on the row already meant); erasure (which scrubs the row) is how a person is removed from alerts in flight.
/// </summary>
public sealed class MessageComposer(IMembershipReader membership, PipelineLookups lookups)
{
    public async Task<Composition> ComposeAsync(DeliveryRecord row, AlertRecord alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(alert);
        if (row.Contact is not { } reference || row.Address is null)
        {
            return Composition.Skip(SkipReason.NoAddress, "the row names no contact or address");
        }

        // Rows fanned out since the snapshot existed carry what rendering needs; older rows read the contact as before.
        var contact = row.Snapshot is { } snapshot
            ? snapshot.ToContact(reference)
            : (await membership.GetContactAsync(reference.UnionId, reference.BranchId, reference.ContactId, cancellationToken).ConfigureAwait(false))?.Contact;
        var union = await lookups.GetUnionAsync(reference.UnionId, cancellationToken).ConfigureAwait(false);
        var branch = await lookups.GetBranchAsync(reference.UnionId, reference.BranchId, cancellationToken).ConfigureAwait(false);
        var campaign = await lookups.GetCampaignAsync(alert.Event.CampaignId, cancellationToken).ConfigureAwait(false);
        if (contact is null || union is null || branch is null || campaign is null)
        {
            return Composition.Skip(SkipReason.NoAddress, $"contact {reference} (or its union, branch or campaign) is no longer stored");
        }

        return Render(alert.Event, campaign, union, branch, contact, row.Channel);
    }

    /// <summary>
    /// The message for one contact on one channel (pure): the template in the best language (<see cref="TemplateSelector"/>)
    /// rendered with the per-recipient variables. The sender and the preview both use it, so they cannot disagree.
    /// </summary>
    public static Composition Render(AlertEvent alertEvent, Campaign campaign, Union union, Branch branch, Contact contact, Channel channel)
    {
        ArgumentNullException.ThrowIfNull(alertEvent);
        ArgumentNullException.ThrowIfNull(contact);
        var template = TemplateSelector.Select(alertEvent.Templates, contact.Language, campaign.DefaultLanguage);
        if (template is null || !template.Covers(channel))
        {
            return Composition.Skip(SkipReason.TemplateError, $"no {channel} template");
        }

        var variables = TemplateVariables.ForRecipient(alertEvent, campaign, union, branch, contact);
        var rendered = TemplateRenderer.Render(template, variables);
        return rendered.TryGetValue(out var message)
            ? new Composition(message, contact, campaign, null, null)
            : Composition.Skip(SkipReason.TemplateError, string.Join("; ", rendered.Errors));
    }
}

/// <summary>A rendered message for one contact, or why it cannot be sent (<see cref="SkipReason"/> set). <see cref="Problem"/> never holds personal data.</summary>
public sealed record Composition(RenderedMessage? Message, Contact? Contact, Campaign? Campaign, SkipReason? SkipReason, string? Problem)
{
    public static Composition Skip(SkipReason reason, string problem) => new(null, null, null, reason, problem);

    public override string ToString() => SkipReason is null ? "Composition { Rendered }" : $"Composition {{ SkipReason = {SkipReason}, Problem = {Problem} }}";
}
