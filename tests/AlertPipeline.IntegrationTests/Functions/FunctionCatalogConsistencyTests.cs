using AlertPipeline.CustomHandler.Configuration;
using AlertPipeline.Functions;
using AlertPipeline.Functions.Hosting;
using AlertPipeline.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AlertPipeline.IntegrationTests.Functions;

/// <summary>
/// function.json files are written by hand (functions/&lt;Name&gt;/function.json); these tests hold them, host.json and the
/// code registry (FunctionCatalog) and the mapped endpoints together.
/// </summary>
public sealed class FunctionCatalogConsistencyTests
{
    private static readonly FunctionAppLayout Repository = FunctionAppLayout.Load(RepositoryPaths.Root);

    [Fact]
    public void Catalog_MatchesTheFunctionJsonFiles()
    {
        var problems = FunctionCatalogConsistency.Compare(FunctionCatalog.All.Select(r => r.Definition), Repository.Functions);

        problems.Should().BeEmpty();
    }

    [Fact]
    public void EveryFunction_HasItsEndpoint()
    {
        using var factory = new WebApplicationFactory<Program>();
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

        foreach (var function in Repository.Functions)
        {
            if (function.Trigger is HttpTriggerBinding http)
            {
                var path = FunctionRoutes.Http.PathFor(http.EffectiveRoute(function.Name)).TrimStart('/');
                var endpoint = endpoints.SingleOrDefault(e => e.RoutePattern.RawText?.TrimStart('/') == path);
                endpoint.Should().NotBeNull($"{function.SourcePath} is forwarded to /{path}");
                var methods = endpoint!.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? [];
                methods.Select(m => m.ToLowerInvariant()).Should().BeEquivalentTo(http.Methods, $"{function.SourcePath} lists the methods");
            }
            else
            {
                var endpoint = endpoints.SingleOrDefault(e => e.RoutePattern.RawText?.TrimStart('/') == function.Name);
                endpoint.Should().NotBeNull($"the host POSTs invocations of {function.Name} to /{function.Name}");
                endpoint!.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()!.HttpMethods.Should().Equal("POST");
            }
        }
    }

    [Fact]
    public void HostJson_DescribesThisApp()
    {
        var host = Repository.Host;

        host.Http.RoutePrefix.Should().Be(FunctionRoutes.RoutePrefix, "the app maps HTTP functions under FunctionRoutes.RoutePrefix");
        host.CustomHandler!.EnableForwardingHttpRequest.Should().BeTrue("HTTP functions are served as forwarded requests");
        host.CustomHandler!.Description.DefaultExecutablePath.Should().Be("handler/AlertPipeline.Functions", "scripts/publish.sh puts the handler there");
        host.ExtensionBundle.Should().Be(new ExtensionBundle("Microsoft.Azure.Functions.ExtensionBundle", "[4.*, 5.0.0)"));
        host.Queues.MessageEncoding.Should().Be(QueueMessageEncoding.Base64);
        host.Queues.MaxDequeueCount.Should().Be(5);
        var start = Repository.ResolveHandlerStartInfo(name => name == "FUNCTIONS_CUSTOMHANDLER_PORT" ? "7123" : null);
        start.Arguments.Should().Equal("--urls", "http://127.0.0.1:7123");
    }

    [Fact]
    public void Compare_FunctionWithoutItsFunctionJson_IsReported()
    {
        var problems = FunctionCatalogConsistency.Compare([Queue("FanOut", "alert-events")], []);

        problems.Should().ContainSingle().Which.Should().Contain("functions/FanOut/function.json is missing");
    }

    [Fact]
    public void Compare_FunctionJsonWithoutAFunction_IsReported()
    {
        var problems = FunctionCatalogConsistency.Compare([], [Queue("Orphan", "alert-events")]);

        problems.Should().ContainSingle().Which.Should().Contain("names no function in FunctionCatalog");
    }

    [Theory]
    [InlineData("alert-events", "AzureWebJobsStorage", "alert-event", "AzureWebJobsStorage")]
    [InlineData("alert-events", "AzureWebJobsStorage", "alert-events", "OtherStorage")]
    public void Compare_QueueNameOrConnectionDiffers_IsReported(string codeQueue, string codeConnection, string fileQueue, string fileConnection)
    {
        var problems = FunctionCatalogConsistency.Compare(
            [Queue("FanOut", codeQueue, codeConnection)], [Queue("FanOut", fileQueue, fileConnection) with { SourcePath = "f.json" }]);

        problems.Should().HaveCount(2).And.Contain(p => p.Contains($"queueName={fileQueue} connection={fileConnection}"));
    }

    [Fact]
    public void Compare_TriggerTypeDiffers_IsReported()
    {
        var serviceBus = new FunctionDefinition("SendSms", [new ServiceBusTriggerBinding("dispatch", "sms-dispatch", "ServiceBusConnection")]);
        var queue = new FunctionDefinition("SendSms", [new QueueTriggerBinding("dispatch", "sms-dispatch")]);

        FunctionCatalogConsistency.Compare([serviceBus], [queue]).Should().Contain(p => p.Contains("serviceBusTrigger 'dispatch'"));
    }

    [Fact]
    public void Compare_RouteOrMethodsDiffer_IsReported()
    {
        FunctionDefinition Http(string route, params string[] methods) =>
            new("Status", [new HttpTriggerBinding("req", route, methods), new HttpOutputBinding("res")]);

        FunctionCatalogConsistency.Compare([Http("twilio/status", "post")], [Http("twilio/state", "post")]).Should().NotBeEmpty();
        FunctionCatalogConsistency.Compare([Http("twilio/status", "post")], [Http("twilio/status", "get")]).Should().NotBeEmpty();
        FunctionCatalogConsistency.Compare([Http("twilio/status", "post")], [Http("twilio/status", "post")]).Should().BeEmpty();
    }

    private static FunctionDefinition Queue(string name, string queue, string connection = BindingTypes.DefaultStorageConnection) =>
        new(name, [new QueueTriggerBinding("event", queue, connection)]);
}
