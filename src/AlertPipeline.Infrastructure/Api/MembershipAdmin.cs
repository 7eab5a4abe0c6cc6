using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Infrastructure.Storage.Tables;
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
        catch (TableEntityAlreadyExistsException)
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
        return await table.DeleteEntityAsync(unionId.Value, branchId.Value, cancellationToken: cancellationToken).ConfigureAwait(false)
            ? WriteOutcome.Done
            : WriteOutcome.NotFound;
    }

    public Task<ContactEntry?> GetContactAsync(UnionId unionId, BranchId branchId, ContactId contactId, CancellationToken cancellationToken = default) =>
        membership.GetContactAsync(unionId, branchId, contactId, cancellationToken);

    public Task<ContactPage> GetContactsPageAsync(UnionId unionId, BranchId branchId, int pageSize, string? continuationToken, CancellationToken cancellationToken = default) =>
        membership.GetContactsPageAsync(unionId, branchId, pageSize, continuationToken, cancellationToken);

    public async Task<WriteOutcome> AddContactAsync(ContactEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var table = await tables.GetAsync(PipelineTables.Contacts, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.AddEntityAsync(MembershipRepository.WriteContact(entry), cancellationToken).ConfigureAwait(false);
            return WriteOutcome.Done;
        }
        catch (TableEntityAlreadyExistsException)
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
        catch (TableEntityNotFoundException)
        {
            return WriteOutcome.NotFound;
        }
    }

    public async Task<WriteOutcome> DeleteContactAsync(UnionId unionId, BranchId branchId, ContactId contactId, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(PipelineTables.Contacts, cancellationToken).ConfigureAwait(false);
        return await table.DeleteEntityAsync(MembershipRepository.ContactPartition(unionId, branchId), contactId.Value, cancellationToken: cancellationToken).ConfigureAwait(false)
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
