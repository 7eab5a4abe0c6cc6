using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Messaging;
using AlertPipeline.Core.Ports;

namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// What sending an alert event now would do, without storing or sending anything: the audience fan-out would reach
/// (<see cref="AudienceResolver"/>, then every branch's contacts page by page through the same
/// <see cref="DeliveryPagePlanner"/> fan-out uses), de-duplicated as the Deliveries row key de-duplicates
/// (<see cref="AudienceTally"/>), each recipient's message rendered as the sender renders it
/// (<see cref="MessageComposer.Render"/>) to count SMS segments, and one sample text per template language.
/// The audience is campaign-wide (the send is); only counts leave this class, never rows.
/// Reading stops when <see cref="ReportOptions.PreviewBudget"/> has passed since the request arrived (a read in flight is cancelled): the answer
/// then counts the pages read so far and says so (<see cref="AudiencePreview.Partial"/>); a page is counted whole or not at all.
/// </summary>
public sealed class AudiencePreviewer(
    IMembershipReader membership, AudienceResolver audience, PipelineLookups lookups, DeliveryPagePlanner planner, PipelineOptions options,
    ReportOptions budgets, TimeProvider time)
{
    /// <summary>The name used for <c>{{name}}</c> in the sample texts (a real member's name is never shown).</summary>
    public const string SampleName = "Sample Member";

    /// <param name="alertEvent">A valid event with inline templates.</param>
    /// <param name="campaign">The event's campaign.</param>
    /// <param name="caller">The previewing union: its name fills <c>{{union}}</c> in the samples.</param>
    /// <param name="arrivedAt">When the request arrived: reading stops <see cref="ReportOptions.PreviewBudget"/> after it
    /// (at once when that has passed already, e.g. the request's own first reads were slow).</param>
    public async Task<AudiencePreview> PreviewAsync(AlertEvent alertEvent, Campaign campaign, Union caller, DateTimeOffset arrivedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alertEvent);
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(caller);
        var now = time.Now();
        var alert = new AlertRecord(AlertId.For(alertEvent), alertEvent, now, alertEvent.IsExpiredAt(now));
        var tally = new AudienceTally(alertEvent.Channels);
        Branch? sampleBranch = null;
        int people = 0, reachedBranches = 0, branchesRead = 0, branchesInAudience = 0;
        var partial = false;
        var left = arrivedAt + budgets.PreviewBudget - time.GetUtcNow();
        using var budget = new CancellationTokenSource(left > TimeSpan.Zero ? left : Timeout.InfiniteTimeSpan, time);
        if (left <= TimeSpan.Zero)
        {
            await budget.CancelAsync().ConfigureAwait(false);
        }

        using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        try
        {
            var branches = await audience.ResolveAsync(alertEvent, reading.Token).ConfigureAwait(false);
            branchesInAudience = branches.Count;

            // The opt-outs as they are now, read once: asking per page would read most of them again for every page.
            var optOuts = await planner.ReadOptOutsAsync(alertEvent.Channels, reading.Token).ConfigureAwait(false);
            foreach (var reference in branches)
            {
                var union = await lookups.GetUnionAsync(reference.UnionId, reading.Token).ConfigureAwait(false);
                var branch = await lookups.GetBranchAsync(reference.UnionId, reference.BranchId, reading.Token).ConfigureAwait(false);
                if (union is null || branch is null)
                {
                    branchesRead++;
                    continue;
                }

                sampleBranch ??= branch.UnionId == caller.UnionId ? branch : null;
                var branchReached = false;
                string? token = null;
                do
                {
                    reading.Token.ThrowIfCancellationRequested();
                    var page = await membership.GetContactsPageAsync(reference.UnionId, reference.BranchId, options.FanOutPageSize, token, reading.Token).ConfigureAwait(false);
                    var planned = await planner.PlanAsync(alert, reference.UnionId, reference.BranchId, page.Contacts, now, options.QuietHoursWindow, optOuts, reading.Token).ConfigureAwait(false);
                    var reached = Count(tally, planned, alertEvent, campaign, union, branch);
                    people += reached;
                    if (reached > 0 && !branchReached)
                    {
                        branchReached = true;
                        reachedBranches++;
                    }

                    token = page.ContinuationToken;
                }
                while (token is not null);

                branchesRead++;
            }
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            partial = true;
        }

        var samples = alertEvent.Templates.Select(t => Sample(alertEvent, campaign, caller, sampleBranch, t)).ToList();
        return new AudiencePreview(alert.AlertId, alert.ExpiredOnArrival, tally.Listings, tally.DistinctRows, people, reachedBranches, tally.Build(), samples)
        {
            Partial = partial,
            BranchesRead = branchesRead,
            BranchesInAudience = branchesInAudience,
        };
    }

    /// <summary>Adds the page's rows to the tally; answers how many of its contacts get at least one message.</summary>
    private static int Count(AudienceTally tally, PlannedPage planned, AlertEvent alertEvent, Campaign campaign, Union union, Branch branch)
    {
        tally.AddListings(planned.Contacts.Count);
        var contacts = planned.Contacts.ToDictionary(c => c.Contact.ContactId);
        var reached = new HashSet<ContactId>();
        foreach (var row in planned.Rows)
        {
            if (!tally.IsNew(row))
            {
                continue;
            }

            var contact = contacts[row.Contact!.ContactId].Contact;
            var language = TemplateSelector.Select(alertEvent.Templates, contact.Language, campaign.DefaultLanguage)?.Language;
            if (row.Status != DeliveryStatus.Pending)
            {
                tally.AddSkipped(row.Channel, language, row.SkipReason ?? SkipReason.NoAddress);
                continue;
            }

            // The sender renders each message again from the contact; a row it could not render is skipped there.
            var composition = MessageComposer.Render(alertEvent, campaign, union, branch, contact, row.Channel);
            if (composition.Message is not { } message)
            {
                tally.AddSkipped(row.Channel, language, composition.SkipReason ?? SkipReason.TemplateError);
                continue;
            }

            var segments = row.Channel == Channel.Sms && message.Sms is { } sms ? SmsEncoder.Analyze(sms).Segments : 0;
            tally.AddRecipient(row.Channel, message.Language, segments);
            reached.Add(contact.ContactId);
        }

        return reached.Count;
    }

    private static LanguageSample Sample(AlertEvent alertEvent, Campaign campaign, Union caller, Branch? branch, MessageTemplate template)
    {
        // A made-up member of the caller's own union, reading in this template's language, in the occurrence's zone.
        branch ??= new Branch(caller.UnionId, BranchId.Parse("sample-branch"), "Sample Branch");
        var contact = new Contact
        {
            UnionId = caller.UnionId,
            BranchId = branch.BranchId,
            ContactId = ContactId.Parse("sample"),
            Name = SampleName,
            Language = template.Language,
            TimeZone = alertEvent.Occurrence.TimeZone,
        };
        var variables = TemplateVariables.ForRecipient(alertEvent, campaign, caller, branch, contact);
        var rendered = TemplateRenderer.Render(template, variables);
        if (!rendered.TryGetValue(out var message))
        {
            return new LanguageSample(template.Language, null, null, null, string.Join("; ", rendered.Errors));
        }

        return new LanguageSample(
            template.Language, message.Sms, message.Sms is { } sms ? SmsEncoder.Analyze(sms) : null, message.Email, null);
    }
}

/// <param name="Expired">The event's expiry has passed: a send now would store the alert and send nothing.</param>
/// <param name="Listings">Contacts read (a person listed in two branches counts twice here, once in the recipients).</param>
/// <param name="DistinctRows">Rows fan-out would store (all channels): what the de-duplication set held.</param>
/// <param name="People">Listings that get at least one message (a person reached on one channel through one listing and on
/// the other through another counts twice; one reached twice on the same channel counts once).</param>
/// <param name="Branches">Branches with at least one such listing.</param>
public sealed record AudiencePreview(
    AlertId AlertId, bool Expired, int Listings, int DistinctRows, int People, int Branches, IReadOnlyList<ChannelAudience> Channels, IReadOnlyList<LanguageSample> Languages)
{
    /// <summary>
    /// Reading stopped at the preview budget: every count covers only the branches and pages read so far (lower bounds;
    /// the send itself reaches everyone). False: exact.
    /// </summary>
    public bool Partial { get; init; }

    /// <summary>Branches of the audience read to their last page.</summary>
    public int BranchesRead { get; init; }

    /// <summary>Branches the audience resolved to (0 when the budget ran out before they were known).</summary>
    public int BranchesInAudience { get; init; }
}

/// <summary>One template language's texts, rendered for a made-up member (<see cref="AudiencePreviewer.SampleName"/>).</summary>
public sealed record LanguageSample(LanguageTag Language, string? SmsText, SmsAnalysis? Sms, RenderedEmail? Email, string? Problem);
