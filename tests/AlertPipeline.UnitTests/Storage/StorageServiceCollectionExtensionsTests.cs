using AlertPipeline.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AlertPipeline.UnitTests.Storage;

/// <summary>
/// The storage clients resolve their connection as the Functions host does: a connection string, or identity-based
/// service URLs / account name. No request is sent here (building an SDK client does not connect).
/// </summary>
public sealed class StorageServiceCollectionExtensionsTests
{
    [Theory]
    [InlineData("AzureWebJobsStorage")]
    [InlineData("ConnectionStrings:AzureWebJobsStorage")]
    public void ConnectionString_FromTheSettingOrConnectionStrings_BothClientsUseIt(string key)
    {
        using var services = Provider(new() { [key] = "UseDevelopmentStorage=true" });

        services.TableService().Uri.Should().Be(new Uri("http://127.0.0.1:10002/devstoreaccount1"));
        services.QueueService().Uri.Should().Be(new Uri("http://127.0.0.1:10001/devstoreaccount1"));
    }

    [Fact]
    public void IdentityBased_ServiceUris_EachClientOnItsUrl()
    {
        using var services = Provider(new()
        {
            ["AzureWebJobsStorage:tableServiceUri"] = "https://alerts.table.core.windows.net",
            ["AzureWebJobsStorage:queueServiceUri"] = "https://alerts.queue.core.windows.net",
            ["AzureWebJobsStorage:credential"] = "managedidentity",
            ["AzureWebJobsStorage:clientId"] = "00000000-0000-0000-0000-000000000001",
        });

        services.TableService().Uri.Should().Be(new Uri("https://alerts.table.core.windows.net"));
        services.QueueService().Uri.Should().Be(new Uri("https://alerts.queue.core.windows.net"));
    }

    [Fact]
    public void IdentityBased_AccountName_DerivesBothServiceUrls()
    {
        using var services = Provider(new() { ["AzureWebJobsStorage:accountName"] = "alerts" });

        services.TableService().Uri.Should().Be(new Uri("https://alerts.table.core.windows.net"));
        services.QueueService().Uri.Should().Be(new Uri("https://alerts.queue.core.windows.net"));
    }

    [Fact]
    public void AnotherConnectionName_IsRegisteredBesideTheDefault()
    {
        var configuration = Configuration(new() { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true", ["Reports:accountName"] = "reports" });
        using var services = new ServiceCollection()
            .AddStorageClients(configuration: configuration)
            .AddStorageClients("Reports", configuration)
            .AddStorageClients("Reports", configuration)
            .BuildServiceProvider();

        services.TableService("Reports").Uri.Should().Be(new Uri("https://reports.table.core.windows.net"));
        services.TableService().Uri.Port.Should().Be(10002);
    }

    [Fact]
    public void NoSetting_OutsideAzure_IsAzurite()
    {
        using var services = Provider([]);

        services.QueueService().Uri.Should().Be(new Uri("http://127.0.0.1:10001/devstoreaccount1"));
    }

    [Fact]
    public void NoSetting_InAzure_FailsNamingTheSettings()
    {
        using var services = Provider(new() { ["WEBSITE_SITE_NAME"] = "alert-pipeline" });

        FluentActions.Invoking(() => services.TableService()).Should().Throw<InvalidOperationException>()
            .WithMessage("*AzureWebJobsStorage*__accountName*");
    }

    [Fact]
    public void IdentityBased_QueueUrlOnly_TablesFailNamingTheMissingSetting()
    {
        using var services = Provider(new() { ["AzureWebJobsStorage:queueServiceUri"] = "https://alerts.queue.core.windows.net" });

        services.QueueService().Uri.Host.Should().Be("alerts.queue.core.windows.net");
        FluentActions.Invoking(() => services.TableService()).Should().Throw<InvalidOperationException>().WithMessage("*__tableServiceUri*");
    }

    [Fact]
    public void QueueOptions_PinTheVersionAzurite335Speaks_AndBase64()
    {
        var options = StorageServiceCollectionExtensions.QueueOptions();

        options.Version.Should().Be(Azure.Storage.Queues.QueueClientOptions.ServiceVersion.V2025_11_05);
        options.MessageEncoding.Should().Be(Azure.Storage.Queues.QueueMessageEncoding.Base64);
    }

    private static ServiceProvider Provider(Dictionary<string, string?> settings) =>
        new ServiceCollection().AddStorageClients(configuration: Configuration(settings)).BuildServiceProvider();

    private static IConfiguration Configuration(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
}
