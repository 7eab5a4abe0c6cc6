using System.Text;
using AlertPipeline.LocalHost.Configuration;
using AlertPipeline.LocalHost.Grpc.Messages;

namespace AlertPipeline.LocalHost.Grpc;

/// <summary>
/// The worker's function metadata as the host's model: each function's <c>raw_bindings</c> are the binding objects a
/// function.json would hold, read (and validated, <c>%Setting%</c> resolved) by the same reader.
/// </summary>
internal static class WorkerFunctions
{
    public static FunctionAppLayout ToLayout(string scriptRoot, HostJson host, IReadOnlyList<RpcFunctionMetadata> functions, Func<string, string?> appSettings)
    {
        var definitions = new List<FunctionDefinition>();
        foreach (var function in functions)
        {
            var json = new StringBuilder("{\"bindings\":[").AppendJoin(',', function.RawBindings).Append("]}").ToString();
            try
            {
                definitions.Add(FunctionDefinition.Parse(function.Name, json, $"functions.metadata ({function.Name}, as the worker reported it)", appSettings));
            }
            catch (FunctionAppConfigurationException ex)
            {
                throw new LocalHostConfigurationException(ex.Message, ex);
            }
        }

        try
        {
            return FunctionAppLayout.Create(scriptRoot, host, definitions);
        }
        catch (FunctionAppConfigurationException ex)
        {
            throw new LocalHostConfigurationException(ex.Message, ex);
        }
    }
}
