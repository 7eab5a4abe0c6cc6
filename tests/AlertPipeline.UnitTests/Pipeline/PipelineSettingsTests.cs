using System.Text.Json;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Functions.Functions;
using AlertPipeline.Testing;
using Microsoft.Extensions.Configuration;

namespace AlertPipeline.UnitTests.Pipeline;

public sealed class PipelineSettingsTests
{
    [Fact]
    public void Template_BindsToValidOptions()
    {
        // The committed template, as the host turns it into settings (Section__Key → Section:Key).
        using var template = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Combine("local.settings.json.template")));
        var values = template.RootElement.GetProperty("Values").EnumerateObject()
            .Select(p => KeyValuePair.Create(p.Name.Replace("__", ":", StringComparison.Ordinal), (string?)p.Value.GetString()));
        var config = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        var pipeline = config.GetSection(PipelineOptions.SectionName).Get<PipelineOptions>()!;
        var webhooks = config.GetSection("Twilio").Get<TwilioWebhookOptions>()!;

        pipeline.Validate().Should().BeEmpty();
        pipeline.EmailUnsubscribeBaseUrl.Should().BeNull();
        webhooks.Validate().Should().BeEmpty();
        webhooks.IsConfigured.Should().BeFalse("no auth token: webhooks answer 403");
        Infrastructure.Persistence.RecipientHashKey.Validate(config).Should().BeEmpty();
    }

    [Theory]
    [InlineData("FanOutPageSize", "0", "Pipeline:FanOutPageSize")]
    [InlineData("FanOutPagesPerChunk", "0", "Pipeline:FanOutPagesPerChunk")]
    [InlineData("FanOutPagesPerChunk", "11", "Pipeline:FanOutPagesPerChunk")]
    [InlineData("FanOutChunksInFlight", "0", "Pipeline:FanOutChunksInFlight")]
    [InlineData("FanOutChunksInFlight", "33", "Pipeline:FanOutChunksInFlight")]
    [InlineData("DispatchBatchSize", "101", "Pipeline:DispatchBatchSize")]
    [InlineData("MaxDispatchDeliveries", "0", "Pipeline:MaxDispatchDeliveries")]
    [InlineData("StuckSendingAfter", "00:00:01", "Pipeline:StuckSendingAfter")]
    [InlineData("MaxBusyWait", "00:20:00", "Pipeline:MaxBusyWait")]
    [InlineData("EmailUnsubscribeBaseUrl", "http://example.org/u", "Pipeline:EmailUnsubscribeBaseUrl")]
    [InlineData("EmailUnsubscribeMailto", "nope", "Pipeline:EmailUnsubscribeMailto")]
    public void Validate_BadValue_NamesTheKey(string key, string value, string named)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection([KeyValuePair.Create($"Pipeline:{key}", (string?)value)]).Build();

        config.GetSection(PipelineOptions.SectionName).Get<PipelineOptions>()!.Validate().Should().ContainSingle().Which.Should().StartWith(named);
    }
}
