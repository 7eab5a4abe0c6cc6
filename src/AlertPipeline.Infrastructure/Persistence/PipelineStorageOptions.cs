namespace AlertPipeline.Infrastructure.Persistence;

/// <summary>
/// Configuration of the pipeline's tables: section <c>Pipeline:Storage</c>. The storage account is the one the Functions
/// host uses (<c>AzureWebJobsStorage</c>) unless <see cref="ConnectionName"/> names another setting.
/// </summary>
public sealed class PipelineStorageOptions
{
    public const string SectionName = "Pipeline:Storage";

    /// <summary>
    /// The setting holding the connection: a connection string in <c>ConnectionStrings:{name}</c> or <c>{name}</c>, or an
    /// identity-based <c>{name}__tableServiceUri</c> (optional <c>{name}__clientId</c> for a user-assigned identity).
    /// Outside Azure, when the setting is missing, <c>UseDevelopmentStorage=true</c> (Azurite's default ports) is used.
    /// </summary>
    public string ConnectionName { get; set; } = "AzureWebJobsStorage";

    /// <summary>Put in front of every table name (letters and digits), so tests and demos can share one account.</summary>
    public string TablePrefix { get; set; } = string.Empty;

    /// <summary>Create the tables in the background when the app starts (they are also created on first use).</summary>
    public bool CreateTablesOnStart { get; set; } = true;

    /// <summary>
    /// Run the one-off <see cref="DeliveryAddressScrub"/> in the background when the app starts: Deliveries rows past
    /// Sending written before they dropped their address lose it (docs/storage.md). Idempotent; off by default because it
    /// scans the whole table: switch it on for one start, read the log line it writes, switch it off.
    /// </summary>
    public bool ScrubDeliveryAddressesOnStart { get; set; }

    /// <summary>Point reads run at most this many at a time (opt-out lookups of a page, fallback inserts).</summary>
    public int MaxParallelReads { get; set; } = 16;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionName))
        {
            errors.Add($"{SectionName}:{nameof(ConnectionName)} must name a setting.");
        }

        if (TablePrefix.Length > 40 || !TablePrefix.All(char.IsAsciiLetterOrDigit) || (TablePrefix.Length > 0 && !char.IsAsciiLetter(TablePrefix[0])))
        {
            errors.Add($"{SectionName}:{nameof(TablePrefix)} must be up to 40 ASCII letters and digits, starting with a letter.");
        }

        if (MaxParallelReads is < 1 or > 64)
        {
            errors.Add($"{SectionName}:{nameof(MaxParallelReads)} must be between 1 and 64.");
        }

        return errors;
    }
}
