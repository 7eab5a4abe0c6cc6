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

/// <summary>
/// API keys in the <c>ApiKeys</c> table, stored only as hashes: a key is <c>apk_</c> + base64url of 32 random bytes; its
/// SHA-256 (lowercase hex) is the RowKey and the hash's first 16 hex digits, the key id, the PartitionKey, so a request is
/// authenticated with one point read and a key can be found by id for rotation and revocation.
/// </summary>
public sealed class ApiKeyService(PipelineTables tables, TimeProvider time)
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

        var hash = Hash(secret);
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

    /// <summary>Revokes a key (idempotent); false when the union has no such key.</summary>
    public async Task<bool> RevokeAsync(UnionId unionId, string keyId, CancellationToken cancellationToken = default) =>
        await RevokeCoreAsync(unionId, keyId, replacedBy: null, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>Creates a key with the same union and role and revokes the old one; null when the union has no such key.</summary>
    public async Task<CreatedApiKey?> RotateAsync(UnionId unionId, string keyId, CancellationToken cancellationToken = default)
    {
        var old = await GetAsync(unionId, keyId, cancellationToken).ConfigureAwait(false);
        if (old is null)
        {
            return null;
        }

        var created = await CreateAsync(unionId, old.Role, cancellationToken).ConfigureAwait(false);
        await RevokeCoreAsync(unionId, keyId, created.Record.KeyId, cancellationToken).ConfigureAwait(false);
        return created;
    }

    private async Task<ApiKeyRecord?> RevokeCoreAsync(UnionId unionId, string keyId, string? replacedBy, CancellationToken cancellationToken)
    {
        var entity = await FindEntityAsync(unionId, keyId, cancellationToken).ConfigureAwait(false);
        if (entity is null)
        {
            return null;
        }

        var record = Read(entity);
        if (record.IsRevoked)
        {
            return record;
        }

        var table = await tables.GetAsync(TableName, cancellationToken).ConfigureAwait(false);
        var revoked = record with { RevokedAt = time.GetUtcNow(), ReplacedBy = replacedBy };
        await table.UpdateEntityAsync(Write(revoked, entity.RowKey), ETag.All, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        return revoked;
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
