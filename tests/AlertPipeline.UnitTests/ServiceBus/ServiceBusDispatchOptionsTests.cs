using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.ServiceBus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AlertPipeline.UnitTests.ServiceBus;

public sealed class ServiceBusDispatchOptionsTests
{
    [Theory]
    [InlineData(40, 1, 10)] // 40 segments/s × 0.25 s, one call at a time per batch
    [InlineData(40, 16, 2)] // sixteen calls per batch: one batch would do; two keep the pacer fed between batches
    [InlineData(500, 16, 8)]
    [InlineData(1, 1, 2)]
    [InlineData(10_000, 1, ServiceBusDispatchOptions.MaxDerivedConcurrency)]
    [InlineData(0, 16, ServiceBusDispatchOptions.MaxDerivedConcurrency)] // unpaced
    public void SmsConcurrency_Unset_IsSizedToThePacer(double segmentsPerSecond, int sendsPerBatch, int expected)
    {
        new ServiceBusDispatchOptions().SmsConcurrency(segmentsPerSecond, sendsPerBatch).Should().Be(expected);
    }

    [Fact]
    public void Defaults_AreValid_SoAzureNeedsNoServiceBusSetting()
    {
        new ServiceBusDispatchOptions().Validate().Should().BeEmpty();
    }

    [Fact]
    public void Validate_NamesEveryKeyOutOfRange()
    {
        var options = new ServiceBusDispatchOptions
        {
            ConnectionName = " ", MaxConcurrentCalls = 0, PrefetchCount = -1, EmailMaxConcurrentCalls = 501,
            SmsSendLatency = TimeSpan.Zero, MaxAutoLockRenewalDuration = TimeSpan.FromHours(2),
        };

        options.Validate().Should().SatisfyRespectively(
            e => e.Should().StartWith("ServiceBus:ConnectionName"),
            e => e.Should().StartWith("ServiceBus:MaxConcurrentCalls"),
            e => e.Should().StartWith("ServiceBus:PrefetchCount"),
            e => e.Should().StartWith("ServiceBus:EmailMaxConcurrentCalls"),
            e => e.Should().StartWith("ServiceBus:SmsSendLatency"),
            e => e.Should().StartWith("ServiceBus:MaxAutoLockRenewalDuration"));
    }

    [Fact]
    public void AddServiceBusDispatch_RegistersTheQueueOnItsConnection_AndTheProcessorAsAHostedService()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ServiceBus:ConnectionName"] = "Dispatch",
            ["Dispatch:fullyQualifiedNamespace"] = "alerts-prod.servicebus.windows.net",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddServiceBusDispatch(configuration);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IDispatchQueue>().Should().BeOfType<ServiceBusDispatchQueue>();
        provider.ServiceBus("Dispatch").FullyQualifiedNamespace.Should().Be("alerts-prod.servicebus.windows.net");
        services.Should().ContainSingle(d => d.ServiceType == typeof(IHostedService), "the processor runs in the worker");
    }
}
