using AlertPipeline.CustomHandler;

namespace AlertPipeline.Functions.Hosting;

/// <summary>
/// A function the host invokes with <c>POST /{Name}</c> (queue, Service Bus and timer triggers). Implementations are thin:
/// decode the payload with the <see cref="InvocationRequest"/> accessors, call one handler, build the outputs with
/// <see cref="InvocationResponseBuilder"/>. Resolved from DI per invocation (scoped), so constructor injection works.
/// Throw to fail the invocation (the message is retried, then poisoned); throw <see cref="InvocationFailedException"/>
/// for a deliberate failure with a reason that is safe to log.
/// </summary>
public interface IFunction
{
    Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken);
}
