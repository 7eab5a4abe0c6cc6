using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AlertPipeline.InfraTests;

/// <summary>
/// infra/ compiles and lints cleanly, and the compiled deployment gives the app everything its code asks for:
/// the isolated-worker runtime, identity-based connections only, the queues and tables, and every required setting.
/// </summary>
public sealed partial class InfrastructureTemplateTests(CompiledInfrastructure infra) : IClassFixture<CompiledInfrastructure>
{
    [Fact]
    public void EveryTemplate_Builds_WithoutErrorsOrWarnings()
    {
        infra.Templates.Should().Contain(t => t.EndsWith("main.bicep", StringComparison.Ordinal)).And.HaveCountGreaterThan(1);
        infra.Build.ExitCode.Should().Be(0, infra.Build.ToString());
        infra.Build.Diagnostics.Should().BeEmpty();
        var compiled = infra.Templates.Select(t => Path.ChangeExtension(Path.GetRelativePath(Bicep.InfraDirectory, t), null).Replace('\\', '/'));
        infra.Compiled.Keys.Should().BeEquivalentTo(compiled, "every template compiles to ARM JSON");
    }

    [Fact]
    public void EveryTemplate_Lints_WithoutErrorsOrWarnings()
    {
        infra.Lint.ExitCode.Should().Be(0, infra.Lint.ToString());
        infra.Lint.Diagnostics.Should().BeEmpty();
    }

    [Fact]
    public void ParametersFile_BuildsAndLints_WithTheRequiredEnvironment()
    {
        infra.BuildParameters.ExitCode.Should().Be(0, infra.BuildParameters.ToString());
        infra.BuildParameters.Diagnostics.Should().BeEmpty();
        infra.LintParameters.ExitCode.Should().Be(0, infra.LintParameters.ToString());
        infra.LintParameters.Diagnostics.Should().BeEmpty();
        var values = infra.Parameters["parameters"]!.AsObject();
        values["twilioMessagingServiceSid"]!["value"]!.GetValue<string>().Should().Be(CompiledInfrastructure.SampleEnvironment["TWILIO_MESSAGING_SERVICE_SID"]);
        values["environmentName"]!["value"]!.GetValue<string>().Should().Be("alerts-test");
    }

    [Fact]
    public async Task ParametersFile_WithoutTheTwilioAndSmtpSettings_FailsNamingThem()
    {
        var run = await Bicep.RunAsync(["build-params", infra.ParametersFile, "--stdout"]);

        run.ExitCode.Should().NotBe(0);
        run.StandardError.Should().Contain("TWILIO_MESSAGING_SERVICE_SID").And.Contain("SMTP_HOST").And.Contain("SMTP_USERNAME").And.Contain("SMTP_FROM");
    }

    [Fact]
    public void Templates_UseLocalModulesOnly()
    {
        var modules = infra.Templates.SelectMany(template => ModuleReference().Matches(File.ReadAllText(template))
            .Select(m => (Template: template, Path: m.Groups["path"].Value))).ToList();

        modules.Should().NotBeEmpty();
        foreach (var (template, path) in modules)
        {
            path.Should().NotContain(":", $"{template} must not restore modules from a registry");
            File.Exists(Path.Combine(Path.GetDirectoryName(template)!, path)).Should().BeTrue($"{template} references the local file {path}");
        }
    }

    [Fact]
    public void FunctionApp_RunsTheIsolatedWorker_AtTheAppsDotnetVersion_OnFlexConsumption()
    {
        var plan = infra.ResourcesOf("Microsoft.Web/serverfarms").Single();
        plan.Node["sku"]!["name"]!.GetValue<string>().Should().Be("FC1");
        plan.Node["sku"]!["tier"]!.GetValue<string>().Should().Be("FlexConsumption");

        var app = infra.ResourcesOf("Microsoft.Web/sites").Single();
        app.Node["kind"]!.GetValue<string>().Should().Be("functionapp,linux");
        app.Node["identity"]!["type"]!.GetValue<string>().Should().Be("SystemAssigned");
        var config = app.Properties!["functionAppConfig"]!;
        config["runtime"]!["name"]!.GetValue<string>().Should().Be("dotnet-isolated");
        config["runtime"]!["version"]!.GetValue<string>().Should().Be("[parameters('dotnetVersion')]");
        infra.ModuleParameter(app.Template, "dotnetVersion").GetValue<string>().Should().Be(AppSurface.DotnetVersion);
        config["deployment"]!["storage"]!["type"]!.GetValue<string>().Should().Be("blobContainer");
        config["deployment"]!["storage"]!["authentication"]!["type"]!.GetValue<string>().Should().Be("SystemAssignedIdentity");

        // Flex Consumption takes the runtime from functionAppConfig; these settings are not allowed there.
        infra.AppSettings().Keys.Should().NotContain(["FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE", "AzureWebJobsStorage"]);
    }

    [Fact]
    public void FunctionApp_KeepsAnInstanceAlwaysReady_ForTheDispatchProcessor()
    {
        var app = infra.ResourcesOf("Microsoft.Web/sites").Single();
        var alwaysReady = app.Properties!["functionAppConfig"]!["scaleAndConcurrency"]!["alwaysReady"]!.AsArray().Single()!;
        alwaysReady["name"]!.GetValue<string>().Should().Be("http");
        alwaysReady["instanceCount"]!.GetValue<string>().Should().Be("[parameters('alwaysReadyInstances')]");

        var declared = infra.Main["parameters"]!["alwaysReadyInstances"]!;
        declared["minValue"]!.GetValue<int>().Should().BeGreaterThanOrEqualTo(1);
        declared["defaultValue"]!.GetValue<int>().Should().BeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public void Templates_HoldNoKeysAndNoConnectionStringsWithKeys()
    {
        foreach (var (name, template) in infra.Compiled)
        {
            var text = template.ToJsonString();
            foreach (var forbidden in new[] { "listKeys(", "listkeys(", "listConnectionStrings(", "listSecrets(", "listAuthKeys(", "AccountKey=", "SharedAccessKey", "DefaultEndpointsProtocol=", "InstrumentationKey=" })
            {
                text.Should().NotContain(forbidden, $"{name} must not carry a key");
            }
        }

        var storage = infra.ResourcesOf("Microsoft.Storage/storageAccounts").Single();
        storage.Properties!["allowSharedKeyAccess"]!.GetValue<bool>().Should().BeFalse();
        storage.Properties!["allowBlobPublicAccess"]!.GetValue<bool>().Should().BeFalse();
        infra.ResourcesOf("Microsoft.ServiceBus/namespaces").Single().Properties!["disableLocalAuth"]!.GetValue<bool>().Should().BeTrue();
        infra.ResourcesOf("Microsoft.Insights/components").Single().Properties!["DisableLocalAuth"]!.GetValue<bool>().Should().BeTrue();
        infra.ResourcesOf("Microsoft.KeyVault/vaults").Single().Properties!["enableRbacAuthorization"]!.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public void EveryConnectionTheAppUses_IsIdentityBased()
    {
        var settings = infra.AppSettings();
        AppSurface.ConnectionNames.Should().Contain("AzureWebJobsStorage");

        foreach (var connection in AppSurface.ConnectionNames)
        {
            settings.Keys.Should().NotContain([connection, $"ConnectionStrings__{connection}"], $"{connection} must not be a connection string");
            var identity = settings.Keys.Where(k => k.StartsWith(connection + "__", StringComparison.OrdinalIgnoreCase)).Select(k => k[(connection.Length + 2)..]).ToList();
            var serviceBus = identity.Contains("fullyQualifiedNamespace", StringComparer.OrdinalIgnoreCase);
            var storageAccount = identity.Contains("accountName", StringComparer.OrdinalIgnoreCase)
                || StorageServiceUris.All(uri => identity.Contains(uri, StringComparer.OrdinalIgnoreCase));
            (serviceBus || storageAccount).Should().BeTrue(
                $"{connection} needs {connection}__fullyQualifiedNamespace (Service Bus) or {connection}__accountName / __blobServiceUri, __queueServiceUri, __tableServiceUri (Storage); the template sets [{string.Join(", ", identity)}]");
        }
    }

    [Fact]
    public void EveryQueueTheAppUses_IsCreated_DispatchQueuesOnServiceBus()
    {
        var storageQueues = Strings(infra.ModuleParameter("storage", "queueNames"));
        var serviceBusQueues = Strings(infra.ModuleParameter("servicebus", "queueNames"));
        AppSurface.Queues.Should().NotBeEmpty();

        serviceBusQueues.Should().BeEquivalentTo(AppSurface.DispatchQueues, "the dispatch queues are Service Bus queues in Azure");
        foreach (var queue in AppSurface.Queues.Except(AppSurface.DispatchQueues))
        {
            storageQueues.Should().Contain(queue, $"the app uses the Storage queue {queue}");
        }

        // The Functions host moves a message that keeps failing to {queue}-poison.
        foreach (var queue in storageQueues.Where(q => !q.EndsWith("-poison", StringComparison.Ordinal)))
        {
            storageQueues.Should().Contain(queue + "-poison");
        }
    }

    [Fact]
    public void ServiceBusQueues_DetectDuplicates_AndDeadLetter()
    {
        var queues = infra.ResourcesOf("Microsoft.ServiceBus/namespaces/queues").Single().Properties!;
        queues["requiresDuplicateDetection"]!.GetValue<bool>().Should().BeTrue();
        queues["deadLetteringOnMessageExpiration"]!.GetValue<bool>().Should().BeTrue();
        queues["duplicateDetectionHistoryTimeWindow"].Should().NotBeNull();
        queues["maxDeliveryCount"].Should().NotBeNull();
        queues["lockDuration"].Should().NotBeNull();
        queues["defaultMessageTimeToLive"].Should().NotBeNull();
        var sku = infra.ResourcesOf("Microsoft.ServiceBus/namespaces").Single().Node["sku"]!["name"]!.GetValue<string>();
        sku.Should().NotBe("Basic", "Basic has no duplicate detection");
    }

    [Fact]
    public void EveryTableTheAppUses_IsCreated()
    {
        var tables = Strings(infra.ModuleParameter("storage", "tableNames"));
        AppSurface.Tables.Should().Contain(["Deliveries", "ApiKeys", "Schedules"], "the tables are read from the code");

        tables.Should().Contain(AppSurface.Tables);
    }

    [Fact]
    public void EveryBlobContainerTheAppUses_IsCreated_Private()
    {
        var containers = Strings(infra.ModuleParameter("storage", "containerNames"));
        AppSurface.BlobContainers.Should().Contain("contact-imports", "the containers are read from the code");

        containers.Should().Contain(AppSurface.BlobContainers);
        infra.ResourcesOf("Microsoft.Storage/storageAccounts/blobServices/containers")
            .Should().OnlyContain(c => c.Properties!["publicAccess"]!.GetValue<string>() == "None", "uploaded member lists are never public");
    }

    [Fact]
    public void EverySettingTheAppRequires_IsSetByTheTemplate()
    {
        var settings = infra.AppSettings().Keys.Select(k => k.Replace("__", ":", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var required = AppSurface.Options.SelectMany(o => o.RequiredWithoutSettings()).ToList();
        required.Should().NotBeEmpty("the channels' options require their credentials");
        AppSurface.NamedSettings.Should().NotBeEmpty();

        foreach (var anyOf in required)
        {
            anyOf.Should().Contain(key => settings.Contains(key), $"the app requires one of [{string.Join(", ", anyOf)}] at start-up");
        }

        settings.Should().Contain(AppSurface.NamedSettings);
        foreach (var setting in AppSurface.BindingExpressionSettings)
        {
            settings.Should().Contain(setting, "a function's binding names it (%{0}%)", setting);
        }
    }

    [Fact]
    public void EveryAppSetting_IsReadByTheApp()
    {
        foreach (var key in infra.AppSettings().Keys)
        {
            var path = key.Replace("__", ":", StringComparison.Ordinal);
            if (key.StartsWith("APPLICATIONINSIGHTS_", StringComparison.Ordinal) || AppSurface.NamedSettings.Contains(key)
                || AppSurface.BindingExpressionSettings.Contains(path, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            if (AppSurface.ConnectionNames.Any(c => path.StartsWith(c + ":", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            var section = AppSurface.Options.Select(o => o.Section).Where(s => path.StartsWith(s + ":", StringComparison.OrdinalIgnoreCase)).MaxBy(s => s.Length);
            section.Should().NotBeNull($"the setting {key} must belong to an options section, a connection or a named setting of the app");
            var property = path[(section!.Length + 1)..];
            var keys = AppSurface.Options.Where(o => o.Section == section).SelectMany(o => o.Keys)
                .Concat(AppSurface.UnnamedOptionsFor(section).SelectMany(t => new OptionsClass(t, section).Keys));
            keys.Should().Contain(k => k.Equals(property, StringComparison.OrdinalIgnoreCase), $"{key} must name a property bound from section {section}");
        }
    }

    [Fact]
    public void SecretSettings_AreKeyVaultReferences_AndTheDeployGuideSetsEachSecret()
    {
        var settings = infra.AppSettings();
        var secrets = settings.Where(s => SecretName().IsMatch(s.Key)).ToList();
        secrets.Select(s => s.Key).Should().Contain(["RecipientHashKey", "Twilio__AuthToken", "Smtp__Password"]);

        var guide = File.ReadAllText(Path.Combine(Bicep.RepositoryRoot, "docs", "deploy.md"));
        foreach (var (key, value) in secrets)
        {
            var reference = KeyVaultReference().Match(value);
            reference.Success.Should().BeTrue($"{key} must be a Key Vault reference, not a value ({value})");
            guide.Should().Contain(reference.Groups["secret"].Value, $"docs/deploy.md must say how to set the secret behind {key}");
        }
    }

    [Fact]
    public void RoleAssignments_GrantDataRolesOnly()
    {
        var assignments = infra.ResourcesOf("Microsoft.Authorization/roleAssignments").ToList();
        assignments.Should().NotBeEmpty();
        var roles = infra.Compiled["modules/roles"]["variables"]!["roles"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());

        roles.Values.Should().NotContain([Owner, Contributor, UserAccessAdministrator, ServiceBusDataOwner]);
        roles.Values.Should().Contain([ServiceBusDataSender, ServiceBusDataReceiver, KeyVaultSecretsUser]);
        foreach (var assignment in assignments)
        {
            assignment.Properties!["roleDefinitionId"]!.GetValue<string>().Should().NotMatchRegex(
                "[0-9a-f]{8}-[0-9a-f]{4}-", "every assignment takes its role from the vetted roles table");
        }
    }

    private static readonly string[] StorageServiceUris = ["blobServiceUri", "queueServiceUri", "tableServiceUri"];

    private const string Owner = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
    private const string Contributor = "b24988ac-6180-42a0-ab88-20f7382dd24c";
    private const string UserAccessAdministrator = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
    private const string ServiceBusDataOwner = "090c5cfd-751d-490a-894a-3ce6f1109419";
    private const string ServiceBusDataSender = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39";
    private const string ServiceBusDataReceiver = "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";

    private static List<string> Strings(JsonNode node) => node.AsArray().Select(n => n!.GetValue<string>()).ToList();

    [GeneratedRegex(@"^\s*module\s+\w+\s+'(?<path>[^']+)'", RegexOptions.Multiline)]
    private static partial Regex ModuleReference();

    [GeneratedRegex("(Token|Password|Secret|Key|KeyHash|AccountSid)$")]
    private static partial Regex SecretName();

    [GeneratedRegex(@"@Microsoft\.KeyVault\(VaultName=\{0\};SecretName=(?<secret>[a-z0-9-]+)\)")]
    private static partial Regex KeyVaultReference();
}
