namespace AlertPipeline.EndToEndTests.Pipeline;

/// <summary>
/// Pipeline end-to-end tests run one after another: each owns an Azurite (the app's queue names are fixed), a handler
/// process and sometimes a local host process, and several wait on leases and stuck-claim timeouts.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PipelineCollection
{
    public const string Name = "Pipeline";
}
