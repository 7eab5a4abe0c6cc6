using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Infrastructure.Pipeline;
using AlertPipeline.Infrastructure.ServiceBus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AlertPipeline.UnitTests.ServiceBus;

/// <summary><c>Pipeline:Dispatch:Transport</c>, decided in one place (<see cref="DispatchServiceCollectionExtensions"/>).</summary>
public sealed class DispatchTransportSelectionTests
{
    private const string Namespace = "alerts-prod.servicebus.windows.net";

    [Theory]
    [InlineData(null, null, null, DispatchTransport.StorageQueues)] // nothing set: local
    [InlineData(null, "UseDevelopmentStorage=true", null, DispatchTransport.StorageQueues)] // local.settings.json.template
    [InlineData(null, null, Namespace, DispatchTransport.ServiceBus)] // Azure without the explicit setting
    [InlineData(null, "Endpoint=sb://alerts-test.servicebus.windows.net/;SharedAccessKeyName=a;SharedAccessKey=cGxhY2Vob2xkZXI=", null, DispatchTransport.ServiceBus)]
    [InlineData("ServiceBus", null, Namespace, DispatchTransport.ServiceBus)] // what infra/ sets
    [InlineData("storagequeues", null, Namespace, DispatchTransport.StorageQueues)] // explicit wins, any case
    public void ResolveTransport_ExplicitSettingOrTheServiceBusConnection(string? transport, string? connectionString, string? fullyQualifiedNamespace, DispatchTransport expected)
    {
        var configuration = Configuration(new()
        {
            ["Pipeline:Dispatch:Transport"] = transport,
            ["ServiceBusConnection"] = connectionString,
            ["ServiceBusConnection:fullyQualifiedNamespace"] = fullyQualifiedNamespace,
        });

        DispatchServiceCollectionExtensions.ResolveTransport(configuration).Should().Be(expected);
    }

    [Fact]
    public void ResolveTransport_UnknownValue_FailsNamingTheKey()
    {
        var act = () => DispatchServiceCollectionExtensions.ResolveTransport(Configuration(new() { ["Pipeline:Dispatch:Transport"] = "Kafka" }));

        act.Should().Throw<InvalidOperationException>().WithMessage("Pipeline:Dispatch:Transport 'Kafka' must be StorageQueues or ServiceBus*");
    }

    [Fact]
    public void AddDispatch_ServiceBus_RegistersTheServiceBusQueueAndItsProcessor()
    {
        var services = new ServiceCollection().AddLogging()
            .AddDispatch(Configuration(new() { ["Pipeline:Dispatch:Transport"] = "ServiceBus", ["ServiceBusConnection:fullyQualifiedNamespace"] = Namespace }));
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IDispatchQueue>().Should().BeOfType<ServiceBusDispatchQueue>();
        services.Should().ContainSingle(d => d.ServiceType == typeof(IHostedService));
    }

    [Fact]
    public void AddDispatch_StorageQueues_RegistersTheStorageQueueAndNoProcessor()
    {
        var services = new ServiceCollection().AddLogging()
            .AddDispatch(Configuration(new() { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true", ["ServiceBusConnection"] = "UseDevelopmentStorage=true" }));
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IDispatchQueue>().Should().BeOfType<StorageQueueDispatchQueue>();
        services.Should().NotContain(d => d.ServiceType == typeof(IHostedService));
    }

    [Theory]
    [InlineData("ServiceBus")]
    [InlineData("StorageQueues")]
    public void AddDispatch_EitherTransport_QueuesStatusCallbacksOnTheStorageQueue(string transport)
    {
        var services = new ServiceCollection().AddLogging()
            .AddDispatch(Configuration(new()
            {
                ["Pipeline:Dispatch:Transport"] = transport,
                ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
                ["ServiceBusConnection:fullyQualifiedNamespace"] = Namespace,
            }));
        using var provider = services.BuildServiceProvider();

        var queue = provider.GetRequiredService<StatusCallbackQueue>();

        queue.Name.Should().Be(QueueNames.SmsStatus, "Service Bus carries only the dispatch batches");
        queue.PoisonName.Should().Be(QueueNames.PoisonOf(QueueNames.SmsStatus));
    }

    [Theory]
    [InlineData("ServiceBus", true)]
    [InlineData("StorageQueues", false)]
    public void AddDispatch_TheScheduleTicksRedrivers_ReadTheDeadLetterQueuesOnlyOnServiceBus(string transport, bool deadLetters)
    {
        var services = new ServiceCollection().AddLogging()
            .AddSingleton(new PipelineTables(new Azure.Data.Tables.TableServiceClient("UseDevelopmentStorage=true")))
            .AddSingleton(new PipelineOptions())
            .AddDispatch(Configuration(new()
            {
                ["Pipeline:Dispatch:Transport"] = transport,
                ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
                ["ServiceBusConnection:fullyQualifiedNamespace"] = Namespace,
            }));
        using var provider = services.BuildServiceProvider();

        var redrivers = provider.GetRequiredService<DispatchRedrivers>();

        redrivers.All.Select(r => r.Queue).Should().Equal(QueueNames.SmsDispatch, QueueNames.EmailDispatch);
        (redrivers.DeadLetters is not null).Should().Be(deadLetters);
        provider.GetRequiredService<StatusCallbackRedriver>().Queue.Should().Be(QueueNames.SmsStatus, "status callbacks are on a Storage queue in both transports");
    }

    private static IConfiguration Configuration(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Where(s => s.Value is not null)).Build();
}
