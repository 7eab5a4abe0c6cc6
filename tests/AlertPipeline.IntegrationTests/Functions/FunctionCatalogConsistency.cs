using System.Globalization;
using AlertPipeline.CustomHandler.Configuration;

namespace AlertPipeline.IntegrationTests.Functions;

/// <summary>
/// Compares the functions declared in code (FunctionCatalog) with the function.json files on disk and lists every
/// disagreement in words: a function without its function.json, a function.json without a function, or a binding whose
/// type, direction, data type, queue/entity name, connection, schedule, route, methods or auth level differ.
/// </summary>
internal static class FunctionCatalogConsistency
{
    public static IReadOnlyList<string> Compare(IEnumerable<FunctionDefinition> inCode, IEnumerable<FunctionDefinition> onDisk)
    {
        var problems = new List<string>();
        var disk = onDisk.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
        var code = inCode.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);

        foreach (var function in code.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            if (!disk.TryGetValue(function.Name, out var file))
            {
                problems.Add($"{function.Name}: registered in FunctionCatalog but functions/{function.Name}/function.json is missing.");
                continue;
            }

            if (!string.Equals(function.Name, file.Name, StringComparison.Ordinal))
            {
                problems.Add($"{function.Name}: the folder is named '{file.Name}'; names must match exactly (the host posts to /{file.Name}).");
            }

            var expected = function.Bindings.Select(Describe).ToList();
            var actual = file.Bindings.Select(Describe).ToList();
            foreach (var missing in expected.Except(actual))
            {
                problems.Add($"{function.Name}: the code declares [{missing}] but {file.SourcePath} does not.");
            }

            foreach (var extra in actual.Except(expected))
            {
                problems.Add($"{function.Name}: {file.SourcePath} declares [{extra}] but the code does not.");
            }
        }

        foreach (var file in disk.Values.Where(f => !code.ContainsKey(f.Name)).OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            problems.Add($"{file.Name}: {file.SourcePath} names no function in FunctionCatalog, so the host would call an endpoint that does not exist.");
        }

        return problems;
    }

    /// <summary>A canonical description of every property that matters to the host.</summary>
    public static string Describe(BindingDefinition binding)
    {
        var common = $"{binding.Type} '{binding.Name}' {binding.Direction.ToString().ToLowerInvariant()}"
                     + (binding.DataType == BindingDataType.Default ? "" : $" dataType={binding.DataType.ToString().ToLowerInvariant()}");
        var specific = binding switch
        {
            QueueTriggerBinding q => $"queueName={q.QueueName} connection={q.Connection}",
            QueueOutputBinding q => $"queueName={q.QueueName} connection={q.Connection}",
            ServiceBusTriggerBinding s => $"entity={s.EntityPath} connection={s.Connection} sessions={s.IsSessionsEnabled} cardinality={s.Cardinality}",
            ServiceBusOutputBinding s => $"entity={s.EntityPath} connection={s.Connection}",
            TimerTriggerBinding t => string.Create(CultureInfo.InvariantCulture, $"schedule={t.Schedule} runOnStartup={t.RunOnStartup} useMonitor={t.UseMonitor}"),
            HttpTriggerBinding h => $"route={h.Route ?? "(function name)"} methods={string.Join(",", h.Methods.Order(StringComparer.Ordinal))} authLevel={h.AuthLevel}",
            _ => "",
        };
        return specific.Length == 0 ? common : $"{common} {specific}";
    }
}
