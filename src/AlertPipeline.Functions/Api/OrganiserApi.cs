using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Ports;
using AlertPipeline.CustomHandler.Configuration;
using AlertPipeline.Functions.Hosting;
using AlertPipeline.Infrastructure.Api;

namespace AlertPipeline.Functions.Api;

/// <summary>
/// The organiser HTTP API's functions (docs/api.md): forwarded HTTP triggers under <c>/api/unions/{union}/…</c>, one
/// function per route (methods dispatched inside), each with its <c>functions/&lt;Name&gt;/function.json</c>.
/// </summary>
public static class OrganiserApi
{
    public static FunctionDefinition Keys { get; } = Define("ApiKeys", "unions/{union}/keys", "get", "post");
    public static FunctionDefinition Key { get; } = Define("ApiKey", "unions/{union}/keys/{keyId}", "delete");
    public static FunctionDefinition KeyRotate { get; } = Define("ApiKeyRotate", "unions/{union}/keys/{keyId}/rotate", "post");
    public static FunctionDefinition Branches { get; } = Define("ApiBranches", "unions/{union}/branches", "get", "post");
    public static FunctionDefinition Branch { get; } = Define("ApiBranch", "unions/{union}/branches/{branch}", "get", "delete");
    public static FunctionDefinition Contacts { get; } = Define("ApiContacts", "unions/{union}/branches/{branch}/contacts", "get", "post");
    public static FunctionDefinition Contact { get; } = Define("ApiContact", "unions/{union}/branches/{branch}/contacts/{contact}", "get", "put", "delete");
    public static FunctionDefinition ContactsImport { get; } = Define("ApiContactsImport", "unions/{union}/branches/{branch}/contacts:import", "post");
    public static FunctionDefinition Unions { get; } = Define("ApiUnions", "unions", "post");
    public static FunctionDefinition Campaigns { get; } = Define("ApiCampaigns", "campaigns", "get", "post");
    public static FunctionDefinition UnionCampaigns { get; } = Define("ApiUnionCampaigns", "unions/{union}/campaigns", "get");
    public static FunctionDefinition CampaignMembers { get; } = Define("ApiCampaignMembers", "unions/{union}/campaigns/{campaign}/members", "get");
    public static FunctionDefinition CampaignMember { get; } = Define("ApiCampaignMember", "unions/{union}/campaigns/{campaign}/members/{member}", "put", "delete");
    public static FunctionDefinition CampaignMembership { get; } = Define("ApiCampaignMembership", "unions/{union}/campaigns/{campaign}/membership", "put", "delete");
    public static FunctionDefinition CampaignOpen { get; } = Define("ApiCampaignOpen", "unions/{union}/campaigns/{campaign}/open", "put", "delete");
    public static FunctionDefinition Subscriptions { get; } = Define("ApiSubscriptions", "unions/{union}/subscriptions", "get");
    public static FunctionDefinition Subscription { get; } = Define("ApiSubscription", "unions/{union}/subscriptions/{campaign}", "put", "delete");
    public static FunctionDefinition BranchSubscription { get; } = Define("ApiBranchSubscription", "unions/{union}/branches/{branch}/subscriptions/{campaign}", "put", "delete");
    public static FunctionDefinition Schedules { get; } = Define("ApiSchedules", "unions/{union}/campaigns/{campaign}/schedules", "get", "post");
    public static FunctionDefinition Schedule { get; } = Define("ApiSchedule", "unions/{union}/campaigns/{campaign}/schedules/{schedule}", "get");
    public static FunctionDefinition SchedulePostpone { get; } = Define("ApiSchedulePostpone", "unions/{union}/campaigns/{campaign}/schedules/{schedule}:postpone", "post");
    public static FunctionDefinition ScheduleCancel { get; } = Define("ApiScheduleCancel", "unions/{union}/campaigns/{campaign}/schedules/{schedule}:cancel", "post");
    public static FunctionDefinition Alerts { get; } = Define("ApiAlerts", "unions/{union}/campaigns/{campaign}/alerts", "post");
    public static FunctionDefinition ContactErase { get; } = Define("ApiContactErase", "unions/{union}/branches/{branch}/contacts/{contact}:erase", "post");
    public static FunctionDefinition Preview { get; } = Define("ApiPreview", "unions/{union}/campaigns/{campaign}/preview", "post");
    public static FunctionDefinition AlertReport { get; } = Define("ApiAlertReport", "unions/{union}/alerts/{alertId}/report", "get");
    public static FunctionDefinition Audit { get; } = Define("ApiAudit", "unions/{union}/audit", "get");

    public static IReadOnlyList<FunctionRegistration> Registrations { get; } =
    [
        Register(Keys, KeyEndpoints.KeysAsync),
        Register(Key, KeyEndpoints.RevokeAsync),
        Register(KeyRotate, KeyEndpoints.RotateAsync),
        Register(Branches, BranchEndpoints.BranchesAsync),
        Register(Branch, BranchEndpoints.BranchAsync),
        Register(Contacts, ContactEndpoints.ContactsAsync),
        Register(Contact, ContactEndpoints.ContactAsync),
        Register(ContactsImport, ContactEndpoints.ImportAsync),
        Register(Unions, AdminEndpoints.UnionsAsync),
        Register(Campaigns, AdminEndpoints.CampaignsAsync),
        Register(UnionCampaigns, SubscriptionEndpoints.UnionCampaignsAsync),
        Register(CampaignMembers, CampaignMemberEndpoints.MembersAsync),
        Register(CampaignMember, CampaignMemberEndpoints.MemberAsync),
        Register(CampaignMembership, CampaignMemberEndpoints.MembershipAsync),
        Register(CampaignOpen, CampaignMemberEndpoints.OpenAsync),
        Register(Subscriptions, SubscriptionEndpoints.SubscriptionsAsync),
        Register(Subscription, SubscriptionEndpoints.SubscriptionAsync),
        Register(BranchSubscription, SubscriptionEndpoints.BranchSubscriptionAsync),
        Register(Schedules, ScheduleEndpoints.SchedulesAsync),
        Register(Schedule, ScheduleEndpoints.ScheduleAsync),
        Register(SchedulePostpone, ScheduleEndpoints.PostponeAsync),
        Register(ScheduleCancel, ScheduleEndpoints.CancelAsync),
        Register(Alerts, AlertEndpoints.SendNowAsync),
        Register(ContactErase, ContactEraseEndpoints.EraseAsync),
        Register(Preview, PreviewEndpoints.PreviewAsync),
        Register(AlertReport, AlertReportEndpoints.ReportAsync),
        Register(Audit, AuditEndpoints.AuditAsync),
    ];

    private static FunctionDefinition Define(string name, string route, params string[] methods) =>
        new(name, [new HttpTriggerBinding("req", route, methods, HttpAuthLevels.Anonymous), new HttpOutputBinding("res")]);

    private static FunctionRegistration Register(FunctionDefinition definition, Delegate handler) =>
        FunctionRegistration.Http(definition, endpoints => endpoints.MapHttpFunction(definition, handler));
}

internal static class KeyEndpoints
{
    public sealed record KeyBody(string? Role);

    public sealed record KeyView(string KeyId, string Key, string UnionId, string Role, DateTimeOffset CreatedAt, string? Replaces = null);

    /// <summary>A key as listed: never the key itself nor its hash.</summary>
    public sealed record KeyListItem(string KeyId, string Role, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, string? ReplacedBy);

    public static Task<IResult> KeysAsync(HttpContext context, string union, ApiGate gate, ApiKeyService keys, ApiOptions options) =>
        gate.RunAsync(context, union, ApiAccess.UnionAdminOrBootstrap, string.Empty, async (unionId, _) =>
        {
            if (HttpMethods.IsGet(context.Request.Method))
            {
                var records = await keys.ListAsync(unionId, context.RequestAborted);
                return Results.Ok(new { items = records.Select(r => new KeyListItem(r.KeyId, r.Role.ToName(), r.CreatedAt, r.RevokedAt, r.ReplacedBy)) });
            }

            var (body, problem) = await ApiBodies.ReadJsonAsync<KeyBody>(context.Request, options.MaxBodyBytes, context.RequestAborted);
            if (problem is not null)
            {
                return problem;
            }

            if (!ApiRoles.TryParse(body!.Role, out var role))
            {
                return ApiProblems.Invalid("role", $"must be '{ApiRoles.UnionAdminName}' or '{ApiRoles.OrganiserName}'");
            }

            var created = await keys.CreateAsync(unionId, role, context.RequestAborted);
            context.Response.Headers.CacheControl = "no-store";
            return Results.Created($"/api/unions/{unionId}/keys/{created.Record.KeyId}", View(created));
        });

    public static Task<IResult> RevokeAsync(HttpContext context, string union, string keyId, ApiGate gate, ApiKeyService keys) =>
        gate.RunAsync(context, union, ApiAccess.UnionAdminOrBootstrap, $"key={Safe(keyId)}", async (unionId, _) =>
            await keys.RevokeAsync(unionId, keyId, context.RequestAborted) ? Results.NoContent() : ApiProblems.NotFound());

    public static Task<IResult> RotateAsync(HttpContext context, string union, string keyId, ApiGate gate, ApiKeyService keys) =>
        gate.RunAsync(context, union, ApiAccess.UnionAdminOrBootstrap, $"key={Safe(keyId)}", async (unionId, _) =>
        {
            var created = await keys.RotateAsync(unionId, keyId, context.RequestAborted);
            if (created is null)
            {
                return ApiProblems.NotFound();
            }

            context.Response.Headers.CacheControl = "no-store";
            return Results.Created($"/api/unions/{unionId}/keys/{created.Record.KeyId}", View(created) with { Replaces = keyId });
        });

    private static KeyView View(CreatedApiKey created) =>
        new(created.Record.KeyId, created.Secret, created.Record.UnionId.Value, created.Record.Role.ToName(), created.Record.CreatedAt);

    internal static string Safe(string value) => value.Length <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') ? value : "(invalid)";
}

internal static class BranchEndpoints
{
    public sealed record BranchBody(string? BranchId, string? Name);

    public sealed record BranchView(string BranchId, string Name);

    public static Task<IResult> BranchesAsync(HttpContext context, string union, ApiGate gate, MembershipAdmin membership, ApiOptions options) =>
        gate.RunAsync(context, union, ApiAccess.UnionAdmin, string.Empty, async (unionId, _) =>
        {
            if (HttpMethods.IsGet(context.Request.Method))
            {
                var branches = await membership.GetBranchesAsync(unionId, context.RequestAborted);
                return Results.Ok(new { items = branches.Select(b => new BranchView(b.BranchId.Value, b.Name)) });
            }

            var (body, problem) = await ApiBodies.ReadJsonAsync<BranchBody>(context.Request, options.MaxBodyBytes, context.RequestAborted);
            if (problem is not null)
            {
                return problem;
            }

            var errors = new List<FieldError>();
            if (!BranchId.TryParse(body!.BranchId, out var branchId, out var idError))
            {
                errors.Add(new("branchId", body.BranchId is null ? "is required" : idError));
            }

            if (string.IsNullOrWhiteSpace(body.Name))
            {
                errors.Add(new("name", "is required"));
            }
            else if (ContactFields.NameProblem(body.Name.Trim()) is { } nameProblem)
            {
                errors.Add(new("name", nameProblem));
            }

            if (errors.Count > 0)
            {
                return ApiProblems.Invalid(errors);
            }

            var outcome = await membership.AddBranchAsync(new Branch(unionId, branchId!, body.Name!.Trim()), context.RequestAborted);
            return outcome == WriteOutcome.AlreadyExists
                ? ApiProblems.Conflict($"Branch '{branchId}' already exists.")
                : Results.Created($"/api/unions/{unionId}/branches/{branchId}", new BranchView(branchId!.Value, body.Name.Trim()));
        });

    public static Task<IResult> BranchAsync(HttpContext context, string union, string branch, ApiGate gate, MembershipAdmin membership) =>
        gate.RunAsync(context, union, ApiAccess.UnionAdmin, $"branch={KeyEndpoints.Safe(branch)}", async (unionId, _) =>
        {
            if (!BranchId.TryParse(branch, out var branchId))
            {
                return ApiProblems.NotFound();
            }

            if (HttpMethods.IsGet(context.Request.Method))
            {
                var found = await membership.GetBranchAsync(unionId, branchId, context.RequestAborted);
                return found is null ? ApiProblems.NotFound() : Results.Ok(new BranchView(found.BranchId.Value, found.Name));
            }

            return await membership.DeleteBranchAsync(unionId, branchId, context.RequestAborted) switch
            {
                WriteOutcome.Done => Results.NoContent(),
                WriteOutcome.NotEmpty => ApiProblems.Conflict($"Branch '{branchId}' still has contacts; delete them first."),
                _ => ApiProblems.NotFound(),
            };
        });
}

internal static class ContactEndpoints
{
    public const string CsvMediaType = "text/csv";

    public sealed record ContactBody(
        string? ContactId, string? Name, string? Phone, string? Email, string? Language, string? TimeZone, bool? SmsConsent, bool? EmailConsent);

    public sealed record ContactView(
        string ContactId, string Name, string? Phone, string? PhoneError, string? Email, string Language, string TimeZone,
        bool SmsConsent, bool EmailConsent, DateTimeOffset? SmsOptedOutAt, DateTimeOffset? EmailOptedOutAt);

    public sealed record ImportReport(int Imported, int Rejected, IReadOnlyList<ImportLineError> Errors);

    public sealed record ImportLineError(int Line, string Field, string Message);

    public static Task<IResult> ContactsAsync(HttpContext context, string union, string branch, ApiGate gate, MembershipAdmin membership, ApiOptions options) =>
        gate.RunAsync(context, union, ApiAccess.UnionAdmin, $"branch={KeyEndpoints.Safe(branch)}", async (unionId, _) =>
        {
            if (await FindBranchAsync(membership, unionId, branch, context.RequestAborted) is not { } branchId)
            {
                return ApiProblems.NotFound();
            }

            if (HttpMethods.IsGet(context.Request.Method))
            {
                var query = context.Request.Query;
                var pageSize = 100;
                if (query.ContainsKey("pageSize") && (!int.TryParse(query["pageSize"], out pageSize) || pageSize is < 1 or > 1000))
                {
                    return ApiProblems.Invalid("pageSize", "must be a whole number from 1 to 1000");
                }

                var token = query["continuationToken"].ToString();
                var page = await membership.GetContactsPageAsync(unionId, branchId, pageSize, token.Length == 0 ? null : token, context.RequestAborted);
                return Results.Ok(new { items = page.Contacts.Select(View), continuationToken = page.ContinuationToken });
            }

            var (entry, problem) = await ReadContactAsync(context, unionId, branchId, options, routeContact: null);
            if (problem is not null)
            {
                return problem;
            }

            return await membership.AddContactAsync(entry!, context.RequestAborted) == WriteOutcome.AlreadyExists
                ? ApiProblems.Conflict($"Contact '{entry!.Contact.ContactId}' already exists in this branch.")
                : Results.Created($"/api/unions/{unionId}/branches/{branchId}/contacts/{entry!.Contact.ContactId}", View(entry));
        });

    public static Task<IResult> ContactAsync(
        HttpContext context, string union, string branch, string contact, ApiGate gate, MembershipAdmin membership, ApiOptions options) =>
        gate.RunAsync(context, union, ApiAccess.UnionAdmin, $"branch={KeyEndpoints.Safe(branch)} contact={KeyEndpoints.Safe(contact)}", async (unionId, _) =>
        {
            if (await FindBranchAsync(membership, unionId, branch, context.RequestAborted) is not { } branchId
                || !ContactId.TryParse(contact, out var contactId))
            {
                return ApiProblems.NotFound();
            }

            if (HttpMethods.IsDelete(context.Request.Method))
            {
                return await membership.DeleteContactAsync(unionId, branchId, contactId, context.RequestAborted) == WriteOutcome.Done
                    ? Results.NoContent()
                    : ApiProblems.NotFound();
            }

            var existing = await membership.GetContactAsync(unionId, branchId, contactId, context.RequestAborted);
            if (existing is null)
            {
                return ApiProblems.NotFound();
            }

            if (HttpMethods.IsGet(context.Request.Method))
            {
                return Results.Ok(View(existing));
            }

            var (entry, problem) = await ReadContactAsync(context, unionId, branchId, options, contactId);
            if (problem is not null)
            {
                return problem;
            }

            // The union's own opt-out records are kept: an edit never re-subscribes anyone.
            var replaced = entry! with { Contact = entry.Contact with { OptOut = existing.Contact.OptOut } };
            return await membership.ReplaceContactAsync(replaced, context.RequestAborted) == WriteOutcome.Done
                ? Results.Ok(View(replaced))
                : ApiProblems.NotFound();
        });

    public static Task<IResult> ImportAsync(HttpContext context, string union, string branch, ApiGate gate, MembershipAdmin membership, ApiOptions options) =>
        gate.RunAsync(context, union, ApiAccess.UnionAdmin, $"branch={KeyEndpoints.Safe(branch)} import", async (unionId, _) =>
        {
            if (await FindBranchAsync(membership, unionId, branch, context.RequestAborted) is not { } branchId)
            {
                return ApiProblems.NotFound();
            }

            if (!(context.Request.ContentType ?? string.Empty).StartsWith(CsvMediaType, StringComparison.OrdinalIgnoreCase))
            {
                return ApiProblems.UnsupportedMediaType(CsvMediaType);
            }

            var (body, problem) = await ApiBodies.ReadAsync(context.Request, options.MaxImportBytes, context.RequestAborted);
            if (problem is not null)
            {
                return problem;
            }

            var parsed = ContactCsv.Read(body!, unionId, branchId);
            if (parsed.FileError is { } fileError)
            {
                return ApiProblems.Invalid([fileError]);
            }

            await membership.ImportContactsAsync(parsed.Contacts, context.RequestAborted);
            var errors = parsed.Errors.Select(e => new ImportLineError(e.Line, e.Field, e.Message)).ToList();
            return Results.Ok(new ImportReport(parsed.Contacts.Count, errors.Select(e => e.Line).Distinct().Count(), errors));
        });

    private static async Task<BranchId?> FindBranchAsync(MembershipAdmin membership, UnionId unionId, string branch, CancellationToken cancellationToken) =>
        BranchId.TryParse(branch, out var branchId) && await membership.GetBranchAsync(unionId, branchId, cancellationToken) is not null ? branchId : null;

    private static async Task<(ContactEntry? Entry, IResult? Problem)> ReadContactAsync(
        HttpContext context, UnionId unionId, BranchId branchId, ApiOptions options, ContactId? routeContact)
    {
        var (body, problem) = await ApiBodies.ReadJsonAsync<ContactBody>(context.Request, options.MaxBodyBytes, context.RequestAborted);
        if (problem is not null)
        {
            return (null, problem);
        }

        if (routeContact is not null && body!.ContactId is not null && body.ContactId != routeContact.Value)
        {
            return (null, ApiProblems.Invalid("contactId", "differs from the contact in the URL"));
        }

        var input = new ContactInput(
            routeContact?.Value ?? body!.ContactId, body!.Name, body.Phone, body.Email, body.Language, body.TimeZone, body.SmsConsent, body.EmailConsent);
        var errors = new List<FieldError>();
        var entry = ContactFields.Validate(unionId, branchId, input, errors);
        return entry is null ? (null, ApiProblems.Invalid(errors)) : (entry, null);
    }

    private static ContactView View(ContactEntry entry)
    {
        var c = entry.Contact;
        return new(
            c.ContactId.Value, c.Name, c.Phone?.E164, entry.InvalidPhone?.ToString(), c.Email?.Value, c.Language.Value, c.TimeZone.Id,
            c.Consent.Sms, c.Consent.Email, c.OptOut.SmsOptedOutAt?.ToDateTimeOffset(), c.OptOut.EmailOptedOutAt?.ToDateTimeOffset());
    }
}
