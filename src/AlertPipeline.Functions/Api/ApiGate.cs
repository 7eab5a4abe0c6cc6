using AlertPipeline.Core.Contacts;
using AlertPipeline.Infrastructure.Api;

namespace AlertPipeline.Functions.Api;

/// <summary>Who is calling: a union's key (its id and role), or the bootstrap admin (any union's keys).</summary>
public sealed record ApiCaller(string Actor, ApiRole? Role, bool IsAdmin)
{
    public string RoleName => IsAdmin ? "admin" : Role!.Value.ToName();
}

/// <summary>Which callers an endpoint admits.</summary>
public enum ApiAccess
{
    /// <summary>A <c>union-admin</c> key of the union in the route.</summary>
    UnionAdmin,

    /// <summary>A <c>union-admin</c> key of the union in the route, or the bootstrap admin secret (key management).</summary>
    UnionAdminOrBootstrap,

    /// <summary>An <c>organiser</c> key of the union in the route (events, schedules, sends, reports).</summary>
    Organiser,

    /// <summary>Any key (either role) of the union in the route.</summary>
    AnyKey,
}

/// <summary>What a campaign route does, for <see cref="ApiGate.RunForCampaignAsync"/>.</summary>
public enum CampaignUse
{
    /// <summary>Read schedules, preview, send now (audience bound by role), reports: the owner or a subscriber.</summary>
    Read,

    /// <summary>
    /// As <see cref="Read"/>, for a POST that only reads (the preview: its body is the event to preview): like a GET, its
    /// key and campaign role may come from the worker's <see cref="ApiLookupCache"/>.
    /// </summary>
    Preview,

    /// <summary>Create, postpone or cancel a schedule: the owner only; audited in every subscriber's log too.</summary>
    ChangeSchedules,
}

/// <summary>The campaign of a campaign route and what the calling union is to it (owner or subscriber).</summary>
public sealed record CampaignCaller(Campaign Campaign, CampaignRole Role)
{
    public CampaignId CampaignId => Campaign.CampaignId;
}

/// <summary>
/// What a bootstrap-admin endpoint did, and where its audit row goes: the union it created (or tried to), or
/// <see cref="Infrastructure.Api.CampaignAdmin.SystemAuditPartition"/> for writes that belong to no union (campaigns).
/// </summary>
public sealed record AdminOutcome(IResult Result, UnionId AuditUnion, string Targets);

/// <summary>
/// Every API request goes through here: the body limit (a declared Content-Length over it: 413), authentication (<c>Authorization: ApiKey …</c> or <c>X-Api-Key</c>; 401),
/// tenancy (another union's data, or a union that does not exist, answers the same 404), role (403), the handler, and the
/// audit row of every write (POST/PUT/DELETE) that reached its union. A read (GET, HEAD, <see cref="CampaignUse.Preview"/>)
/// takes its key and campaign role from the worker's <see cref="ApiLookupCache"/> when read recently; a write reads them afresh.
/// </summary>
public sealed class ApiGate(
    ApiKeyService keys, AuditLog audit, ApiOptions options, MembershipAdmin membership, CampaignAdmin campaigns, TimeProvider time, ILogger<ApiGate> logger)
{
    public const string ApiKeyScheme = "ApiKey";
    public const string ApiKeyHeader = "X-Api-Key";

    /// <param name="bodyLimit">The endpoint's body limit and its setting's name (docs/api.md "Limits"); null: <c>Api:MaxBodyBytes</c>.</param>
    public Task<IResult> RunAsync(
        HttpContext context, string union, ApiAccess access, string targets, Func<UnionId, ApiCaller, Task<IResult>> action,
        (int Bytes, string Name)? bodyLimit = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        return RunAsync(context, union, access, targets, action, bodyLimit, cached: IsRead(context.Request));
    }

    private async Task<IResult> RunAsync(
        HttpContext context, string union, ApiAccess access, string targets, Func<UnionId, ApiCaller, Task<IResult>> action,
        (int Bytes, string Name)? bodyLimit, bool cached)
    {
        ArgumentNullException.ThrowIfNull(action);
        var (limit, limitName) = bodyLimit ?? (options.MaxBodyBytes, RequestLimits.JsonSetting);
        if (RequestLimits.Declared(context.Request, limit, limitName) is { } tooLarge)
        {
            return tooLarge;
        }

        var cancellationToken = context.RequestAborted;
        var (caller, keyUnion, refusal) = await AuthenticateAsync(context, admitAdmin: access == ApiAccess.UnionAdminOrBootstrap, cached).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        // Tenancy: a malformed id, an unknown union and another union's all answer the same 404.
        if (!UnionId.TryParse(union, out var unionId)
            || (keyUnion is not null && keyUnion != unionId)
            || (caller!.IsAdmin && await membership.GetUnionAsync(unionId, cancellationToken).ConfigureAwait(false) is null))
        {
            return ApiProblems.NotFound();
        }

        var needed = access == ApiAccess.Organiser ? ApiRole.Organiser : ApiRole.UnionAdmin;
        var result = access != ApiAccess.AnyKey && caller.Role is { } role && role != needed
            ? ApiProblems.Forbidden($"This endpoint needs a '{needed.ToName()}' key.")
            : await action(unionId, caller).ConfigureAwait(false);

        if (!IsRead(context.Request))
        {
            await AppendAuditAsync(context, unionId, caller, targets, result).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>
    /// As <see cref="RunAsync"/> with <see cref="ApiAccess.Organiser"/>, for a campaign the union owns or (it or one of its
    /// branches) subscribes to. Any other campaign — unknown, malformed, or only other unions' — answers the same 404 as a
    /// missing union. <see cref="CampaignUse.ChangeSchedules"/> admits only the owner (a subscriber gets 403), and each
    /// change that succeeded is also written to every subscribing union's audit, naming the owner as the actor's union.
    /// </summary>
    public Task<IResult> RunForCampaignAsync(
        HttpContext context, string union, string campaign, string targets, CampaignUse use, Func<UnionId, CampaignCaller, ApiCaller, Task<IResult>> action)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(action);
        var parsed = CampaignId.TryParse(campaign, out var campaignId);
        var campaignTargets = $"campaign={(parsed ? campaign : "(invalid)")}" + (targets.Length > 0 ? " " + targets : string.Empty);
        var cached = IsRead(context.Request) || use == CampaignUse.Preview;
        return RunAsync(context, union, ApiAccess.Organiser, campaignTargets, async (unionId, caller) =>
        {
            if (!parsed || await (cached
                        ? campaigns.GetRoleCachedAsync(unionId, campaignId!, context.RequestAborted)
                        : campaigns.GetRoleAsync(unionId, campaignId!, context.RequestAborted)).ConfigureAwait(false) is not { } found
                || found.Role == CampaignRole.None)
            {
                return ApiProblems.NotFound();
            }

            if (use == CampaignUse.ChangeSchedules && !CampaignRules.MayChangeSchedules(found.Role))
            {
                return ApiProblems.Forbidden(
                    "Only the campaign's owner union may create or change its schedules; a subscribing union may read them, preview and send to its own members.");
            }

            var result = await action(unionId, new CampaignCaller(found.Campaign, found.Role), caller).ConfigureAwait(false);
            if (use == CampaignUse.ChangeSchedules && (result as IStatusCodeHttpResult)?.StatusCode is >= 200 and < 300)
            {
                foreach (var subscriber in await campaigns.GetSubscriberUnionsAsync(found.Campaign, CancellationToken.None).ConfigureAwait(false))
                {
                    await AppendAuditAsync(context, subscriber, caller, campaignTargets, result, actorUnion: unionId).ConfigureAwait(false);
                }
            }

            return result;
        }, bodyLimit: null, cached);
    }

    /// <summary>
    /// Writes the audit row of a write that succeeded also into <paramref name="otherUnion"/>'s log, naming
    /// <paramref name="actorUnion"/> as the acting union (a campaign's owner and the union it admits see each other's
    /// steps). Nothing is written for a refused write.
    /// </summary>
    public Task AuditAlsoAsync(HttpContext context, UnionId otherUnion, ApiCaller caller, string targets, IResult result, UnionId actorUnion)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(caller);
        return (result as IStatusCodeHttpResult)?.StatusCode is >= 200 and < 300 && otherUnion != actorUnion
            ? AppendAuditAsync(context, otherUnion, caller, targets, result, actorUnion)
            : Task.CompletedTask;
    }

    /// <summary>
    /// For the bootstrap admin's endpoints that are not about one existing union (<c>POST /unions</c>, <c>/campaigns</c>):
    /// only the admin secret passes (a union's key answers 403; no key, an unknown or revoked key 401). Writes are audited
    /// in the partition the action names (<see cref="AdminOutcome.AuditUnion"/>); a union key's refused write in its own union's.
    /// </summary>
    public async Task<IResult> RunAdminAsync(HttpContext context, Func<ApiCaller, Task<AdminOutcome>> action)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(action);
        if (RequestLimits.Declared(context.Request, options.MaxBodyBytes, RequestLimits.JsonSetting) is { } tooLarge)
        {
            return tooLarge;
        }

        var (caller, keyUnion, refusal) = await AuthenticateAsync(context, admitAdmin: true, cached: false).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        var outcome = caller!.IsAdmin
            ? await action(caller).ConfigureAwait(false)
            : new AdminOutcome(ApiProblems.Forbidden("This endpoint needs the bootstrap admin secret."), keyUnion!, string.Empty);

        if (!IsRead(context.Request))
        {
            await AppendAuditAsync(context, outcome.AuditUnion, caller, outcome.Targets, outcome.Result).ConfigureAwait(false);
        }

        return outcome.Result;
    }

    /// <summary>
    /// Who is calling: the bootstrap admin (when <paramref name="admitAdmin"/> and the secret matches), or a valid key with
    /// its union; otherwise the 401 to answer. <paramref name="cached"/>: the key's record may come from the worker's
    /// <see cref="ApiLookupCache"/> (read requests).
    /// </summary>
    private async Task<(ApiCaller? Caller, UnionId? KeyUnion, IResult? Refusal)> AuthenticateAsync(HttpContext context, bool admitAdmin, bool cached)
    {
        var secret = ReadKey(context.Request);
        if (secret is null)
        {
            context.Response.Headers.WWWAuthenticate = ApiKeyScheme;
            return (null, null, ApiProblems.Unauthorized("Send an API key: 'Authorization: ApiKey <key>' or 'X-Api-Key: <key>'."));
        }

        if (admitAdmin && ApiKeyService.Matches(secret, options.AdminKeyHash))
        {
            return (new ApiCaller("admin", null, IsAdmin: true), null, null);
        }

        var record = await (cached ? keys.FindBySecretCachedAsync(secret, context.RequestAborted) : keys.FindBySecretAsync(secret, context.RequestAborted))
            .ConfigureAwait(false);
        if (record is null || record.IsRevoked)
        {
            context.Response.Headers.WWWAuthenticate = ApiKeyScheme;
            return (null, null, ApiProblems.Unauthorized("The API key is unknown or revoked."));
        }

        return (new ApiCaller(record.KeyId, record.Role, IsAdmin: false), record.UnionId, null);
    }

    private async Task AppendAuditAsync(HttpContext context, UnionId unionId, ApiCaller caller, string targets, IResult result, UnionId? actorUnion = null)
    {
        var status = (result as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status200OK;
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? string.Empty;
        var entry = new AuditEntry(unionId, caller.Actor, caller.RoleName, context.Request.Method, route, targets, status, time.GetUtcNow(), actorUnion);
        try
        {
            await audit.AppendAsync(entry, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException)
        {
            // The write has happened; losing its audit row is logged loudly rather than failing the response.
            ApiLog.AuditFailed(logger, unionId.Value, context.Request.Method, route, ex.GetType().Name);
        }
    }

    private static bool IsRead(HttpRequest request) => HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);

    private static string? ReadKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith(ApiKeyScheme + " ", StringComparison.OrdinalIgnoreCase))
        {
            var key = authorization[(ApiKeyScheme.Length + 1)..].Trim();
            return key.Length > 0 ? key : null;
        }

        var header = request.Headers[ApiKeyHeader].ToString().Trim();
        return header.Length > 0 ? header : null;
    }
}

internal static partial class ApiLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Error, Message = "Could not append the audit row of {Method} {Route} in union {UnionId} ({ExceptionType})")]
    public static partial void AuditFailed(ILogger logger, string unionId, string method, string route, string exceptionType);
}
