using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AlertPipeline.InfraTests;

/// <summary>
/// infra/ compiled once for the test class: <c>bicep build</c> and <c>bicep lint</c> on every template, and the parameters
/// file built with sample values. Local modules only, so nothing is restored from a registry.
/// </summary>
public sealed partial class CompiledInfrastructure : IAsyncLifetime
{
    /// <summary>Sample values for the parameters file's required settings (what <c>azd env set</c> provides).</summary>
    public static readonly IReadOnlyDictionary<string, string> SampleEnvironment = new Dictionary<string, string>
    {
        ["AZURE_ENV_NAME"] = "alerts-test",
        ["AZURE_LOCATION"] = "northeurope",
        ["TWILIO_MESSAGING_SERVICE_SID"] = "MG" + new string('0', 32),
        ["SMTP_HOST"] = "smtp.example.org",
        ["SMTP_USERNAME"] = "alerts",
        ["SMTP_FROM"] = "alerts@example.org",
    };

    private readonly string _output = Path.Combine(Path.GetTempPath(), "alertpipeline-infra-" + Guid.NewGuid().ToString("N"));

    public IReadOnlyList<string> Templates { get; } =
        Directory.GetFiles(Bicep.InfraDirectory, "*.bicep", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

    public string ParametersFile { get; } = Path.Combine(Bicep.InfraDirectory, "main.bicepparam");

    public BicepRun Build { get; private set; } = null!;

    public BicepRun Lint { get; private set; } = null!;

    public BicepRun BuildParameters { get; private set; } = null!;

    public BicepRun LintParameters { get; private set; } = null!;

    /// <summary>Every compiled template (infra-relative path without extension → ARM JSON).</summary>
    public IReadOnlyDictionary<string, JsonObject> Compiled { get; private set; } = new Dictionary<string, JsonObject>();

    public JsonObject Main => Compiled["main"];

    public JsonObject Parameters { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_output);
        var pattern = Path.Combine(Bicep.InfraDirectory, "**", "*.bicep");
        var build = Bicep.RunAsync(["build", "--pattern", pattern, "--outdir", _output]);
        var lint = Bicep.RunAsync(["lint", "--pattern", pattern]);
        var parametersJson = Path.Combine(_output, "main.parameters.json");
        var buildParameters = Bicep.RunAsync(["build-params", ParametersFile, "--outfile", parametersJson], SampleEnvironment);
        var lintParameters = Bicep.RunAsync(["lint", ParametersFile], SampleEnvironment);
        (Build, Lint, BuildParameters, LintParameters) = (await build, await lint, await buildParameters, await lintParameters);

        Compiled = Directory.GetFiles(_output, "*.json", SearchOption.AllDirectories)
            .Where(path => path != parametersJson)
            .ToDictionary(
                path => Path.ChangeExtension(Path.GetRelativePath(_output, path), null).Replace('\\', '/'),
                path => JsonNode.Parse(File.ReadAllText(path))!.AsObject());
        Parameters = File.Exists(parametersJson) ? JsonNode.Parse(File.ReadAllText(parametersJson))!.AsObject() : new JsonObject();
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_output, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Every resource of the deployment, modules' included (they compile to nested deployments with inline templates).</summary>
    public IEnumerable<DeployedResource> Resources() => ResourcesOf(Main, "main");

    public IEnumerable<DeployedResource> ResourcesOf(string type) =>
        Resources().Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase));

    /// <summary>The module deployment named <paramref name="deploymentName"/> (its <c>name</c> in main.bicep).</summary>
    public DeployedResource Module(string deploymentName) =>
        ResourcesOf("Microsoft.Resources/deployments").Single(d => d.Node["name"]?.GetValue<string>() == deploymentName);

    /// <summary>
    /// The value main.bicep passes to <paramref name="module"/>'s parameter: a literal, or a variable or a parameter default
    /// of main (the only indirections these templates use for lists).
    /// </summary>
    public JsonNode ModuleParameter(string module, string parameter)
    {
        var value = Module(module).Node["properties"]!["parameters"]![parameter]!["value"]!;
        if (value is JsonValue text && text.TryGetValue<string>(out var expression))
        {
            var match = ReferenceExpression().Match(expression);
            if (match.Success)
            {
                return match.Groups["kind"].Value == "variables"
                    ? Main["variables"]![match.Groups["name"].Value]!
                    : Main["parameters"]![match.Groups["name"].Value]!["defaultValue"]!;
            }
        }

        return value;
    }

    /// <summary>The function app's settings: the literal keys of the <c>appsettings</c> config resource, with their (ARM expression) values.</summary>
    public IReadOnlyDictionary<string, string> AppSettings() =>
        ResourcesOf("Microsoft.Web/sites/config")
            .Single(r => r.Node["name"]!.GetValue<string>().Contains("appsettings", StringComparison.Ordinal))
            .Node["properties"]!.AsObject()
            .ToDictionary(p => p.Key, p => p.Value!.ToJsonString(), StringComparer.OrdinalIgnoreCase);

    private static IEnumerable<DeployedResource> ResourcesOf(JsonObject template, string templateName)
    {
        var resources = template["resources"] switch
        {
            JsonArray array => array.Select(r => r!.AsObject()),
            JsonObject symbolic => symbolic.Select(p => p.Value!.AsObject()),
            _ => [],
        };
        foreach (var resource in resources)
        {
            yield return new DeployedResource(resource["type"]!.GetValue<string>(), resource, templateName);
            if (resource["properties"]?["template"] is JsonObject nested)
            {
                foreach (var inner in ResourcesOf(nested, resource["name"]!.GetValue<string>()))
                {
                    yield return inner;
                }
            }
        }
    }

    [GeneratedRegex(@"^\[(?<kind>variables|parameters)\('(?<name>\w+)'\)\]$")]
    private static partial Regex ReferenceExpression();
}

/// <summary>One resource of a compiled template, and the template (module deployment) that declares it.</summary>
public sealed record DeployedResource(string Type, JsonObject Node, string Template)
{
    public JsonNode? Properties => Node["properties"];
}
