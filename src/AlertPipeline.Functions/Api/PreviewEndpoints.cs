using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Messaging;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Functions.Hosting;
using AlertPipeline.Infrastructure.Api;

namespace AlertPipeline.Functions.Api;

/// <summary>
/// <c>POST /api/unions/{union}/campaigns/{campaign}/preview</c> (organiser): what a send-now of the body would do
/// (docs/api.md) — campaign-wide for the owner, the caller's own union for a subscriber. Reading stops
/// <see cref="ReportOptions.PreviewBudget"/> after the request's arrival; a request whose first reads (key, campaign, union) have
/// not come back <see cref="ReportOptions.AnswerWithin"/> after it answers 503 with <c>Retry-After</c>. Those come from the
/// worker's <see cref="ApiLookupCache"/> when this worker read them recently (<see cref="CampaignUse.Preview"/>).
/// </summary>
internal static class PreviewEndpoints
{
    public static Task<IResult> PreviewAsync(
        HttpContext context, string union, string campaign, ApiGate gate, ApiOptions options, CampaignAdmin campaigns,
        AudiencePreviewer previewer, SmsPricingOptions pricing, ReportOptions budgets, TimeProvider time) =>
        RequestArrival.AnswerByAsync(context, budgets.AnswerWithin, time, () => gate.RunForCampaignAsync(context, union, campaign, "preview", CampaignUse.Preview, async (unionId, found, _) =>
        {
            // The same event a send-now of this body would publish: a subscriber's is bound to its own union.
            var (alertEvent, problem) = await AlertEventBody.ReadForAsync(
                context.Request, found, unionId, options.MaxBodyBytes, NodaTime.Instant.FromDateTimeOffset(time.GetUtcNow()));
            if (problem is not null)
            {
                return problem;
            }

            var caller = await campaigns.GetUnionCachedAsync(unionId, context.RequestAborted);
            if (caller is null)
            {
                return ApiProblems.NotFound();
            }

            var preview = await previewer.PreviewAsync(alertEvent!, found.Campaign, caller, RequestArrival.Of(context, time), context.RequestAborted);
            return Results.Ok(View(preview, pricing));
        }));

    internal static object View(AudiencePreview preview, SmsPricingOptions pricing)
    {
        var segments = preview.Channels.Where(c => c.Channel == Channel.Sms).Sum(c => c.Segments);
        return new
        {
            alertId = preview.AlertId.Value,
            expired = preview.Expired,
            // The audience was read only in part within the preview budget: its counts and the cost are lower bounds.
            partial = preview.Partial,
            languages = preview.Languages.Select(l => new
            {
                language = l.Language.Value,
                recipients = preview.Channels.ToDictionary(
                    c => c.Channel.ToWireName(),
                    c => c.Languages.FirstOrDefault(x => x.Language == l.Language)?.Recipients ?? 0),
                sms = l.SmsText is { } text && l.Sms is { } sms
                    ? new { text, encoding = EncodingName(sms.Encoding), characters = sms.Characters, units = sms.Units, segments = sms.Segments }
                    : null,
                email = l.Email is { } email ? new { subject = email.Subject, body = email.Text, html = email.Html } : null,
                problem = l.Problem,
            }),
            audience = new
            {
                listings = preview.Listings,
                distinctRows = preview.DistinctRows,
                people = preview.People,
                branches = preview.Branches,
                branchesRead = preview.BranchesRead,
                branchesInAudience = preview.BranchesInAudience,
                channels = preview.Channels.Select(c => new
                {
                    channel = c.Channel.ToWireName(),
                    recipients = c.Recipients,
                    duplicates = c.Duplicates,
                    skipped = Reasons(c.Skipped),
                    segments = c.Segments,
                    languages = c.Languages.Select(l => new { language = l.Language.Value, recipients = l.Recipients, skipped = Reasons(l.Skipped), segments = l.Segments }),
                }),
            },
            cost = new
            {
                segments,
                pricePerSegment = pricing.SmsPricePerSegment,
                currency = pricing.SmsPriceCurrency,
                estimate = pricing.Estimate(segments),
            },
        };
    }

    internal static string EncodingName(SmsEncodingKind encoding) => encoding == SmsEncodingKind.Gsm7 ? "GSM-7" : "UCS-2";

    internal static Dictionary<string, int> Reasons(IReadOnlyDictionary<SkipReason, int> counts) =>
        counts.ToDictionary(c => CamelCase(c.Key.ToString()), c => c.Value);

    internal static string CamelCase(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
