using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Core.Scheduling;
using AlertPipeline.Core.Scheduling.Ports;
using AlertPipeline.Functions.Hosting;
using AlertPipeline.Infrastructure.Api;
using AlertPipeline.Infrastructure.Configuration;
using AlertPipeline.Infrastructure.Imports;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Infrastructure.Pipeline;
using Microsoft.Azure.Functions.Worker;

namespace AlertPipeline.Functions.Api;

// The organiser API's functions: each binds its route and methods ([HttpTrigger], the same as its OrganiserApi entry) and
// calls its handler with the request, the route values and the services it needs. Nothing else happens here.

/// <summary><c>GET POST /api/unions/{union}/keys</c> → <see cref="KeyEndpoints.KeysAsync"/>.</summary>
public sealed class ApiKeysFunction(ApiGate gate, ApiKeyService keys, ApiOptions options)
{
    [Function("ApiKeys")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = OrganiserApi.KeysRoute)] HttpRequest request) =>
        KeyEndpoints.KeysAsync(request.HttpContext, request.RouteValue("union"), gate, keys, options);
}

/// <summary><c>DELETE /api/unions/{union}/keys/{keyId}</c> → <see cref="KeyEndpoints.RevokeAsync"/>.</summary>
public sealed class ApiKeyFunction(ApiGate gate, ApiKeyService keys)
{
    [Function("ApiKey")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = OrganiserApi.KeyRoute)] HttpRequest request) =>
        KeyEndpoints.RevokeAsync(request.HttpContext, request.RouteValue("union"), request.RouteValue("keyId"), gate, keys);
}

/// <summary><c>POST /api/unions/{union}/keys/{keyId}/rotate</c> → <see cref="KeyEndpoints.RotateAsync"/>.</summary>
public sealed class ApiKeyRotateFunction(ApiGate gate, ApiKeyService keys)
{
    [Function("ApiKeyRotate")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = OrganiserApi.KeyRotateRoute)] HttpRequest request) =>
        KeyEndpoints.RotateAsync(request.HttpContext, request.RouteValue("union"), request.RouteValue("keyId"), gate, keys);
}

/// <summary><c>GET POST /api/unions/{union}/branches</c> → <see cref="BranchEndpoints.BranchesAsync"/>.</summary>
public sealed class ApiBranchesFunction(ApiGate gate, MembershipAdmin membership, ApiOptions options)
{
    [Function("ApiBranches")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = OrganiserApi.BranchesRoute)] HttpRequest request) =>
        BranchEndpoints.BranchesAsync(request.HttpContext, request.RouteValue("union"), gate, membership, options);
}

/// <summary><c>GET DELETE /api/unions/{union}/branches/{branch}</c> → <see cref="BranchEndpoints.BranchAsync"/>.</summary>
public sealed class ApiBranchFunction(ApiGate gate, MembershipAdmin membership)
{
    [Function("ApiBranch")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "delete", Route = OrganiserApi.BranchRoute)] HttpRequest request) =>
        BranchEndpoints.BranchAsync(request.HttpContext, request.RouteValue("union"), request.RouteValue("branch"), gate, membership);
}

/// <summary><c>GET POST /api/unions/{union}/branches/{branch}/contacts</c> → <see cref="ContactEndpoints.ContactsAsync"/>.</summary>
public sealed class ApiContactsFunction(ApiGate gate, MembershipAdmin membership, ApiOptions options)
{
    [Function("ApiContacts")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = OrganiserApi.ContactsRoute)] HttpRequest request) =>
        ContactEndpoints.ContactsAsync(request.HttpContext, request.RouteValue("union"), request.RouteValue("branch"), gate, membership, options);
}

/// <summary><c>GET PUT DELETE /api/unions/{union}/branches/{branch}/contacts/{contact}</c> → <see cref="ContactEndpoints.ContactAsync"/>.</summary>
public sealed class ApiContactFunction(ApiGate gate, MembershipAdmin membership, ApiOptions options)
{
    [Function("ApiContact")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "put", "delete", Route = OrganiserApi.ContactRoute)] HttpRequest request) =>
        ContactEndpoints.ContactAsync(request.HttpContext, request.RouteValue("union"), request.RouteValue("branch"), request.RouteValue("contact"), gate, membership, options);
}

/// <summary><c>POST /api/unions/{union}/branches/{branch}/contacts:import</c> → <see cref="ContactEndpoints.ImportAsync"/>.</summary>
public sealed class ApiContactsImportFunction(ApiGate gate, MembershipAdmin membership, ApiOptions options, ContactImportJobs jobs, ImportJobOptions jobOptions)
{
    [Function("ApiContactsImport")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = OrganiserApi.ContactsImportRoute)] HttpRequest request) =>
        ContactEndpoints.ImportAsync(request.HttpContext, request.RouteValue("union"), request.RouteValue("branch"), gate, membership, options, jobs, jobOptions);
}

/// <summary><c>GET /api/unions/{union}/imports</c> → <see cref="ImportJobEndpoints.JobsAsync"/>.</summary>
public sealed class ApiImportJobsFunction(ApiGate gate, ImportJobStore store)
{
    [Function("ApiImportJobs")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = OrganiserApi.ImportJobsRoute)] HttpRequest request) =>
        ImportJobEndpoints.JobsAsync(request.HttpContext, request.RouteValue("union"), gate, store);
}

/// <summary><c>GET /api/unions/{union}/imports/{jobId}</c> → <see cref="ImportJobEndpoints.JobAsync"/>.</summary>
public sealed class ApiImportJobFunction(ApiGate gate, ImportJobStore store)
{
    [Function("ApiImportJob")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = OrganiserApi.ImportJobRoute)] HttpRequest request) =>
        ImportJobEndpoints.JobAsync(request.HttpContext, request.RouteValue("union"), request.RouteValue("jobId"), gate, store);
}

/// <summary><c>POST /api/unions</c> → <see cref="AdminEndpoints.UnionsAsync"/>.</summary>
public sealed class ApiUnionsFunction(ApiGate gate, CampaignAdmin admin, ApiOptions options)
{
    [Function("ApiUnions")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = OrganiserApi.UnionsRoute)] HttpRequest request) =>
        AdminEndpoints.UnionsAsync(request.HttpContext, gate, admin, options);
}

/// <summary><c>GET POST /api/campaigns</c> → <see cref="AdminEndpoints.CampaignsAsync"/>.</summary>
public sealed class ApiCampaignsFunction(ApiGate gate, CampaignAdmin admin, MembershipAdmin membership, ApiOptions options)
{
    [Function("ApiCampaigns")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = OrganiserApi.CampaignsRoute)] HttpRequest request) =>
        AdminEndpoints.CampaignsAsync(request.HttpContext, gate, admin, membership, options);
}

/// <summary><c>GET /api/unions/{union}/campaigns</c> → <see cref="SubscriptionEndpoints.UnionCampaignsAsync"/>.</summary>
public sealed class ApiUnionCampaignsFunction(ApiGate gate, CampaignAdmin admin)
{
    [Function("ApiUnionCampaigns")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = OrganiserApi.UnionCampaignsRoute)] HttpRequest request) =>
        SubscriptionEndpoints.UnionCampaignsAsync(request.HttpContext, request.RouteValue("union"), gate, admin);
}

/// <summary><c>GET /api/unions/{union}/subscriptions</c> → <see cref="SubscriptionEndpoints.SubscriptionsAsync"/>.</summary>
public sealed class ApiSubscriptionsFunction(ApiGate gate, CampaignAdmin admin)
{
    [Function("ApiSubscriptions")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = OrganiserApi.SubscriptionsRoute)] HttpRequest request) =>
        SubscriptionEndpoints.SubscriptionsAsync(request.HttpContext, request.RouteValue("union"), gate, admin);
}

/// <summary><c>PUT DELETE /api/unions/{union}/subscriptions/{campaign}</c> → <see cref="SubscriptionEndpoints.SubscriptionAsync"/>.</summary>
public sealed class ApiSubscriptionFunction(ApiGate gate, CampaignAdmin admin)
{
    [Function("ApiSubscription")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "put", "delete", Route = OrganiserApi.SubscriptionRoute)] HttpRequest request) =>
        SubscriptionEndpoints.SubscriptionAsync(request.HttpContext, request.RouteValue("union"), request.RouteValue("campaign"), gate, admin);
}

/// <summary><c>PUT DELETE /api/unions/{union}/branches/{branch}/subscriptions/{campaign}</c> → <see cref="SubscriptionEndpoints.BranchSubscriptionAsync"/>.</summary>
public sealed class ApiBranchSubscriptionFunction(ApiGate gate, CampaignAdmin admin, MembershipAdmin membership)
{
    [Function("ApiBranchSubscription")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "put", "delete", Route = OrganiserApi.BranchSubscriptionRoute)] HttpRequest request) =>
        SubscriptionEndpoints.BranchSubscriptionAsync(request.HttpContext, request.RouteValue("union"), request.RouteValue("branch"), request.RouteValue("campaign"), gate, admin, membership);
}

/// <summary><c>GET POST /api/unions/{union}/campaigns/{campaign}/schedules</c> → <see cref="ScheduleEndpoints.SchedulesAsync"/>.</summary>
public sealed class ApiSchedulesFunction(ApiGate gate, IScheduleStore store, IScheduleCatalog catalog, ApiOptions options, TimeProvider time)
{
    [Function("ApiSchedules")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = OrganiserApi.SchedulesRoute)] HttpRequest request) =>
        ScheduleEndpoints.SchedulesAsync(request.HttpContext, request.RouteValue("union"), request.RouteValue("campaign"), gate, store, catalog, options, time);
}

/// <summary><c>GET /api/unions/{union}/campaigns/{campaign}/schedules/{schedule}</c> → <see cref="ScheduleEndpoints.ScheduleAsync"/>.</summary>
public sealed class ApiScheduleFunction(ApiGate gate, IScheduleStore store, IScheduleOccurrenceStore occurrences, TimeProvider time)
{
    [Function("ApiSchedule")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = OrganiserApi.ScheduleRoute)] HttpRequest request) =>
        ScheduleEndpoints.ScheduleAsync(request.HttpContext, request.RouteValue("union"), request.RouteValue("campaign"), request.RouteValue("schedule"), gate, store, occurrences, time);
}

/// <summary><c>POST /api/unions/{union}/campaigns/{campaign}/schedules/{schedule}:postpone</c> → <see cref="ScheduleEndpoints.PostponeAsync"/>.</summary>
public sealed class ApiSchedulePostponeFunction(ApiGate gate, IScheduleStore store, IScheduleOccurrenceStore occurrences, ScheduleTickHandler trials, ApiOptions options, TimeProvider time)
{
    [Function("ApiSchedulePostpone")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = OrganiserApi.SchedulePostponeRoute)] HttpRequest request) =>
        ScheduleEndpoints.PostponeAsync(request.HttpContext, request.RouteValue("union"), request.RouteValue("campaign"), request.RouteValue("schedule"), gate, store, occurrences, trials, options, time);
}

/// <summary><c>POST /api/unions/{union}/campaigns/{campaign}/schedules/{schedule}:cancel</c> → <see cref="ScheduleEndpoints.CancelAsync"/>.</summary>
public sealed class ApiScheduleCancelFunction(ApiGate gate, IScheduleStore store, IScheduleOccurrenceStore occurrences, ScheduleTickHandler trials, ApiOptions options, TimeProvider time)
{
    [Function("ApiScheduleCancel")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = OrganiserApi.ScheduleCancelRoute)] HttpRequest request) =>
        ScheduleEndpoints.CancelAsync(request.HttpContext, request.RouteValue("union"), request.RouteValue("campaign"), request.RouteValue("schedule"), gate, store, occurrences, trials, options, time);
}

/// <summary><c>POST /api/unions/{union}/campaigns/{campaign}/alerts</c> → <see cref="AlertEndpoints.SendNowAsync"/>.</summary>
public sealed class ApiAlertsFunction(ApiGate gate, IAlertEventPublisher publisher, ApiOptions options, TimeProvider time)
{
    [Function("ApiAlerts")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = OrganiserApi.AlertsRoute)] HttpRequest request) =>
        AlertEndpoints.SendNowAsync(request.HttpContext, request.RouteValue("union"), request.RouteValue("campaign"), gate, publisher, options, time);
}

/// <summary><c>POST /api/unions/{union}/branches/{branch}/contacts/{contact}:erase</c> → <see cref="ContactEraseEndpoints.EraseAsync"/>.</summary>
public sealed class ApiContactEraseFunction(ApiGate gate, ContactErasure erasure)
{
    [Function("ApiContactErase")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = OrganiserApi.ContactEraseRoute)] HttpRequest request) =>
        ContactEraseEndpoints.EraseAsync(request.HttpContext, request.RouteValue("union"), request.RouteValue("branch"), request.RouteValue("contact"), gate, erasure);
}

/// <summary><c>POST /api/unions/{union}/campaigns/{campaign}/preview</c> → <see cref="PreviewEndpoints.PreviewAsync"/>.</summary>
public sealed class ApiPreviewFunction(
    ApiGate gate, ApiOptions options, CampaignAdmin campaigns, AudiencePreviewer previewer, SmsPricingOptions pricing, ReportOptions budgets, TimeProvider time)
{
    [Function("ApiPreview")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = OrganiserApi.PreviewRoute)] HttpRequest request) =>
        PreviewEndpoints.PreviewAsync(request.HttpContext, request.RouteValue("union"), request.RouteValue("campaign"), gate, options, campaigns, previewer, pricing, budgets, time);
}

/// <summary><c>GET /api/unions/{union}/alerts/{alertId}/report</c> → <see cref="AlertReportEndpoints.ReportAsync"/>.</summary>
public sealed class ApiAlertReportFunction(
    ApiGate gate, IAlertStore alerts, CampaignAdmin campaigns, ApiLookupCache lookups, IDeliveryStore deliveries, AlertReportReader reports,
    FanOutChunkRedriver redriver, DispatchRedrivers dispatchRedrivers, StatusCallbackRedriver statusRedriver, ReportOptions budgets, TimeProvider time)
{
    [Function("ApiAlertReport")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = OrganiserApi.AlertReportRoute)] HttpRequest request) =>
        AlertReportEndpoints.ReportAsync(
            request.HttpContext, request.RouteValue("union"), request.RouteValue("alertId"), gate, alerts, campaigns, lookups, deliveries, reports, redriver,
            dispatchRedrivers, statusRedriver, budgets, time);
}

/// <summary><c>POST /api/unions/{union}/alerts/{alertId}/fanout/redrive</c> → <see cref="AlertReportEndpoints.RedriveFanOutAsync"/>.</summary>
public sealed class ApiFanOutRedriveFunction(
    ApiGate gate, IAlertStore alerts, CampaignAdmin campaigns, FanOutChunkRedriver redriver, DispatchRedrivers dispatchRedrivers,
    StatusCallbackRedriver statusRedriver, ApiLookupCache lookups)
{
    [Function("ApiFanOutRedrive")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = OrganiserApi.FanOutRedriveRoute)] HttpRequest request) =>
        AlertReportEndpoints.RedriveFanOutAsync(request.HttpContext, request.RouteValue("union"), request.RouteValue("alertId"), gate, alerts, campaigns, redriver, dispatchRedrivers, statusRedriver, lookups);
}

/// <summary><c>GET /api/unions/{union}/audit</c> → <see cref="AuditEndpoints.AuditAsync"/>.</summary>
public sealed class ApiAuditFunction(ApiGate gate, AuditLog audit)
{
    [Function("ApiAudit")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = OrganiserApi.AuditRoute)] HttpRequest request) =>
        AuditEndpoints.AuditAsync(request.HttpContext, request.RouteValue("union"), gate, audit);
}

/// <summary><c>GET /api/unions/{union}/campaigns/{campaign}/members</c> → <see cref="CampaignMemberEndpoints.MembersAsync"/>.</summary>
public sealed class ApiCampaignMembersFunction(ApiGate gate, CampaignAdmin admin)
{
    [Function("ApiCampaignMembers")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = OrganiserApi.CampaignMembersRoute)] HttpRequest request) =>
        CampaignMemberEndpoints.MembersAsync(request.HttpContext, request.RouteValue("union"), request.RouteValue("campaign"), gate, admin);
}

/// <summary><c>PUT DELETE /api/unions/{union}/campaigns/{campaign}/members/{member}</c> → <see cref="CampaignMemberEndpoints.MemberAsync"/>.</summary>
public sealed class ApiCampaignMemberFunction(ApiGate gate, CampaignAdmin admin, MembershipAdmin membership, TimeProvider time)
{
    [Function("ApiCampaignMember")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "put", "delete", Route = OrganiserApi.CampaignMemberRoute)] HttpRequest request) =>
        CampaignMemberEndpoints.MemberAsync(request.HttpContext, request.RouteValue("union"), request.RouteValue("campaign"), request.RouteValue("member"), gate, admin, membership, time);
}

/// <summary><c>PUT DELETE /api/unions/{union}/campaigns/{campaign}/membership</c> → <see cref="CampaignMemberEndpoints.MembershipAsync"/>.</summary>
public sealed class ApiCampaignMembershipFunction(ApiGate gate, CampaignAdmin admin, TimeProvider time)
{
    [Function("ApiCampaignMembership")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "put", "delete", Route = OrganiserApi.CampaignMembershipRoute)] HttpRequest request) =>
        CampaignMemberEndpoints.MembershipAsync(request.HttpContext, request.RouteValue("union"), request.RouteValue("campaign"), gate, admin, time);
}

/// <summary><c>PUT DELETE /api/unions/{union}/campaigns/{campaign}/open</c> → <see cref="CampaignMemberEndpoints.OpenAsync"/>.</summary>
public sealed class ApiCampaignOpenFunction(ApiGate gate, CampaignAdmin admin)
{
    [Function("ApiCampaignOpen")]
    public Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "put", "delete", Route = OrganiserApi.CampaignOpenRoute)] HttpRequest request) =>
        CampaignMemberEndpoints.OpenAsync(request.HttpContext, request.RouteValue("union"), request.RouteValue("campaign"), gate, admin);
}
