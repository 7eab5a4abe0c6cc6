namespace AlertPipeline.Infrastructure.Storage;

/// <summary>
/// An Azure Storage connection string, parsed once: <c>UseDevelopmentStorage=true</c>, an account name and key
/// with explicit or derived endpoints, or endpoints alone (for token credentials).
/// </summary>
public sealed record StorageConnectionString(
    string AccountName,
    StorageSharedKeyCredential? Credential,
    Uri? QueueEndpoint,
    Uri? TableEndpoint,
    Uri? BlobEndpoint)
{
    public const string DevelopmentAccountName = "devstoreaccount1";
    public const string DevelopmentAccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>The endpoint for a service, or a clear error when the connection string has none.</summary>
    public Uri EndpointFor(StorageService service) => service switch
    {
        StorageService.Queue => QueueEndpoint,
        StorageService.Table => TableEndpoint,
        StorageService.Blob => BlobEndpoint,
        _ => null,
    } ?? throw new InvalidOperationException($"The storage connection string has no {service} endpoint.");

    public static StorageConnectionString Parse(string connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new FormatException("The storage connection string is empty.");
        }

        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = segment.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"The storage connection string has a segment without a name: '{Redact(segment)}'.");
            }

            parts[segment[..eq].Trim()] = segment[(eq + 1)..].Trim();
        }

        if (parts.TryGetValue("UseDevelopmentStorage", out var dev) && bool.TryParse(dev, out var useDev) && useDev)
        {
            var proxy = parts.TryGetValue("DevelopmentStorageProxyUri", out var p) ? p.TrimEnd('/') : "http://127.0.0.1";
            return new StorageConnectionString(
                DevelopmentAccountName,
                new StorageSharedKeyCredential(DevelopmentAccountName, DevelopmentAccountKey),
                new Uri($"{proxy}:10001/{DevelopmentAccountName}"),
                new Uri($"{proxy}:10002/{DevelopmentAccountName}"),
                new Uri($"{proxy}:10000/{DevelopmentAccountName}"));
        }

        parts.TryGetValue("AccountName", out var account);
        parts.TryGetValue("AccountKey", out var key);
        var protocol = parts.TryGetValue("DefaultEndpointsProtocol", out var proto) ? proto : "https";
        var suffix = parts.TryGetValue("EndpointSuffix", out var sfx) ? sfx : "core.windows.net";

        Uri? Endpoint(string name, string service)
        {
            if (parts.TryGetValue(name, out var explicitEndpoint))
            {
                return Uri.TryCreate(explicitEndpoint, UriKind.Absolute, out var uri)
                    ? uri
                    : throw new FormatException($"The storage connection string's {name} is not an absolute URL.");
            }

            return account is null ? null : new Uri($"{protocol}://{account}.{service}.{suffix}");
        }

        var queue = Endpoint("QueueEndpoint", "queue");
        var table = Endpoint("TableEndpoint", "table");
        var blob = Endpoint("BlobEndpoint", "blob");
        if (queue is null && table is null && blob is null)
        {
            throw new FormatException("The storage connection string names neither an AccountName nor any service endpoint.");
        }

        account ??= AccountFromEndpoint(queue ?? table ?? blob!);
        return new StorageConnectionString(
            account,
            string.IsNullOrEmpty(key) ? null : new StorageSharedKeyCredential(account, key),
            queue,
            table,
            blob);
    }

    private static string AccountFromEndpoint(Uri endpoint)
    {
        // Path-style (emulator): http://127.0.0.1:10001/devstoreaccount1; host-style: https://acct.queue.core.windows.net
        var path = endpoint.AbsolutePath.Trim('/');
        return path.Length > 0 ? path.Split('/')[0] : endpoint.Host.Split('.')[0];
    }

    private static string Redact(string segment) => segment.Length <= 12 ? segment : segment[..12] + "…";

    public override string ToString() => $"StorageConnectionString {{ AccountName = {AccountName}, Queue = {QueueEndpoint}, Table = {TableEndpoint} }}";
}

public enum StorageService
{
    Blob,
    Queue,
    Table,
}
