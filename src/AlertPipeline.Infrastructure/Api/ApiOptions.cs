namespace AlertPipeline.Infrastructure.Api;

/// <summary>Settings of the organiser API (section <c>Api</c>, docs/api.md).</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>Largest <see cref="LookupCacheSeconds"/>: a revoked key may work this long on another worker.</summary>
    public const int MaxLookupCacheSeconds = 300;

    /// <summary>Largest <see cref="LookupCacheEntries"/>.</summary>
    public const int MaxLookupCacheEntries = 100_000;

    /// <summary>SHA-256 (hex) of the bootstrap admin secret, which may manage any union's keys. Empty: no bootstrap admin.</summary>
    public string? AdminKeyHash { get; set; }

    /// <summary>Largest request body, except imports (bytes). Default 64 KiB.</summary>
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Largest CSV import body (bytes). Default 5 MiB.</summary>
    public int MaxImportBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>
    /// How long a worker keeps what it read before answering a read request (the key, the campaign role, the union, the
    /// alert: <see cref="ApiLookupCache"/>), in seconds. Default 10; 0: off (every request reads them).
    /// </summary>
    public int LookupCacheSeconds { get; set; } = 10;

    /// <summary>Entries each of those caches holds per worker at most. Default 1000.</summary>
    public int LookupCacheEntries { get; set; } = 1000;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!string.IsNullOrWhiteSpace(AdminKeyHash) && (AdminKeyHash.Trim().Length != 64 || !AdminKeyHash.Trim().All(char.IsAsciiHexDigit)))
        {
            errors.Add($"{SectionName}:{nameof(AdminKeyHash)} must be the SHA-256 of the admin secret as 64 hex digits.");
        }

        if (MaxBodyBytes < 1024)
        {
            errors.Add($"{SectionName}:{nameof(MaxBodyBytes)} must be at least 1024.");
        }

        if (MaxImportBytes < 1024)
        {
            errors.Add($"{SectionName}:{nameof(MaxImportBytes)} must be at least 1024.");
        }

        if (LookupCacheSeconds is < 0 or > MaxLookupCacheSeconds)
        {
            errors.Add($"{SectionName}:{nameof(LookupCacheSeconds)} must be between 0 (off) and {MaxLookupCacheSeconds} (it bounds how long a key revoked through another worker keeps working).");
        }

        if (LookupCacheEntries is < 1 or > MaxLookupCacheEntries)
        {
            errors.Add($"{SectionName}:{nameof(LookupCacheEntries)} must be between 1 and {MaxLookupCacheEntries}.");
        }

        return errors;
    }
}
