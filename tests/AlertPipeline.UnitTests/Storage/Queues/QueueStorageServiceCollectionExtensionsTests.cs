using AlertPipeline.Infrastructure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AlertPipeline.UnitTests.Storage.Queues;

public class QueueStorageServiceCollectionExtensionsTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings, string? name = null, Action<QueueClientOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        if (name is null)
        {
            services.AddQueueStorage(configureOptions: configure);
        }
        else
        {
            services.AddQueueStorage(name, configure);
        }

        return services.BuildServiceProvider();
    }

    [Fact]
    public void AddQueueStorage_AzureWebJobsStorageConnectionString_RegistersClientForItsQueueEndpoint()
    {
        using var provider = Build(new() { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" });

        var client = provider.GetRequiredService<QueueServiceClient>();

        client.Uri.Should().Be(new Uri("http://127.0.0.1:10001/devstoreaccount1"));
        client.Should().BeSameAs(provider.GetRequiredService<QueueServiceClient>());
    }

    [Fact]
    public void AddQueueStorage_NamedConnectionStringAndOptions_AreUsed()
    {
        using var provider = Build(
            new() { ["ConnectionStrings:Alerts"] = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;QueueEndpoint=http://127.0.0.1:5555/devstoreaccount1" },
            "Alerts",
            o => o.MessageEncoding = QueueMessageEncoding.None);

        var client = provider.GetRequiredService<QueueServiceClient>();

        client.Uri.Should().Be(new Uri("http://127.0.0.1:5555/devstoreaccount1"));
        client.GetQueueClient("abc").MessageEncoding.Should().Be(QueueMessageEncoding.None);
    }

    [Fact]
    public void AddQueueStorage_IdentityBasedQueueServiceUri_RegistersTokenClient()
    {
        using var provider = Build(new() { ["AzureWebJobsStorage:queueServiceUri"] = "https://acct.queue.core.windows.net" });

        provider.GetRequiredService<QueueServiceClient>().Uri.Should().Be(new Uri("https://acct.queue.core.windows.net"));
    }

    [Fact]
    public void AddQueueStorage_NoSetting_ThrowsNamingTheSettings()
    {
        using var provider = Build([]);

        var act = () => provider.GetRequiredService<QueueServiceClient>();

        act.Should().Throw<InvalidOperationException>().WithMessage("*AzureWebJobsStorage*AzureWebJobsStorage__queueServiceUri*");
    }
}
