using AlertPipeline.Core.Contacts;
using AlertPipeline.Infrastructure.Api;

namespace AlertPipeline.Functions.Api;

/// <summary>
/// Bootstrap-admin endpoints that are not about one existing union: <c>POST /unions</c> (audited in the new union's
/// partition) and <c>GET/POST /campaigns</c> (writes audited in the <c>system</c> partition; a campaign is created for a
/// named existing owner union).
/// </summary>
internal static class AdminEndpoints
{
    public sealed record UnionBody(string? UnionId, string? Name);

    public sealed record UnionView(string UnionId, string Name);

    /// <param name="OwnerUnionId">The union that owns the campaign (required): its organisers alone change the schedules.</param>
    /// <param name="Open">Whether any union may subscribe without an invitation (default false).</param>
    public sealed record CampaignBody(string? CampaignId, string? Name, string? HelpContact, string? DefaultLanguage, string? OwnerUnionId = null, bool? Open = null);

    /// <param name="OwnerUnionId">Null only for a campaign stored before campaigns had owners (docs/domain.md).</param>
    public sealed record CampaignView(string CampaignId, string Name, string HelpContact, string DefaultLanguage, string? OwnerUnionId, bool Open);

    public static Task<IResult> UnionsAsync(HttpContext context, ApiGate gate, CampaignAdmin admin, ApiOptions options) =>
        gate.RunAdminAsync(context, async _ =>
        {
            var system = CampaignAdmin.SystemAuditPartition;
            var (body, problem) = await ApiBodies.ReadJsonAsync<UnionBody>(context.Request, options.MaxBodyBytes, context.RequestAborted);
            if (problem is not null)
            {
                return new AdminOutcome(problem, system, string.Empty);
            }

            var errors = new List<FieldError>();
            if (!UnionId.TryParse(body!.UnionId, out var unionId, out var idError))
            {
                errors.Add(new("unionId", body.UnionId is null ? "is required" : idError));
            }
            else if (unionId == system)
            {
                errors.Add(new("unionId", $"'{system}' is reserved"));
                unionId = null;
            }

            var name = Name(body.Name, "name", errors);
            var auditUnion = unionId ?? system;
            var targets = unionId is null ? string.Empty : $"union={unionId}";
            if (errors.Count > 0)
            {
                return new AdminOutcome(ApiProblems.Invalid(errors), auditUnion, targets);
            }

            var outcome = await admin.AddUnionAsync(new Union(unionId!, name!), context.RequestAborted);
            return new AdminOutcome(
                outcome == WriteOutcome.AlreadyExists
                    ? ApiProblems.Conflict($"Union '{unionId}' already exists.")
                    : Results.Created($"/api/unions/{unionId}", new UnionView(unionId!.Value, name!)),
                auditUnion,
                targets);
        });

    public static Task<IResult> CampaignsAsync(HttpContext context, ApiGate gate, CampaignAdmin admin, MembershipAdmin membership, ApiOptions options) =>
        gate.RunAdminAsync(context, async _ =>
        {
            var system = CampaignAdmin.SystemAuditPartition;
            if (HttpMethods.IsGet(context.Request.Method))
            {
                var campaigns = await admin.GetCampaignsAsync(context.RequestAborted);
                return new AdminOutcome(Results.Ok(new { items = campaigns.Select(View) }), system, string.Empty);
            }

            var (body, problem) = await ApiBodies.ReadJsonAsync<CampaignBody>(context.Request, options.MaxBodyBytes, context.RequestAborted);
            if (problem is not null)
            {
                return new AdminOutcome(problem, system, string.Empty);
            }

            var errors = new List<FieldError>();
            if (!CampaignId.TryParse(body!.CampaignId, out var campaignId, out var idError))
            {
                errors.Add(new("campaignId", body.CampaignId is null ? "is required" : idError));
            }
            else if (campaignId.Value.Contains(CampaignScheduleId.Separator, StringComparison.Ordinal))
            {
                // Event ids are {campaign}--{event} and {campaign}--{union}--{event}: a campaign id with '--' could collide.
                errors.Add(new("campaignId", $"must not contain '{CampaignScheduleId.Separator}' (it separates the campaign from event ids)"));
                campaignId = null;
            }

            UnionId? owner = null;
            if (body.OwnerUnionId is null)
            {
                errors.Add(new("ownerUnionId", "is required: the union whose organisers own the campaign's schedules"));
            }
            else if (!UnionId.TryParse(body.OwnerUnionId, out owner, out var ownerError))
            {
                errors.Add(new("ownerUnionId", ownerError));
            }
            else if (await membership.GetUnionAsync(owner, context.RequestAborted) is null)
            {
                errors.Add(new("ownerUnionId", $"no union '{owner}' exists (create it first)"));
                owner = null;
            }

            var name = Name(body.Name, "name", errors);
            var help = body.HelpContact?.Trim();
            if (string.IsNullOrEmpty(help))
            {
                errors.Add(new("helpContact", "is required (the line sent in reply to HELP)"));
            }
            else if (help.Length > 300 || help.Any(char.IsControl))
            {
                errors.Add(new("helpContact", "must be at most 300 characters, without control characters"));
            }

            LanguageTag? language = null;
            if (body.DefaultLanguage is null)
            {
                errors.Add(new("defaultLanguage", "is required (a language tag such as 'en' or 'kk')"));
            }
            else if (!LanguageTag.TryParse(body.DefaultLanguage, out language))
            {
                errors.Add(new("defaultLanguage", $"'{body.DefaultLanguage}' is not a language tag such as 'en' or 'kk'"));
            }

            var targets = campaignId is null ? string.Empty : $"campaign={campaignId}";
            if (errors.Count > 0)
            {
                return new AdminOutcome(ApiProblems.Invalid(errors), system, targets);
            }

            var campaign = new Campaign(campaignId!, name!, help!, language!) { OwnerUnionId = owner, IsOpen = body.Open ?? false };
            var outcome = await admin.AddCampaignAsync(campaign, context.RequestAborted);
            return new AdminOutcome(
                outcome == WriteOutcome.AlreadyExists
                    ? ApiProblems.Conflict($"Campaign '{campaignId}' already exists.")
                    : Results.Created($"/api/campaigns/{campaignId}", View(campaign)),
                system,
                targets);
        });

    private static CampaignView View(Campaign c) => new(c.CampaignId.Value, c.Name, c.HelpContact, c.DefaultLanguage.Value, c.OwnerUnionId?.Value, c.IsOpen);

    private static string? Name(string? value, string field, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(new(field, "is required"));
            return null;
        }

        if (ContactFields.NameProblem(value.Trim()) is { } problem)
        {
            errors.Add(new(field, problem));
            return null;
        }

        return value.Trim();
    }
}
