using AlertPipeline.Infrastructure.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace AlertPipeline.Functions.Hosting;

/// <summary>
/// Marks every HTTP-triggered invocation interactive for <see cref="TableTrafficGate"/>: its table requests go first, and
/// while it runs the worker's background table requests (queue and timer functions) get fewer slots.
/// </summary>
public sealed class InteractiveRequestMiddleware(TableTrafficGate gate) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!IsHttp(context.FunctionDefinition))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        using (gate.BeginInteractive())
        {
            await next(context).ConfigureAwait(false);
        }
    }

    internal static bool IsHttp(FunctionDefinition function) =>
        function.InputBindings.Values.Any(b => b.Type.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase));
}
