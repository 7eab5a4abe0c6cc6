using AlertPipeline.Infrastructure.ServiceBus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AlertPipeline.UnitTests.ServiceBus;

/// <summary>
/// The <c>ServiceBusClient</c> resolves its connection as the Functions host does: a connection string, or an
/// identity-based fully qualified namespace. Building an SDK client opens no connection, so nothing is sent here.
/// </summary>
public sealed class ServiceBusRegistrationTests
{
    // A syntactically valid connection string; the key is a placeholder and never leaves the process.
    private const string ConnectionString = "Endpoint=sb://alerts-test.servicebus.windows.net/;SharedAccessKeyName=dispatch;SharedAccessKey=cGxhY2Vob2xkZXI=";

    [Theory]
    [InlineData("ServiceBusConnection")]
    [InlineData("ConnectionStrings:ServiceBusConnection")]
    public void ConnectionString_FromTheSettingOrConnectionStrings_ClientUsesItsNamespace(string key)
    {
        using var services = Provider(new() { [key] = ConnectionString });

        var client = services.ServiceBus();

        client.FullyQualifiedNamespace.Should().Be("alerts-test.servicebus.windows.net");
        services.ServiceBus().Should().BeSameAs(client, "one client (one AMQP connection) per process");
    }

    [Theory]
    [InlineData("alerts-prod.servicebus.windows.net")]
    [InlineData("sb://alerts-prod.servicebus.windows.net/")]
    public void IdentityBased_FullyQualifiedNamespace_ClientOnThatNamespace(string value)
    {
        using var services = Provider(new()
        {
            ["ServiceBusConnection:fullyQualifiedNamespace"] = value,
            ["ServiceBusConnection:credential"] = "managedidentity",
            ["ServiceBusConnection:clientId"] = "00000000-0000-0000-0000-000000000001",
        });

        services.ServiceBus().FullyQualifiedNamespace.Should().Be("alerts-prod.servicebus.windows.net");
    }

    [Fact]
    public void NoSetting_FailsOnFirstUse_NamingBothSettings()
    {
        using var services = Provider([]);

        FluentActions.Invoking(() => services.ServiceBus()).Should().Throw<InvalidOperationException>()
            .WithMessage("*ServiceBusConnection*ServiceBusConnection__fullyQualifiedNamespace*Pipeline:Dispatch:Transport*");
    }

    [Theory]
    [InlineData("ServiceBusConnection", ConnectionString, true)]
    [InlineData("ServiceBusConnection:fullyQualifiedNamespace", "alerts-prod.servicebus.windows.net", true)]
    [InlineData("ServiceBusConnection:credential", "managedidentity", false)]
    [InlineData("AzureWebJobsStorage", "UseDevelopmentStorage=true", false)]
    [InlineData("ServiceBusConnection", "UseDevelopmentStorage=true", false)] // local: the local host maps Service Bus to Azurite
    public void IsConfigured_OnlyWithAServiceBusConnectionStringOrANamespace(string key, string value, bool configured)
    {
        ServiceBusConnectionSetting.IsConfigured(Configuration(new() { [key] = value })).Should().Be(configured);
    }

    [Fact]
    public void AnotherConnectionName_IsRegisteredBesideTheDefault()
    {
        var configuration = Configuration(new() { ["ServiceBusConnection"] = ConnectionString, ["Backup:fullyQualifiedNamespace"] = "alerts-dr.servicebus.windows.net" });
        using var services = new ServiceCollection()
            .AddServiceBusClient(configuration: configuration)
            .AddServiceBusClient("Backup", configuration)
            .AddServiceBusClient("Backup", configuration)
            .BuildServiceProvider();

        services.ServiceBus("Backup").FullyQualifiedNamespace.Should().Be("alerts-dr.servicebus.windows.net");
        services.ServiceBus().FullyQualifiedNamespace.Should().Be("alerts-test.servicebus.windows.net");
    }

    private static ServiceProvider Provider(Dictionary<string, string?> settings) =>
        new ServiceCollection().AddServiceBusClient(configuration: Configuration(settings)).BuildServiceProvider();

    private static IConfiguration Configuration(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
}
