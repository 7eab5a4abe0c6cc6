using AlertPipeline.Functions.Functions;
using AlertPipeline.Infrastructure.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace AlertPipeline.Functions.Hosting;

/// <summary>
/// Tells <see cref="TableTrafficGate"/> what runs: an HTTP-triggered invocation lowers the bulk slots while it runs; the
/// fan-out and the import job (<see cref="BulkFunctions"/>) are bulk, their table requests wait for a slot. Everything
/// else (sends, the ScheduleTick, webhooks, the API) is never held back. An HTTP request is also stamped with its arrival
/// (<see cref="RequestArrival"/>), from which the report's and the preview's budgets count.
/// </summary>
public sealed class InteractiveRequestMiddleware(TableTrafficGate gate, TimeProvider time) : IFunctionsWorkerMiddleware
{
    /// <summary>The functions whose table traffic is bulk: fan-out rows and import slices.</summary>
    public static readonly IReadOnlySet<string> BulkFunctions = new HashSet<string>(StringComparer.Ordinal)
    {
        FanOutFunction.Name, FanOutChunkFunction.Name, ContactImportFunction.Name,
    };

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (IsHttp(context.FunctionDefinition))
        {
            if (context.GetHttpContext() is { } http)
            {
                RequestArrival.Stamp(http, time.GetUtcNow());
            }

            using (gate.BeginInteractive())
            {
                await next(context).ConfigureAwait(false);
            }
        }
        else if (BulkFunctions.Contains(context.FunctionDefinition.Name))
        {
            using (TableTrafficGate.BeginBulk())
            {
                await next(context).ConfigureAwait(false);
            }
        }
        else
        {
            await next(context).ConfigureAwait(false);
        }
    }

    internal static bool IsHttp(FunctionDefinition function) =>
        function.InputBindings.Values.Any(b => b.Type.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase));
}
