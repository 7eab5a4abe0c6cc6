using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Persistence;
using Azure.Data.Tables;
using Azure;

namespace AlertPipeline.Infrastructure.Api;

/// <summary>What a membership write did.</summary>
public enum WriteOutcome
{
    Done,
    NotFound,
    AlreadyExists,

    /// <summary>A branch still holding contacts cannot be deleted.</summary>
    NotEmpty,
}

/// <summary>
/// The API's writes to <c>Branches</c> and <c>Contacts</c> (keys as in docs/storage.md, through
/// <see cref="MembershipRepository"/>'s mapping). Every call names the union, and contact keys are built from union and branch.
/// </summary>
public sealed class MembershipAdmin(PipelineTables tables, MembershipRepository membership)
{
    /// <summary>Import transactions in flight at once.</summary>
    public const int ImportParallelism = 4;

    public Task<Union?> GetUnionAsync(UnionId unionId, CancellationToken cancellationToken = default) => membership.GetUnionAsync(unionId, cancellationToken);

    public Task<Branch?> GetBranchAsync(UnionId unionId, BranchId branchId, CancellationToken cancellationToken = default) =>
        membership.GetBranchAsync(unionId, branchId, cancellationToken);

    /// <summary>Counts the branch's contacts and stores the count on its row (the end of an import job; off any alert's path).</summary>
    public Task<BranchContactCount> RecountContactsAsync(UnionId unionId, BranchId branchId, NodaTime.Instant at, CancellationToken cancellationToken = default) =>
        membership.RecountContactsAsync(unionId, branchId, at, cancellationToken);

    public Task<IReadOnlyList<Branch>> GetBranchesAsync(UnionId unionId, CancellationToken cancellationToken = default) =>
        membership.GetBranchesAsync(unionId, cancellationToken);

    public async Task<WriteOutcome> AddBranchAsync(Branch branch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(branch);
        var table = await tables.GetAsync(PipelineTables.Branches, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.AddEntityAsync(new TableEntity(branch.UnionId.Value, branch.BranchId.Value)
            {
                ["UnionId"] = branch.UnionId.Value,
                ["BranchId"] = branch.BranchId.Value,
                ["Name"] = branch.Name,
            }, cancellationToken).ConfigureAwait(false);
            return WriteOutcome.Done;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return WriteOutcome.AlreadyExists;
        }
    }

    /// <summary>Deletes an empty branch; <see cref="WriteOutcome.NotEmpty"/> while it has contacts.</summary>
    public async Task<WriteOutcome> DeleteBranchAsync(UnionId unionId, BranchId branchId, CancellationToken cancellationToken = default)
    {
        if (await membership.GetBranchAsync(unionId, branchId, cancellationToken).ConfigureAwait(false) is null)
        {
            return WriteOutcome.NotFound;
        }

        var firstPage = await membership.GetContactsPageAsync(unionId, branchId, 1, null, cancellationToken).ConfigureAwait(false);
        if (firstPage.Contacts.Count > 0)
        {
            return WriteOutcome.NotEmpty;
        }

        var table = await tables.GetAsync(PipelineTables.Branches, cancellationToken).ConfigureAwait(false);
        return await table.DeleteEntityIfExistsAsync(unionId.Value, branchId.Value, cancellationToken: cancellationToken).ConfigureAwait(false)
            ? WriteOutcome.Done
            : WriteOutcome.NotFound;
    }

    public Task<ContactEntry?> GetContactAsync(UnionId unionId, BranchId branchId, ContactId contactId, CancellationToken cancellationToken = default) =>
        membership.GetContactAsync(unionId, branchId, contactId, cancellationToken);

    /// <summary>
    /// A page of the branch's contacts for the API. Its token is bound to the branch (<see cref="ContactPageToken"/>):
    /// a token this API did not issue for this branch throws <see cref="ArgumentException"/> (answer 400).
    /// </summary>
    public async Task<ContactPage> GetContactsPageAsync(UnionId unionId, BranchId branchId, int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        var partition = MembershipRepository.ContactPartition(unionId, branchId);
        var tableToken = continuationToken is null ? null : ContactPageToken.Unwrap(continuationToken, partition);
        var page = await membership.GetContactsPageAsync(unionId, branchId, pageSize, tableToken, cancellationToken).ConfigureAwait(false);
        return page.ContinuationToken is null ? page : page with { ContinuationToken = ContactPageToken.Wrap(page.ContinuationToken, partition) };
    }

    public async Task<WriteOutcome> AddContactAsync(ContactEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var table = await tables.GetAsync(PipelineTables.Contacts, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.AddEntityAsync(MembershipRepository.WriteContact(entry), cancellationToken).ConfigureAwait(false);
            return WriteOutcome.Done;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return WriteOutcome.AlreadyExists;
        }
    }

    /// <summary>Replaces an existing contact; <see cref="WriteOutcome.NotFound"/> when there is none (never creates one).</summary>
    public async Task<WriteOutcome> ReplaceContactAsync(ContactEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var table = await tables.GetAsync(PipelineTables.Contacts, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.UpdateEntityAsync(MembershipRepository.WriteContact(entry), ETag.All, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return WriteOutcome.Done;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return WriteOutcome.NotFound;
        }
    }

    public async Task<WriteOutcome> DeleteContactAsync(UnionId unionId, BranchId branchId, ContactId contactId, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(PipelineTables.Contacts, cancellationToken).ConfigureAwait(false);
        return await table.DeleteEntityIfExistsAsync(MembershipRepository.ContactPartition(unionId, branchId), contactId.Value, cancellationToken: cancellationToken).ConfigureAwait(false)
            ? WriteOutcome.Done
            : WriteOutcome.NotFound;
    }

    /// <summary>
    /// Upserts imported contacts in transactions of up to 100 (one branch = one partition), merging so that an existing
    /// contact's opt-outs (recorded by STOP or the union) survive a re-import; a phone or email left empty is cleared.
    /// </summary>
    public async Task ImportContactsAsync(IReadOnlyList<ContactEntry> entries, CancellationToken cancellationToken = default) =>
        await ImportContactsAsync(entries, ImportParallelism, cancellationToken).ConfigureAwait(false);

    /// <summary>As <see cref="ImportContactsAsync(IReadOnlyList{ContactEntry}, CancellationToken)"/> with <paramref name="parallelism"/> transactions in flight (benchmarks).</summary>
    public async Task ImportContactsAsync(IReadOnlyList<ContactEntry> entries, int parallelism, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var table = await tables.GetAsync(PipelineTables.Contacts, cancellationToken).ConfigureAwait(false);
        var batches = entries
            .GroupBy(e => MembershipRepository.ContactPartition(e.Contact.UnionId, e.Contact.BranchId))
            .SelectMany(partition => partition.DistinctBy(e => e.Contact.ContactId).Chunk(100));

        // Batches touch distinct rows, so they may run side by side; each is atomic on its own.
        await Parallel.ForEachAsync(
            batches,
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (batch, token) => await table.SubmitTransactionAsync(
                batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertMerge, ForImport(e))), token).ConfigureAwait(false))
            .ConfigureAwait(false);
    }

    private static TableEntity ForImport(ContactEntry entry)
    {
        var entity = MembershipRepository.WriteContact(entry);
        entity.Remove("SmsOptedOutAt");
        entity.Remove("EmailOptedOutAt");
        foreach (var cleared in new[] { "Phone", "Email", "PhoneError" })
        {
            entity[cleared] ??= string.Empty;
        }

        return entity;
    }
}

/// <summary>
/// The API's contacts page token: the table's token prefixed with a digest of the branch's partition, so a token
/// is only taken back for the branch that issued it, and anything else (a made-up string, another branch's token) is
/// refused with <see cref="ArgumentException"/> before any query.
/// </summary>
internal static class ContactPageToken
{
    private const char Separator = '~';

    public static string Wrap(string tableToken, string partition) => Prefix(partition) + Separator + tableToken;

    public static string Unwrap(string continuationToken, string partition)
    {
        var prefix = Prefix(partition) + Separator;
        return continuationToken.Length > prefix.Length && continuationToken.StartsWith(prefix, StringComparison.Ordinal)
            ? continuationToken[prefix.Length..]
            : throw new ArgumentException(
                "The continuation token is not one this API issued for this branch; pass back a page's token, or none to start.", nameof(continuationToken));
    }

    private static string Prefix(string partition) =>
        System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(partition)).AsSpan(0, 9));
}
