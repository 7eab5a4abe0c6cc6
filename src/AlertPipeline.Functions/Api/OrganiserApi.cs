using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Ports;
using AlertPipeline.Functions.Hosting;
using AlertPipeline.Infrastructure.Api;
using AlertPipeline.Infrastructure.Imports;

namespace AlertPipeline.Functions.Api;

/// <summary>
/// The organiser HTTP API (docs/api.md): one HTTP function per route (methods dispatched inside) under
/// <c>/api/unions/{union}/…</c>. Each entry names the function, its route and methods (the <c>[HttpTrigger]</c> of its
/// <c>[Function]</c> in OrganiserApiFunctions.cs says the same, checked against the built functions.metadata) and the
/// handler both the function and the in-process test server call.
/// </summary>
public static class OrganiserApi
{
    public const string KeysRoute = "unions/{union}/keys";
    public const string KeyRoute = "unions/{union}/keys/{keyId}";
    public const string KeyRotateRoute = "unions/{union}/keys/{keyId}/rotate";
    public const string BranchesRoute = "unions/{union}/branches";
    public const string BranchRoute = "unions/{union}/branches/{branch}";
    public const string ContactsRoute = "unions/{union}/branches/{branch}/contacts";
    public const string ContactRoute = "unions/{union}/branches/{branch}/contacts/{contact}";
    public const string ContactsImportRoute = "unions/{union}/branches/{branch}/contacts:import";
    public const string UnionsRoute = "unions";
    public const string CampaignsRoute = "campaigns";
    public const string UnionCampaignsRoute = "unions/{union}/campaigns";
    public const string CampaignMembersRoute = "unions/{union}/campaigns/{campaign}/members";
    public const string CampaignMemberRoute = "unions/{union}/campaigns/{campaign}/members/{member}";
    public const string CampaignMembershipRoute = "unions/{union}/campaigns/{campaign}/membership";
    public const string CampaignOpenRoute = "unions/{union}/campaigns/{campaign}/open";
    public const string SubscriptionsRoute = "unions/{union}/subscriptions";
    public const string SubscriptionRoute = "unions/{union}/subscriptions/{campaign}";
    public const string BranchSubscriptionRoute = "unions/{union}/branches/{branch}/subscriptions/{campaign}";
    public const string SchedulesRoute = "unions/{union}/campaigns/{campaign}/schedules";
    public const string ScheduleRoute = "unions/{union}/campaigns/{campaign}/schedules/{schedule}";
    public const string SchedulePostponeRoute = "unions/{union}/campaigns/{campaign}/schedules/{schedule}:postpone";
    public const string ScheduleCancelRoute = "unions/{union}/campaigns/{campaign}/schedules/{schedule}:cancel";
    public const string AlertsRoute = "unions/{union}/campaigns/{campaign}/alerts";
    public const string ContactEraseRoute = "unions/{union}/branches/{branch}/contacts/{contact}:erase";
    public const string PreviewRoute = "unions/{union}/campaigns/{campaign}/preview";
    public const string AlertReportRoute = "unions/{union}/alerts/{alertId}/report";
    public const string FanOutRedriveRoute = "unions/{union}/alerts/{alertId}/fanout/redrive";
    public const string AuditRoute = "unions/{union}/audit";
    public const string ImportJobsRoute = "unions/{union}/imports";
    public const string ImportJobRoute = "unions/{union}/imports/{jobId}";

    public static HttpEndpoint Keys { get; } = new("ApiKeys", KeysRoute, ["GET", "POST"], KeyEndpoints.KeysAsync);
    public static HttpEndpoint Key { get; } = new("ApiKey", KeyRoute, ["DELETE"], KeyEndpoints.RevokeAsync);
    public static HttpEndpoint KeyRotate { get; } = new("ApiKeyRotate", KeyRotateRoute, ["POST"], KeyEndpoints.RotateAsync);
    public static HttpEndpoint Branches { get; } = new("ApiBranches", BranchesRoute, ["GET", "POST"], BranchEndpoints.BranchesAsync);
    public static HttpEndpoint Branch { get; } = new("ApiBranch", BranchRoute, ["GET", "DELETE"], BranchEndpoints.BranchAsync);
    public static HttpEndpoint Contacts { get; } = new("ApiContacts", ContactsRoute, ["GET", "POST"], ContactEndpoints.ContactsAsync);
    public static HttpEndpoint Contact { get; } = new("ApiContact", ContactRoute, ["GET", "PUT", "DELETE"], ContactEndpoints.ContactAsync);
    public static HttpEndpoint ContactsImport { get; } = new("ApiContactsImport", ContactsImportRoute, ["POST"], ContactEndpoints.ImportAsync);
    public static HttpEndpoint Unions { get; } = new("ApiUnions", UnionsRoute, ["POST"], AdminEndpoints.UnionsAsync);
    public static HttpEndpoint Campaigns { get; } = new("ApiCampaigns", CampaignsRoute, ["GET", "POST"], AdminEndpoints.CampaignsAsync);
    public static HttpEndpoint UnionCampaigns { get; } = new("ApiUnionCampaigns", UnionCampaignsRoute, ["GET"], SubscriptionEndpoints.UnionCampaignsAsync);
    public static HttpEndpoint CampaignMembers { get; } = new("ApiCampaignMembers", CampaignMembersRoute, ["GET"], CampaignMemberEndpoints.MembersAsync);
    public static HttpEndpoint CampaignMember { get; } = new("ApiCampaignMember", CampaignMemberRoute, ["PUT", "DELETE"], CampaignMemberEndpoints.MemberAsync);
    public static HttpEndpoint CampaignMembership { get; } = new("ApiCampaignMembership", CampaignMembershipRoute, ["PUT", "DELETE"], CampaignMemberEndpoints.MembershipAsync);
    public static HttpEndpoint CampaignOpen { get; } = new("ApiCampaignOpen", CampaignOpenRoute, ["PUT", "DELETE"], CampaignMemberEndpoints.OpenAsync);
    public static HttpEndpoint Subscriptions { get; } = new("ApiSubscriptions", SubscriptionsRoute, ["GET"], SubscriptionEndpoints.SubscriptionsAsync);
    public static HttpEndpoint Subscription { get; } = new("ApiSubscription", SubscriptionRoute, ["PUT", "DELETE"], SubscriptionEndpoints.SubscriptionAsync);
    public static HttpEndpoint BranchSubscription { get; } = new("ApiBranchSubscription", BranchSubscriptionRoute, ["PUT", "DELETE"], SubscriptionEndpoints.BranchSubscriptionAsync);
    public static HttpEndpoint Schedules { get; } = new("ApiSchedules", SchedulesRoute, ["GET", "POST"], ScheduleEndpoints.SchedulesAsync);
    public static HttpEndpoint Schedule { get; } = new("ApiSchedule", ScheduleRoute, ["GET"], ScheduleEndpoints.ScheduleAsync);
    public static HttpEndpoint SchedulePostpone { get; } = new("ApiSchedulePostpone", SchedulePostponeRoute, ["POST"], ScheduleEndpoints.PostponeAsync);
    public static HttpEndpoint ScheduleCancel { get; } = new("ApiScheduleCancel", ScheduleCancelRoute, ["POST"], ScheduleEndpoints.CancelAsync);
    public static HttpEndpoint Alerts { get; } = new("ApiAlerts", AlertsRoute, ["POST"], AlertEndpoints.SendNowAsync);
    public static HttpEndpoint ContactErase { get; } = new("ApiContactErase", ContactEraseRoute, ["POST"], ContactEraseEndpoints.EraseAsync);
    public static HttpEndpoint Preview { get; } = new("ApiPreview", PreviewRoute, ["POST"], PreviewEndpoints.PreviewAsync);
    public static HttpEndpoint AlertReport { get; } = new("ApiAlertReport", AlertReportRoute, ["GET"], AlertReportEndpoints.ReportAsync);
    public static HttpEndpoint FanOutRedrive { get; } = new("ApiFanOutRedrive", FanOutRedriveRoute, ["POST"], AlertReportEndpoints.RedriveFanOutAsync);
    public static HttpEndpoint Audit { get; } = new("ApiAudit", AuditRoute, ["GET"], AuditEndpoints.AuditAsync);
    public static HttpEndpoint ImportJobs { get; } = new("ApiImportJobs", ImportJobsRoute, ["GET"], ImportJobEndpoints.JobsAsync);
    public static HttpEndpoint ImportJob { get; } = new("ApiImportJob", ImportJobRoute, ["GET"], ImportJobEndpoints.JobAsync);

    public static IReadOnlyList<HttpEndpoint> Endpoints { get; } =
    [
        Keys,
        Key,
        KeyRotate,
        Branches,
        Branch,
        Contacts,
        Contact,
        ContactsImport,
        Unions,
        Campaigns,
        UnionCampaigns,
        CampaignMembers,
        CampaignMember,
        CampaignMembership,
        CampaignOpen,
        Subscriptions,
        Subscription,
        BranchSubscription,
        Schedules,
        Schedule,
        SchedulePostpone,
        ScheduleCancel,
        Alerts,
        ContactErase,
        Preview,
        AlertReport,
        FanOutRedrive,
        Audit,
        ImportJobs,
        ImportJob,
    ];
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
            var rotated = await keys.RotateAsync(unionId, keyId, context.RequestAborted);
            switch (rotated.Outcome)
            {
                case RotationOutcome.NotFound:
                    return ApiProblems.NotFound();
                case RotationOutcome.Revoked:
                    return ApiProblems.Conflict($"Key '{keyId}' is revoked (or was just rotated or revoked by another request); nothing was created. Create a new key instead.");
            }

            context.Response.Headers.CacheControl = "no-store";
            return Results.Created($"/api/unions/{unionId}/keys/{rotated.Created!.Record.KeyId}", View(rotated.Created) with { Replaces = keyId });
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

    private static readonly string ImportBodyRequired = "is required: a text/csv file whose first line is the header " + string.Join(',', ContactCsv.Columns);

    public sealed record ContactBody(
        string? ContactId, string? Name, string? Phone, string? Email, string? Language, string? TimeZone, bool? SmsConsent, bool? EmailConsent);

    public sealed record ContactView(
        string ContactId, string Name, string? Phone, string? PhoneError, string? Email, string Language, string TimeZone,
        bool SmsConsent, bool EmailConsent, DateTimeOffset? SmsOptedOutAt, DateTimeOffset? EmailOptedOutAt);

    public sealed record ImportReport(int Imported, int Rejected, IReadOnlyList<ImportLineError> Errors)
    {
        /// <summary>Lines imported with a change (e.g. an extension dropped from the phone number), by line and field.</summary>
        public IReadOnlyList<ImportLineError> Warnings { get; init; } = [];
    }

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
                ContactPage page;
                try
                {
                    page = await membership.GetContactsPageAsync(unionId, branchId, pageSize, token.Length == 0 ? null : token, context.RequestAborted);
                }
                catch (ArgumentException)
                {
                    return ApiProblems.Invalid("continuationToken", "is not a token this API issued (pass back the continuationToken of the previous page, or none to start)");
                }

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

    public static Task<IResult> ImportAsync(
        HttpContext context, string union, string branch, ApiGate gate, MembershipAdmin membership, ApiOptions options, ContactImportJobs jobs, ImportJobOptions jobOptions) =>
        gate.RunAsync(context, union, ApiAccess.UnionAdmin, $"branch={KeyEndpoints.Safe(branch)} import", bodyLimit: (options.MaxImportBytes, RequestLimits.ImportSetting), action: async (unionId, caller) =>
        {
            if (await FindBranchAsync(membership, unionId, branch, context.RequestAborted) is not { } branchId)
            {
                return ApiProblems.NotFound();
            }

            // No body at all is a 400 whatever the media type says (a body without a media type stays a 415).
            var mediaType = context.Request.ContentType ?? string.Empty;
            if (context.Request.ContentLength != 0 && mediaType.Length > 0 && !mediaType.StartsWith(CsvMediaType, StringComparison.OrdinalIgnoreCase))
            {
                return ApiProblems.UnsupportedMediaType(CsvMediaType);
            }

            var (body, problem) = await ApiBodies.ReadAsync(context.Request, options.MaxImportBytes, context.RequestAborted, RequestLimits.ImportSetting);
            if (problem is not null)
            {
                return problem;
            }

            if (body!.Length == 0)
            {
                return ApiProblems.Invalid("body", ImportBodyRequired);
            }

            if (mediaType.Length == 0)
            {
                return ApiProblems.UnsupportedMediaType(CsvMediaType);
            }

            var parsed = ContactCsv.Read(body!, unionId, branchId);
            if (parsed.FileError is { } fileError)
            {
                return ApiProblems.Invalid([fileError]);
            }

            if (parsed.Lines > jobOptions.JobThresholdLines)
            {
                // Too long for one request: store it and let the ContactImport function work through it (docs/api.md "Import jobs").
                var (job, _) = await jobs.StartAsync(unionId, branchId, body, parsed.Lines, caller.Actor, context.RequestAborted);
                return Results.Accepted(ImportJobEndpoints.Location(job), ImportJobEndpoints.View(job, [], null));
            }

            await membership.ImportContactsAsync(parsed.Contacts, context.RequestAborted);
            var errors = parsed.Errors.Select(e => new ImportLineError(e.Line, e.Field, e.Message)).ToList();
            var warnings = parsed.Warnings.Select(w => new ImportLineError(w.Line, w.Field, w.Message)).ToList();
            return Results.Ok(new ImportReport(parsed.Contacts.Count, errors.Select(e => e.Line).Distinct().Count(), errors) { Warnings = warnings });
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
