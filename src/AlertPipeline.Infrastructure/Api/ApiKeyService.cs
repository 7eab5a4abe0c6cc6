using System.Security.Cryptography;
using System.Text;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Infrastructure.Persistence;
using Azure.Data.Tables;
using Azure;

namespace AlertPipeline.Infrastructure.Api;

/// <summary>A stored API key (never the key itself): its id (the first 16 hex digits of its hash), union, role and state.</summary>
public sealed record ApiKeyRecord(string KeyId, UnionId UnionId, ApiRole Role, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, string? ReplacedBy)
{
    public bool IsRevoked => RevokedAt is not null;
}

/// <summary>A key just created: <see cref="Secret"/> is shown once and stored nowhere.</summary>
public sealed record CreatedApiKey(ApiKeyRecord Record, string Secret)
{
    public override string ToString() => $"CreatedApiKey {{ {Record} }}";
}

public enum RotationOutcome
{
    /// <summary>The old key is revoked and <see cref="RotationResult.Created"/> replaces it.</summary>
    Rotated,

    /// <summary>The union has no key with this id.</summary>
    NotFound,

    /// <summary>The key is revoked (or was rotated or revoked by a concurrent request): nothing was created.</summary>
    Revoked,
}

/// <summary>What <see cref="ApiKeyService.RotateAsync"/> did; <see cref="Created"/> only when <see cref="RotationOutcome.Rotated"/>.</summary>
public sealed record RotationResult(RotationOutcome Outcome, CreatedApiKey? Created);

/// <summary>
/// API keys in the <c>ApiKeys</c> table, stored only as hashes: a key is <c>apk_</c> + base64url of 32 random bytes; its
/// SHA-256 (lowercase hex) is the RowKey and the hash's first 16 hex digits, the key id, the PartitionKey, so a request is
/// authenticated with one point read and a key can be found by id for rotation and revocation. Read requests may be
/// authenticated from <see cref="ApiLookupCache.Keys"/> (<see cref="FindBySecretCachedAsync"/>); a revocation or rotation
/// through this service evicts the key there at once.
/// </summary>
public sealed class ApiKeyService(PipelineTables tables, TimeProvider time, ApiLookupCache lookups)
{
    public const string TableName = "ApiKeys";
    public const string KeyPrefix = "apk_";
    private const int KeyIdLength = 16;

    /// <summary>SHA-256 of <paramref name="secret"/> (UTF-8), lowercase hex.</summary>
    public static string Hash(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
    }

    /// <summary>Whether <paramref name="secret"/> hashes to <paramref name="expectedHashHex"/> (compared in constant time).</summary>
    public static bool Matches(string secret, string? expectedHashHex)
    {
        if (string.IsNullOrWhiteSpace(expectedHashHex))
        {
            return false;
        }

        var actual = Encoding.ASCII.GetBytes(Hash(secret));
        var expected = Encoding.ASCII.GetBytes(expectedHashHex.Trim().ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    public async Task<CreatedApiKey> CreateAsync(UnionId unionId, ApiRole role, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(unionId);
        var secret = KeyPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var hash = Hash(secret);
        var record = new ApiKeyRecord(hash[..KeyIdLength], unionId, role, time.GetUtcNow(), null, null);
        var table = await tables.GetAsync(TableName, cancellationToken).ConfigureAwait(false);
        await table.AddEntityAsync(Write(record, hash), cancellationToken).ConfigureAwait(false);
        return new CreatedApiKey(record, secret);
    }

    /// <summary>The key's record (revoked keys too), or null when no key has this secret.</summary>
    public async Task<ApiKeyRecord?> FindBySecretAsync(string secret, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Length is 0 or > 200)
        {
            return null;
        }

        return await FindByHashAsync(Hash(secret), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// As <see cref="FindBySecretAsync"/>, but a record this worker read up to <see cref="ApiOptions.LookupCacheSeconds"/>
    /// ago answers (kept by the key's hash, never the key; unknown keys are not kept). For read requests only.
    /// </summary>
    public async Task<ApiKeyRecord?> FindBySecretCachedAsync(string secret, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Length is 0 or > 200)
        {
            return null;
        }

        var hash = Hash(secret);
        return await lookups.Keys.GetAsync(hash, c => FindByHashAsync(hash, c), cancellationToken).ConfigureAwait(false);
    }

    private async Task<ApiKeyRecord?> FindByHashAsync(string hash, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableName, cancellationToken).ConfigureAwait(false);
        var entity = await table.GetEntityOrNullAsync(hash[..KeyIdLength], hash, cancellationToken: cancellationToken).ConfigureAwait(false);
        return entity is null ? null : Read(entity);
    }

    /// <summary>The key with id <paramref name="keyId"/> in <paramref name="unionId"/>, or null (another union's key is null too).</summary>
    public async Task<ApiKeyRecord?> GetAsync(UnionId unionId, string keyId, CancellationToken cancellationToken = default)
    {
        var entity = await FindEntityAsync(unionId, keyId, cancellationToken).ConfigureAwait(false);
        return entity is null ? null : Read(entity);
    }

    /// <summary>
    /// Every key of <paramref name="unionId"/> (revoked ones too), oldest first: ids, roles and state, never a key or a hash.
    /// The table is keyed by key id, so this scans it with a filter on the union; the table holds a few keys per union.
    /// </summary>
    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(UnionId unionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(unionId);
        var table = await tables.GetAsync(TableName, cancellationToken).ConfigureAwait(false);
        var records = new List<ApiKeyRecord>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"UnionId eq {unionId.Value}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            records.Add(Read(entity));
        }

        return [.. records.OrderBy(r => r.CreatedAt).ThenBy(r => r.KeyId, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Revokes a key (idempotent); false when the union has no such key. The write is conditional on the ETag read, so a
    /// revocation racing a rotation never erases the rotation's <c>ReplacedBy</c>: it re-reads and finds the key revoked.
    /// </summary>
    public async Task<bool> RevokeAsync(UnionId unionId, string keyId, CancellationToken cancellationToken = default)
    {
        try
        {
            return await RevokeOnceAsync(unionId, keyId, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Also when the write failed: it may have happened all the same.
            lookups.KeyChanged(keyId);
        }
    }

    private async Task<bool> RevokeOnceAsync(UnionId unionId, string keyId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var entity = await FindEntityAsync(unionId, keyId, cancellationToken).ConfigureAwait(false);
            if (entity is null)
            {
                return false;
            }

            var record = Read(entity);
            if (record.IsRevoked)
            {
                return true;
            }

            var table = await tables.GetAsync(TableName, cancellationToken).ConfigureAwait(false);
            try
            {
                await table.UpdateEntityAsync(Write(record with { RevokedAt = time.GetUtcNow() }, entity.RowKey), entity.ETag, TableUpdateMode.Replace, cancellationToken)
                    .ConfigureAwait(false);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // Changed meanwhile (rotated or revoked by another request): read it again.
            }
        }
    }

    /// <summary>
    /// Replaces a working key with a new one of the same union and role, once: the old key is revoked (ReplacedBy = the
    /// new id) with a write conditional on the ETag it was read with, so of concurrent rotations of one key exactly one
    /// succeeds. The new key is written first and deleted again when the old one turns out revoked or changed meanwhile,
    /// so a failed rotation leaves no usable key behind and never leaves the caller without one.
    /// </summary>
    public async Task<RotationResult> RotateAsync(UnionId unionId, string keyId, CancellationToken cancellationToken = default)
    {
        try
        {
            return await RotateOnceAsync(unionId, keyId, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lookups.KeyChanged(keyId);
        }
    }

    private async Task<RotationResult> RotateOnceAsync(UnionId unionId, string keyId, CancellationToken cancellationToken)
    {
        var entity = await FindEntityAsync(unionId, keyId, cancellationToken).ConfigureAwait(false);
        if (entity is null)
        {
            return new RotationResult(RotationOutcome.NotFound, null);
        }

        var old = Read(entity);
        if (old.IsRevoked)
        {
            return new RotationResult(RotationOutcome.Revoked, null);
        }

        var created = await CreateAsync(unionId, old.Role, cancellationToken).ConfigureAwait(false);
        var table = await tables.GetAsync(TableName, cancellationToken).ConfigureAwait(false);
        var revoked = old with { RevokedAt = time.GetUtcNow(), ReplacedBy = created.Record.KeyId };
        try
        {
            await table.UpdateEntityAsync(Write(revoked, entity.RowKey), entity.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            // Someone else rotated or revoked it first: the key just made was never shown to anyone; take it back.
            await table.DeleteEntityAsync(created.Record.KeyId, Hash(created.Secret), ETag.All, CancellationToken.None).ConfigureAwait(false);
            return new RotationResult(RotationOutcome.Revoked, null);
        }

        return new RotationResult(RotationOutcome.Rotated, created);
    }

    private async Task<TableEntity?> FindEntityAsync(UnionId unionId, string keyId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unionId);
        if (keyId is not { Length: KeyIdLength } || !keyId.All(char.IsAsciiHexDigitLower))
        {
            return null;
        }

        var table = await tables.GetAsync(TableName, cancellationToken).ConfigureAwait(false);
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {keyId}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (entity.GetString("UnionId") == unionId.Value)
            {
                return entity;
            }
        }

        return null;
    }

    private static TableEntity Write(ApiKeyRecord record, string hash) => new(record.KeyId, hash)
    {
        ["UnionId"] = record.UnionId.Value,
        ["Role"] = record.Role.ToName(),
        ["CreatedAt"] = record.CreatedAt,
        ["RevokedAt"] = record.RevokedAt,
        ["ReplacedBy"] = record.ReplacedBy,
    };

    private static ApiKeyRecord Read(TableEntity e) => new(
        e.PartitionKey,
        e.Parse("UnionId", v => UnionId.TryParse(v, out var id) ? id : null),
        ApiRoles.TryParse(e.GetString("Role"), out var role) ? role : throw EntityValues.Corrupt(e, "Role", "is not a known role"),
        e.GetDateTimeOffset("CreatedAt") ?? throw EntityValues.Corrupt(e, "CreatedAt", "is missing"),
        e.GetDateTimeOffset("RevokedAt"),
        e.GetString("ReplacedBy"));
}
