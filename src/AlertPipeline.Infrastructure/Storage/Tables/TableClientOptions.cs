using Azure.Core;

namespace AlertPipeline.Infrastructure.Storage.Tables;

/// <summary>
/// Options for <see cref="TableServiceClient"/> and <see cref="TableClient"/>: the service version sent as
/// <c>x-ms-version</c>, plus Azure.Core's retry (408, 429 and 5xx are retried), network timeout and diagnostics.
/// </summary>
public sealed class TableClientOptions : ClientOptions
{
    /// <summary>The newest version this client speaks (and that Azurite 3.35 accepts).</summary>
    internal const ServiceVersion LatestVersion = ServiceVersion.V2019_02_02;

    public TableClientOptions(ServiceVersion version = LatestVersion)
    {
        Version = version;
        VersionString = version switch
        {
            ServiceVersion.V2019_02_02 => "2019-02-02",
            _ => throw new ArgumentOutOfRangeException(nameof(version), version, "Unknown Table service version."),
        };

        // A table operation that has not answered in 30 s is stuck; the pipeline retries it.
        Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        Diagnostics.LoggedHeaderNames.Add("x-ms-version");
        Diagnostics.LoggedHeaderNames.Add("x-ms-error-code");
        Diagnostics.LoggedHeaderNames.Add("x-ms-continuation-NextPartitionKey");
        Diagnostics.LoggedHeaderNames.Add("x-ms-continuation-NextRowKey");
    }

    /// <summary>Table service REST API versions.</summary>
    public enum ServiceVersion
    {
        /// <summary>2019-02-02, the version Azure.Data.Tables uses.</summary>
        V2019_02_02 = 1,
    }

    public ServiceVersion Version { get; }

    /// <summary>The <c>x-ms-version</c> header value, e.g. <c>2019-02-02</c>.</summary>
    public string VersionString { get; }
}
