using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Ports;
using NodaTime;

namespace AlertPipeline.Infrastructure.Persistence;

/// <summary>What a seed load did: counts of records stored and every issue (errors left records out; warnings did not).</summary>
public sealed record SeedReport(int Unions, int Branches, int Campaigns, int Subscriptions, int Contacts, int OptOuts, IReadOnlyList<SeedIssue> Issues)
{
    public IEnumerable<SeedIssue> Errors => Issues.Where(i => !i.IsWarning);

    public IEnumerable<SeedIssue> Warnings => Issues.Where(i => i.IsWarning);

    public override string ToString() =>
        $"{Unions} unions, {Branches} branches, {Campaigns} campaigns, {Subscriptions} subscriptions, {Contacts} contacts, {OptOuts} opt-outs; " +
        $"{Errors.Count()} errors, {Warnings.Count()} warnings";
}

/// <summary>
/// Loads a seed file (docs/seed.md): validates every record (<see cref="SeedParser"/>), reports the bad ones by index and
/// field, and upserts the rest (re-loading the same file changes nothing). Opt-outs go to the opt-out store by recipient
/// hash, as a STOP reply would record them.
/// </summary>
public sealed class SeedLoader(MembershipRepository membership, IOptOutStore optOuts, RecipientHasher hasher, TimeProvider time)
{
    public async Task<SeedReport> LoadFileAsync(string path, CancellationToken cancellationToken = default) =>
        await LoadAsync(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    public async Task<SeedReport> LoadAsync(string json, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        var now = Instant.FromDateTimeOffset(time.GetUtcNow());
        var data = SeedParser.Parse(json);
        foreach (var union in data.Unions)
        {
            await membership.UpsertUnionAsync(union, cancellationToken).ConfigureAwait(false);
        }

        foreach (var branch in data.Branches)
        {
            await membership.UpsertBranchAsync(branch, cancellationToken).ConfigureAwait(false);
        }

        foreach (var campaign in data.Campaigns)
        {
            await membership.UpsertCampaignAsync(campaign, cancellationToken).ConfigureAwait(false);
        }

        foreach (var subscription in data.Subscriptions)
        {
            await membership.UpsertSubscriptionAsync(subscription, cancellationToken).ConfigureAwait(false);
        }

        await membership.UpsertContactsAsync(data.Contacts, cancellationToken).ConfigureAwait(false);
        foreach (var (address, channel) in data.OptOuts)
        {
            var recipient = channel == Channel.Sms ? hasher.Hash(PhoneNumber.Parse(address)) : hasher.Hash(EmailAddress.Parse(address));
            await optOuts.OptOutAsync(recipient, channel, OptOutSource.Organiser, now, cancellationToken).ConfigureAwait(false);
        }

        return new SeedReport(
            data.Unions.Count, data.Branches.Count, data.Campaigns.Count, data.Subscriptions.Count, data.Contacts.Count, data.OptOuts.Count, data.Issues);
    }
}
