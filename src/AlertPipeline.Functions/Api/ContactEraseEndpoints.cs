using AlertPipeline.Core.Contacts;
using AlertPipeline.Infrastructure.Api;

namespace AlertPipeline.Functions.Api;

/// <summary>
/// <c>POST /api/unions/{union}/branches/{branch}/contacts/{contact}:erase</c> (union-admin): removes the contact and the
/// personal data of its delivery rows (docs/api.md, docs/storage.md). Idempotent: calling it again finishes an
/// interrupted erasure and otherwise answers 200 with nothing left to do. Audited like every write.
/// </summary>
internal static class ContactEraseEndpoints
{
    public sealed record ErasureView(int DeliveryRowsScrubbed, bool ContactDeleted);

    public static Task<IResult> EraseAsync(HttpContext context, string union, string branch, string contact, ApiGate gate, ContactErasure erasure) =>
        gate.RunAsync(context, union, ApiAccess.UnionAdmin, $"branch={KeyEndpoints.Safe(branch)} contact={KeyEndpoints.Safe(contact)} erase", async (unionId, _) =>
        {
            // No existence check: the contact may already be gone while rows of an interrupted erasure remain.
            if (!BranchId.TryParse(branch, out var branchId) || !ContactId.TryParse(contact, out var contactId))
            {
                return ApiProblems.NotFound();
            }

            var result = await erasure.EraseAsync(unionId, branchId, contactId, context.RequestAborted);
            return Results.Ok(new ErasureView(result.DeliveryRowsScrubbed, result.ContactDeleted));
        });
}
