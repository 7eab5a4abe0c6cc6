using AlertPipeline.Infrastructure.Api;

namespace AlertPipeline.Functions.Api;

/// <summary><c>GET /api/unions/{union}/audit</c>: the union's audit rows, newest first, page by page (docs/api.md).</summary>
internal static class AuditEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public sealed record AuditItem(
        DateTimeOffset At, string Actor, string Role, string Method, string Route, string Targets, int Status, string Outcome, string ActorUnion);

    public static Task<IResult> AuditAsync(HttpContext context, string union, ApiGate gate, AuditLog audit) =>
        gate.RunAsync(context, union, ApiAccess.UnionAdmin, string.Empty, async (unionId, _) =>
        {
            var query = context.Request.Query;
            var limit = DefaultLimit;
            if (query.ContainsKey("limit") && (!int.TryParse(query["limit"], out limit) || limit is < 1 or > MaxLimit))
            {
                return ApiProblems.Invalid("limit", $"must be a whole number from 1 to {MaxLimit}");
            }

            var token = query["continuationToken"].ToString();
            AuditPage page;
            try
            {
                page = await audit.ReadPageAsync(unionId, limit, token.Length == 0 ? null : token, context.RequestAborted);
            }
            catch (ArgumentException)
            {
                return ApiProblems.Invalid("continuationToken", "is not a token this API issued");
            }

            return Results.Ok(new
            {
                items = page.Entries.Select(e => new AuditItem(e.At, e.Actor, e.Role, e.Method, e.Route, e.Targets, e.Status, e.Outcome, e.ByUnion.Value)),
                continuationToken = page.ContinuationToken,
            });
        });
}
