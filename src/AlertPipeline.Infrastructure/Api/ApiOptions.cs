namespace AlertPipeline.Infrastructure.Api;

/// <summary>Settings of the organiser API (section <c>Api</c>, docs/api.md).</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>SHA-256 (hex) of the bootstrap admin secret, which may manage any union's keys. Empty: no bootstrap admin.</summary>
    public string? AdminKeyHash { get; set; }

    /// <summary>Largest request body, except imports (bytes). Default 64 KiB.</summary>
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Largest CSV import body (bytes). Default 5 MiB.</summary>
    public int MaxImportBytes { get; set; } = 5 * 1024 * 1024;

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

        return errors;
    }
}
