using System.Text.Json;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Functions.Functions;
using AlertPipeline.Functions.Hosting;
using AlertPipeline.Testing;

namespace AlertPipeline.IntegrationTests.Functions;

/// <summary>
/// What the build hands to the Functions host: functions.metadata (every function, its trigger type, queues, schedule and
/// route), worker.config.json and host.json agree with the app and with each other.
/// </summary>
public sealed class FunctionsMetadataTests
{
    [Fact]
    public void Metadata_NamesEveryFunctionWithItsTriggerType()
    {
        var triggers = BuiltFunctionApp.Functions.ToDictionary(f => f.Name, f => f.TriggerType);

        triggers.Should().Contain(new Dictionary<string, string>
        {
            ["FanOut"] = "queueTrigger",
            ["FanOutChunk"] = "queueTrigger",
            ["SendSms"] = "queueTrigger",
            ["SendEmail"] = "queueTrigger",
            ["ContactImport"] = "queueTrigger",
            ["ApplySmsStatus"] = "queueTrigger",
            ["ScheduleTick"] = "timerTrigger",
            ["TwilioStatus"] = "httpTrigger",
            ["TwilioInbound"] = "httpTrigger",
            ["HealthCheck"] = "httpTrigger",
            ["ApiOpenApi"] = "httpTrigger",
            ["ApiKeys"] = "httpTrigger",
        });
        triggers.Should().HaveCount(7 + AppEndpoints.All.Count, "seven queue and timer functions, and one HTTP function per endpoint");
        BuiltFunctionApp.Functions.Should().OnlyContain(f => f.ScriptFile == "AlertPipeline.Functions.dll" && f.EntryPoint.StartsWith("AlertPipeline.Functions.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("FanOut", QueueNames.AlertEvents, new[] { QueueNames.FanOutChunks, QueueNames.AlertEventsPoison })]
    [InlineData("FanOutChunk", QueueNames.FanOutChunks, new[] { QueueNames.FanOutChunks })] // dispatch batches go through IDispatchQueue
    [InlineData("SendSms", QueueNames.SmsDispatch, new string[0])]
    [InlineData("SendEmail", QueueNames.EmailDispatch, new string[0])]
    [InlineData("ContactImport", QueueNames.ContactImports, new string[0])]
    [InlineData("ApplySmsStatus", QueueNames.SmsStatus, new string[0])] // poison entries with a reason are written by its consumer
    public void Metadata_QueueFunction_ReadsAndWritesItsQueues(string name, string queue, string[] outputs)
    {
        var function = BuiltFunctionApp.Functions.Single(f => f.Name == name);

        function.QueueName.Should().Be(queue);
        function.Trigger.TryGetProperty("connection", out _).Should().BeFalse("the default connection, AzureWebJobsStorage");
        function.OutputQueues.Should().BeEquivalentTo(outputs);
    }

    [Fact]
    public void Metadata_ScheduleTick_TakesItsScheduleFromASettingThatTheTemplateDefines()
    {
        var tick = BuiltFunctionApp.Functions.Single(f => f.Name == ScheduleTickFunction.Name);

        tick.Trigger.GetProperty("schedule").GetString().Should().Be("%ScheduleTick:Schedule%");
        tick.OutputQueues.Should().BeEmpty("the release sends its dispatch batches through IDispatchQueue, the configured transport");
        using var template = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Combine("local.settings.json.template")));
        var values = template.RootElement.GetProperty("Values");
        values.GetProperty("ScheduleTick__Schedule").GetString().Should().Be("0 */1 * * * *");
        values.GetProperty("FUNCTIONS_WORKER_RUNTIME").GetString().Should().Be("dotnet-isolated");
    }

    [Fact]
    public void Metadata_HttpFunctions_AreExactlyTheEndpointTable()
    {
        var built = BuiltFunctionApp.HttpFunctions.Select(f => (f.Name, f.Route, Methods: string.Join(",", f.Methods.Order()))).ToList();
        var table = AppEndpoints.All.Select(e => (e.Name, (string?)e.Route, Methods: string.Join(",", e.Methods.Order()))).ToList();

        built.Should().BeEquivalentTo(table, "the [HttpTrigger] of each function and the handler table the tests and the OpenAPI document use must agree");
        BuiltFunctionApp.HttpFunctions.Should().OnlyContain(f => f.Trigger.GetProperty("authLevel").GetString() == "Anonymous");
    }

    [Fact]
    public void WorkerConfig_StartsTheAppDllWithWorkerIndexing()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(BuiltFunctionApp.OutputDirectory, "worker.config.json")));
        var description = config.RootElement.GetProperty("description");

        description.GetProperty("language").GetString().Should().Be("dotnet-isolated");
        description.GetProperty("defaultWorkerPath").GetString().Should().Be("AlertPipeline.Functions.dll");
        description.GetProperty("workerIndexing").GetString().Should().Be("true");
    }

    [Fact]
    public void HostJson_IsAnIsolatedAppsConfiguration()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Combine("host.json")));
        var root = host.RootElement;

        root.GetProperty("version").GetString().Should().Be("2.0");
        root.TryGetProperty("customHandler", out _).Should().BeFalse();
        root.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString().Should().Be(HttpEndpoint.RoutePrefix);
        var queues = root.GetProperty("extensions").GetProperty("queues");
        queues.GetProperty("batchSize").GetInt32().Should().BeInRange(1, 32);
        queues.GetProperty("maxDequeueCount").GetInt32().Should().Be(5);
        queues.GetProperty("messageEncoding").GetString().Should().Be("base64");
        File.ReadAllText(Path.Combine(BuiltFunctionApp.OutputDirectory, "host.json")).Should().Be(
            File.ReadAllText(RepositoryPaths.Combine("host.json")), "the app carries the repository's host.json");
    }
}
