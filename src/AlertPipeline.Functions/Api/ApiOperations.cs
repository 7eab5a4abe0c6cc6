using System.Text.Json;
using AlertPipeline.Infrastructure.Api;

namespace AlertPipeline.Functions.Api;

/// <summary>
/// What the OpenAPI document says of one operation that the generator cannot see: the handlers read their bodies
/// themselves and answer <see cref="IResult"/>s. <paramref name="Conflict"/>: the operation can answer 409;
/// <paramref name="BadQuery"/>: it can answer 400 for its query (a paging token it did not issue). A request of
/// <see cref="System.Text.Json.JsonElement"/> is an alert event (docs/events.md); a response of <see cref="object"/> is a
/// JSON object described in docs/api.md.
/// </summary>
public sealed record ApiOperation(
    string Summary, int Success, Type? Response = null, Type? Request = null, string RequestMediaType = "application/json",
    string ResponseMediaType = "application/json", bool Conflict = false, bool BadQuery = false);

/// <summary>A list answer: <c>{"items": [...]}</c>.</summary>
public sealed record ItemsView<T>(IReadOnlyList<T> Items);

/// <summary>A page of a list: <c>{"items": [...], "continuationToken": "…" | null}</c>.</summary>
public sealed record PageView<T>(IReadOnlyList<T> Items, string? ContinuationToken);

/// <summary>The problem+json body of every error answer (RFC 7807); <c>errors</c> names each bad field.</summary>
public sealed record ProblemView(string Type, string Title, int Status, string Detail, IReadOnlyList<ProblemFieldView>? Errors);

public sealed record ProblemFieldView(string Field, string Message);

/// <summary>Every operation of the organiser API by function name and method; a test fails when one is missing.</summary>
public static class ApiOperations
{
    private const string Csv = "text/csv";

    public static IReadOnlyDictionary<(string Function, string Method), ApiOperation> All { get; } = new Dictionary<(string, string), ApiOperation>
    {
        [("ApiUnions", "POST")] = new("Create a union (bootstrap admin)", 201, typeof(AdminEndpoints.UnionView), typeof(AdminEndpoints.UnionBody), Conflict: true),
        [("ApiCampaigns", "GET")] = new("List every campaign (bootstrap admin)", 200, typeof(ItemsView<AdminEndpoints.CampaignView>)),
        [("ApiCampaigns", "POST")] = new("Create a campaign for its owner union (bootstrap admin)", 201, typeof(AdminEndpoints.CampaignView), typeof(AdminEndpoints.CampaignBody), Conflict: true),
        [("ApiKeys", "POST")] = new("Create an API key; the key is shown only in this answer", 201, typeof(KeyEndpoints.KeyView), typeof(KeyEndpoints.KeyBody)),
        [("ApiKeyRotate", "POST")] = new("Replace a working key by a new one of the same role; the old one is revoked (409 if it already was)", 201, typeof(KeyEndpoints.KeyView), Conflict: true),
        [("ApiKey", "DELETE")] = new("Revoke a key (idempotent)", 204),
        [("ApiBranches", "GET")] = new("List the union's branches", 200, typeof(ItemsView<BranchEndpoints.BranchView>)),
        [("ApiBranches", "POST")] = new("Create a branch", 201, typeof(BranchEndpoints.BranchView), typeof(BranchEndpoints.BranchBody), Conflict: true),
        [("ApiBranch", "GET")] = new("Read a branch", 200, typeof(BranchEndpoints.BranchView)),
        [("ApiBranch", "DELETE")] = new("Delete an empty branch", 204, Conflict: true),
        [("ApiContacts", "GET")] = new("List a branch's contacts, a page at a time", 200, typeof(PageView<ContactEndpoints.ContactView>), BadQuery: true),
        [("ApiContacts", "POST")] = new("Create a contact", 201, typeof(ContactEndpoints.ContactView), typeof(ContactEndpoints.ContactBody), Conflict: true),
        [("ApiContact", "GET")] = new("Read a contact", 200, typeof(ContactEndpoints.ContactView)),
        [("ApiContact", "PUT")] = new("Replace a contact (its opt-outs are kept)", 200, typeof(ContactEndpoints.ContactView), typeof(ContactEndpoints.ContactBody)),
        [("ApiContact", "DELETE")] = new("Delete a contact", 204),
        [("ApiContactsImport", "POST")] = new("Import contacts from CSV; every bad line is reported by number and field (a large file: 202 and a job to poll)", 200, typeof(ContactEndpoints.ImportReport), typeof(string), Csv),
        [("ApiImportJobs", "GET")] = new("List the union's contact import jobs, newest first", 200, typeof(ItemsView<ImportJobEndpoints.ImportJobView>), BadQuery: true),
        [("ApiImportJob", "GET")] = new("A contact import job: state, progress, counts and a page of its per-line report", 200, typeof(ImportJobEndpoints.ImportJobReportView), BadQuery: true),
        [("ApiUnionCampaigns", "GET")] = new("List the campaigns, with the union's role in each (owner, subscriber, invited, requested, approved, open, none)", 200, typeof(ItemsView<SubscriptionEndpoints.UnionCampaignView>)),
        [("ApiCampaignMembers", "GET")] = new("List the unions invited to, asking to join or subscribed to the union's own campaign (owner's union-admin)", 200, typeof(ItemsView<CampaignMemberEndpoints.MemberView>)),
        [("ApiCampaignMember", "PUT")] = new("Invite a union to the union's own campaign, or approve its request (owner's union-admin)", 200, typeof(CampaignMemberEndpoints.MemberView), Conflict: true),
        [("ApiCampaignMember", "DELETE")] = new("Withdraw an invitation, refuse a request or remove a union with its subscriptions (owner's union-admin)", 204, Conflict: true),
        [("ApiCampaignMembership", "PUT")] = new("Ask to join a campaign, or accept its owner's invitation", 200, typeof(CampaignMemberEndpoints.MemberView), Conflict: true),
        [("ApiCampaignMembership", "DELETE")] = new("Withdraw the request, decline the invitation or leave the campaign (removes the union's subscriptions)", 204, Conflict: true),
        [("ApiCampaignOpen", "PUT")] = new("Open the union's own campaign: any union may subscribe without an invitation", 204),
        [("ApiCampaignOpen", "DELETE")] = new("Close the union's own campaign to new subscribers (those subscribed stay)", 204),
        [("ApiSubscriptions", "GET")] = new("List the union's subscriptions", 200, typeof(ItemsView<SubscriptionEndpoints.SubscriptionView>)),
        [("ApiSubscription", "PUT")] = new("Subscribe the whole union to a campaign", 204),
        [("ApiSubscription", "DELETE")] = new("Unsubscribe the whole union", 204),
        [("ApiBranchSubscription", "PUT")] = new("Subscribe one branch to a campaign", 204),
        [("ApiBranchSubscription", "DELETE")] = new("Unsubscribe one branch", 204),
        [("ApiSchedules", "GET")] = new("List the campaign's schedules", 200, typeof(ItemsView<ScheduleEndpoints.ScheduleView>)),
        [("ApiSchedules", "POST")] = new("Create an anniversary or a trial schedule (the owner union's organisers)", 201, typeof(ScheduleEndpoints.ScheduleView), typeof(ScheduleBody), Conflict: true),
        [("ApiSchedule", "GET")] = new("Read a schedule with its next occurrences and what was fired", 200, typeof(ScheduleEndpoints.ScheduleView)),
        [("ApiSchedulePostpone", "POST")] = new("Postpone a trial: pending reminders recomputed, optional 'hearing moved' notice", 200, typeof(ScheduleEndpoints.ScheduleView), typeof(ScheduleEndpoints.PostponeBody), Conflict: true),
        [("ApiScheduleCancel", "POST")] = new("Cancel a trial: pending alerts withdrawn, sent ones untouched", 200, typeof(ScheduleEndpoints.ScheduleView), typeof(ScheduleEndpoints.CancelBody), Conflict: true),
        [("ApiKeys", "GET")] = new("List the union's keys (ids and roles, never a key)", 200, typeof(ItemsView<KeyEndpoints.KeyListItem>)),
        [("ApiAudit", "GET")] = new("Read the union's audit rows, newest first, a page at a time", 200, typeof(PageView<AuditEndpoints.AuditItem>), BadQuery: true),
        [("ApiContactErase", "POST")] = new("Erase a contact: the contact and the personal data in its delivery rows (idempotent)", 200, typeof(ContactEraseEndpoints.ErasureView)),
        [("ApiPreview", "POST")] = new("Preview an alert: texts per language, encoding and segments, audience after de-duplication and opt-outs, cost", 200, typeof(object), typeof(JsonElement)),
        [("ApiAlertReport", "GET")] = new("The delivery report of an alert for the union's members (?format=csv for one line per delivery)", 200, typeof(object)),
        [("ApiFanOutRedrive", "POST")] = new("Re-drive the union's fan-out chunks, dispatch batches and status callbacks of an alert that stayed poisoned past their re-drive budget (at the next ScheduleTick)", 202, typeof(object)),
        [("ApiAlerts", "POST")] = new("Send an alert now (an alert event, docs/events.md); the same body again is the same alert", 202, typeof(AlertEndpoints.SendNowView), typeof(JsonElement)),
    };
}
