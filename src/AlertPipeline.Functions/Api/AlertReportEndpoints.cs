using System.Text;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Ports;
using AlertPipeline.Functions.Hosting;
using AlertPipeline.Infrastructure.Api;
using AlertPipeline.Infrastructure.Pipeline;

namespace AlertPipeline.Functions.Api;

/// <summary>
/// <c>GET /api/unions/{union}/alerts/{alertId}/report</c> (organiser): the caller's union's delivery rows of one alert,
/// added up (JSON, in bounded time with the time the counts are as of: <see cref="AlertReportReader"/>) or one line each
/// (CSV: <c>?format=csv</c> or <c>Accept: text/csv</c>), read page by page.
/// </summary>
internal static class AlertReportEndpoints
{
    public const int PageSize = 1000;

    /// <remarks>
    /// Answers within <see cref="ReportOptions.AnswerWithin"/> of the request's arrival (<see cref="RequestArrival"/>): the
    /// count waits until <see cref="ReportOptions.ExactBudget"/> after the arrival, and a request whose key, alert or
    /// campaign reads have not come back by the deadline gets a 503 with <c>Retry-After</c>. Those three come from the
    /// worker's <see cref="ApiLookupCache"/> when this worker read them recently (a GET).
    /// </remarks>
    public static Task<IResult> ReportAsync(
        HttpContext context, string union, string alertId, ApiGate gate, IAlertStore alerts, CampaignAdmin campaigns, ApiLookupCache lookups,
        IDeliveryStore deliveries, AlertReportReader reports, FanOutChunkRedriver redriver, DispatchRedrivers dispatchRedrivers,
        StatusCallbackRedriver statusRedriver, ReportOptions budgets, TimeProvider time) =>
        RequestArrival.AnswerByAsync(context, budgets.AnswerWithin, time, () => gate.RunAsync(context, union, ApiAccess.Organiser, $"alert={KeyEndpoints.Safe(alertId)}", async (unionId, _) =>
        {
            var format = context.Request.Query["format"].ToString();
            if (format.Length > 0 && format is not ("csv" or "json"))
            {
                return ApiProblems.Invalid("format", "must be 'json' or 'csv'");
            }

            if (await VisibleAlertAsync(alertId, unionId, alerts, campaigns, lookups, context.RequestAborted) is not { } alert)
            {
                return ApiProblems.NotFound();
            }

            var id = alert.AlertId;

            var csv = format == "csv"
                || (format.Length == 0 && context.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals(DeliveryReportCsv.MediaType, StringComparison.OrdinalIgnoreCase)));
            if (csv)
            {
                return Results.Stream(
                    stream => WriteCsvAsync(stream, deliveries, id, unionId, context.RequestAborted),
                    DeliveryReportCsv.MediaType + "; charset=utf-8",
                    fileDownloadName: $"alert-{id}-{unionId}.csv");
            }

            // The union's counts within the report budget (the last finished count of a large alert, with its time), and the
            // re-drive progress as this worker read it recently (ApiLookupCache.Progress).
            var progress = lookups.Progress.GetAsync((unionId, id), async c => new RedriveProgress(
                await redriver.GetProgressAsync(id, unionId, c).ConfigureAwait(false),
                await dispatchRedrivers.GetProgressAsync(id, unionId, c).ConfigureAwait(false),
                await statusRedriver.GetProgressAsync(id, unionId, c).ConfigureAwait(false)), context.RequestAborted);
            var answer = await reports.ReadAsync(id, unionId, RequestArrival.Of(context, time), context.RequestAborted).ConfigureAwait(false);
            return Results.Ok(View(alert, unionId, answer, (await progress.ConfigureAwait(false))!));
        }));

    /// <summary>
    /// <c>POST /api/unions/{union}/alerts/{alertId}/fanout/redrive</c> (organiser): gives the union's fan-out chunks of the
    /// alert that stayed poisoned past their re-drive budget a fresh budget, and so the alert's poisoned dispatch messages and
    /// status callbacks; the ScheduleTick puts them back on <c>fanout-chunks</c> / their dispatch queue / <c>sms-status</c>
    /// within about 10 minutes (it looks at a given-up poison message every 10 minutes). 202 with how many; chunks, batches
    /// and statuses are idempotent (a batch reconciles Sending rows before any resend, a status only moves a row forward), so
    /// this never duplicates a row or a message. Malformed poison messages are never re-driven (the report counts them).
    /// </summary>
    public static Task<IResult> RedriveFanOutAsync(
        HttpContext context, string union, string alertId, ApiGate gate, IAlertStore alerts, CampaignAdmin campaigns, FanOutChunkRedriver redriver,
        DispatchRedrivers dispatchRedrivers, StatusCallbackRedriver statusRedriver, ApiLookupCache lookups) =>
        gate.RunAsync(context, union, ApiAccess.Organiser, $"alert={KeyEndpoints.Safe(alertId)}", async (unionId, _) =>
        {
            if (await VisibleAlertAsync(alertId, unionId, alerts, campaigns, lookups: null, context.RequestAborted) is not { } alert)
            {
                return ApiProblems.NotFound();
            }

            var id = alert.AlertId;
            var reset = await redriver.ResetAsync(id, unionId, context.RequestAborted).ConfigureAwait(false);
            var batches = await dispatchRedrivers.ResetAsync(id, unionId, context.RequestAborted).ConfigureAwait(false);
            var statuses = await statusRedriver.ResetAsync(id, unionId, context.RequestAborted).ConfigureAwait(false);
            lookups.ProgressChanged(id);
            return Results.Accepted(value: new { alertId = id.Value, unionId = unionId.Value, chunksToRedrive = reset, batchesToRedrive = batches, statusesToRedrive = statuses });
        });

    /// <summary>
    /// The alert if the union may see it; null for an unknown or malformed id, or an alert of a campaign the union neither
    /// owns nor subscribes to (the same 404 for all three). With <paramref name="lookups"/> (a read), the alert and the role
    /// may be what this worker read recently for the same union; without (a write), both are read afresh.
    /// </summary>
    private static async Task<AlertRecord?> VisibleAlertAsync(
        string alertId, UnionId unionId, IAlertStore alerts, CampaignAdmin campaigns, ApiLookupCache? lookups, CancellationToken cancellationToken) =>
        AlertId.TryParse(alertId, out var id, out string? _)
        && await (lookups is null ? alerts.GetAsync(id, cancellationToken) : lookups.GetAlertAsync(unionId, id, alerts, cancellationToken)).ConfigureAwait(false) is { } alert
        && await (lookups is null
                ? campaigns.GetRoleAsync(unionId, alert.Event.CampaignId, cancellationToken)
                : campaigns.GetRoleCachedAsync(unionId, alert.Event.CampaignId, cancellationToken)).ConfigureAwait(false) is { Role: not CampaignRole.None }
            ? alert
            : null;

    private static async Task WriteCsvAsync(Stream stream, IDeliveryStore deliveries, AlertId alertId, UnionId unionId, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 16 * 1024, leaveOpen: true);
        await writer.WriteAsync(DeliveryReportCsv.Header).ConfigureAwait(false);
        string? token = null;
        do
        {
            var page = await deliveries.GetPageAsync(alertId, PageSize, token, cancellationToken).ConfigureAwait(false);
            foreach (var row in page.Rows.Where(r => r.Contact?.UnionId == unionId))
            {
                await writer.WriteAsync(DeliveryReportCsv.Line(row)).ConfigureAwait(false);
            }

            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            token = page.ContinuationToken;
        }
        while (token is not null);
    }

    private static object View(AlertRecord alert, UnionId unionId, ReportAnswer answer, RedriveProgress progress) => new
    {
        alertId = alert.AlertId.Value,
        unionId = unionId.Value,
        campaignId = alert.Event.CampaignId.Value,
        eventId = alert.Event.EventId.Value,
        receivedAt = alert.ReceivedAt.ToDateTimeOffset(),
        expiredOnArrival = alert.ExpiredOnArrival,
        rows = answer.Report.Rows,
        // When the counts were read from (every change before it is in them), and whether they cover only part of the
        // rows (the first count of a large alert, still running).
        asOf = answer.AsOf,
        partial = answer.Partial,
        // Poisoned fan-out chunks of this union: incomplete = some stayed poisoned past their re-drive budget (members
        // without rows; POST …/fanout/redrive gives them a fresh budget).
        fanOut = new { incomplete = progress.FanOut.Incomplete, chunksRedriven = progress.FanOut.Redriven, chunksPoisoned = progress.FanOut.GivenUp },
        // Poisoned dispatch messages of this alert (a batch holds one bucket's rows, of any union: counts only): incomplete =
        // some stayed poisoned past their re-drive budget (their rows stay Pending/Sending; the same POST gives them a fresh budget).
        dispatch = new { incomplete = progress.Dispatch.Incomplete, batchesRedriven = progress.Dispatch.Redriven, batchesPoisoned = progress.Dispatch.GivenUp },
        // Poisoned status callbacks of this alert's SMS (counts only): incomplete = some stayed poisoned past their re-drive
        // budget (those rows keep their last status; the same POST gives them a fresh budget); malformed ones are never re-driven.
        statusCallbacks = new { incomplete = progress.Statuses.Incomplete, redriven = progress.Statuses.Redriven, poisoned = progress.Statuses.GivenUp, malformed = progress.Statuses.Kept },
        channels = answer.Report.Channels.Select(c => new
        {
            channel = c.Channel.ToWireName(),
            total = c.Total,
            byStatus = c.ByStatus.ToDictionary(s => PreviewEndpoints.CamelCase(s.Key.ToString()), s => s.Value),
            failures = c.Failures.Select(f => new
            {
                status = PreviewEndpoints.CamelCase(f.Status.ToString()),
                reason = f.Reason is { } reason ? PreviewEndpoints.CamelCase(reason.ToString()) : null,
                errorCode = f.ErrorCode,
                count = f.Count,
            }),
            skipped = PreviewEndpoints.Reasons(c.Skipped),
            segments = c.Segments,
            unconfirmed = c.Unconfirmed,
        }),
    };
}
