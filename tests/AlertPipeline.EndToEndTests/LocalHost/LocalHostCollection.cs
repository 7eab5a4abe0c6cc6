namespace AlertPipeline.EndToEndTests.LocalHost;

/// <summary>Local-host tests run one after another: each starts handler processes and some measure leases, so they should not fight for the two cores.</summary>
[CollectionDefinition(Name)]
public sealed class LocalHostCollection
{
    public const string Name = "LocalHost";
}
