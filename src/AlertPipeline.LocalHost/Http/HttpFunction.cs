using AlertPipeline.LocalHost.Configuration;
using AlertPipeline.LocalHost.Queues;

namespace AlertPipeline.LocalHost.Http;

/// <summary>
/// An HTTP-triggered function: served at <see cref="Path"/> for <see cref="Trigger"/>'s methods; the original request is
/// forwarded to the worker's own HTTP server (the ASP.NET Core integration) and its response comes back as is.
/// </summary>
internal sealed record HttpFunction(
    string Name,
    HttpTriggerBinding Trigger,
    string Path,
    string? HttpOutputName,
    IReadOnlyList<OutputTarget> QueueOutputs);
