using AlertPipeline.LocalHost.Configuration;
using AlertPipeline.LocalHost.Queues;

namespace AlertPipeline.LocalHost.Http;

/// <summary>
/// An HTTP-triggered function: served at <see cref="Path"/> for <see cref="Trigger"/>'s methods. <see cref="Forward"/>
/// (host.json <c>enableForwardingHttpRequest</c> and exactly an httpTrigger plus an http output): the original request
/// goes to the handler on the same path and its response comes back as is; otherwise the request is wrapped in
/// <c>Data.&lt;trigger&gt;</c> and the response read from <c>Outputs.&lt;http output&gt;</c>.
/// </summary>
internal sealed record HttpFunction(
    string Name,
    HttpTriggerBinding Trigger,
    string Path,
    bool Forward,
    string? HttpOutputName,
    IReadOnlyList<OutputTarget> QueueOutputs);
