using AlertPipeline.LocalHost.Configuration;

namespace AlertPipeline.UnitTests.LocalHost.Configuration;

public sealed class HostJsonTests
{
    private const string Minimal = """
        {"version":"2.0"}
        """;

    [Fact]
    public void Parse_NoExtensions_HasTheReferenceDefaults()
    {
        var host = HostJson.Parse(Minimal);

        host.Queues.BatchSize.Should().Be(16);
        host.Queues.NewBatchThreshold.Should().BeNull();
        host.Queues.GetNewBatchThreshold(processorCount: 4).Should().Be(32, "(16 / 2) × 4");
        host.Queues.MaxPollingInterval.Should().Be(TimeSpan.FromMinutes(1));
        host.Queues.VisibilityTimeout.Should().Be(TimeSpan.Zero);
        host.Queues.MaxDequeueCount.Should().Be(5);
        host.Queues.MessageEncoding.Should().Be(QueueMessageEncoding.Base64);
        host.ServiceBus.GetMaxConcurrentCalls(processorCount: 2).Should().Be(32);
        host.ServiceBus.MaxAutoLockRenewalDuration.Should().Be(TimeSpan.FromMinutes(5));
        host.ServiceBus.AutoCompleteMessages.Should().BeTrue();
        host.ServiceBus.MaxDeliveryCount.Should().Be(10);
        host.Http.RoutePrefix.Should().Be("api");
        host.ExtensionBundle.Should().BeNull();
    }

    [Fact]
    public void Parse_EverySetting_IsRead()
    {
        var host = HostJson.Parse("""
            {
              "Version": "2.0",
              "functionTimeout": "00:10:00",
              "extensionBundle": {"id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)"},
              "extensions": {
                "queues": {"maxPollingInterval": "00:00:02", "visibilityTimeout": "00:00:30", "batchSize": 8, "maxDequeueCount": 3, "newBatchThreshold": 4, "messageEncoding": "none"},
                "serviceBus": {"maxConcurrentCalls": 5, "maxAutoLockRenewalDuration": "00:02:00", "prefetchCount": 1, "autoCompleteMessages": false},
                "http": {"routePrefix": "/v1/"}
              },
              "logging": {"logLevel": {"default": "Information"}}
            }
            """);

        host.FunctionTimeout.Should().Be(TimeSpan.FromMinutes(10));
        host.ExtensionBundle.Should().Be(new ExtensionBundle("Microsoft.Azure.Functions.ExtensionBundle", "[4.*, 5.0.0)"));
        host.Queues.Should().BeEquivalentTo(new QueuesOptions
        {
            MaxPollingInterval = TimeSpan.FromSeconds(2), VisibilityTimeout = TimeSpan.FromSeconds(30), BatchSize = 8,
            MaxDequeueCount = 3, NewBatchThreshold = 4, MessageEncoding = QueueMessageEncoding.None,
        });
        host.Queues.GetNewBatchThreshold(16).Should().Be(4);
        host.ServiceBus.MaxConcurrentCalls.Should().Be(5);
        host.ServiceBus.MaxAutoLockRenewalDuration.Should().Be(TimeSpan.FromMinutes(2));
        host.ServiceBus.PrefetchCount.Should().Be(1);
        host.ServiceBus.AutoCompleteMessages.Should().BeFalse();
        host.Http.RoutePrefix.Should().Be("v1");
        host.Http.PathFor("twilio/status").Should().Be("/v1/twilio/status");
        host.Logging!.Value.GetProperty("logLevel").GetProperty("default").GetString().Should().Be("Information");
    }

    [Theory]
    [InlineData("""{"batchSize": 40}""", "extensions.queues.batchSize: must be between 1 and 32, not 40.")]
    [InlineData("""{"batchSize": "many"}""", "extensions.queues.batchSize: must be an integer, not \"many\".")]
    [InlineData("""{"maxPollingInterval": "00:00:00.050"}""", "extensions.queues.maxPollingInterval: must be at least 00:00:00.1000000, not 00:00:00.0500000.")]
    [InlineData("""{"visibilityTimeout": "soon"}""", "extensions.queues.visibilityTimeout: must be a time span like \"00:00:30\", not \"soon\".")]
    [InlineData("""{"maxDequeueCount": 0}""", "extensions.queues.maxDequeueCount: must be between 1 and 2147483647, not 0.")]
    [InlineData("""{"messageEncoding": "utf8"}""", "extensions.queues.messageEncoding: must be \"base64\" or \"none\", not \"utf8\".")]
    public void Parse_BadQueueSetting_NamesFileAndField(string queues, string expected)
    {
        var json = """{"version":"2.0","customHandler":{"description":{"defaultExecutablePath":"x"}},"extensions":{"queues":""" + queues + "}}";

        var act = () => HostJson.Parse(json, "app/host.json");

        act.Should().Throw<FunctionAppConfigurationException>().WithMessage("app/host.json: " + expected)
            .Which.FilePath.Should().Be("app/host.json");
    }

    [Fact]
    public void Parse_LeftoverCustomHandlerSection_IsIgnoredLikeAnyUnknownSection()
    {
        var host = HostJson.Parse("""{"version":"2.0","customHandler":{"description":{}},"extensions":{"queues":{"batchSize":4}}}""");

        host.Queues.BatchSize.Should().Be(4);
    }

    [Theory]
    [InlineData("""{"functionTimeout":"00:05:00"}""", "host.json: version: is required (\"2.0\").")]
    [InlineData("""{"version":"1.0"}""", "host.json: version: must be \"2.0\", not \"1.0\".")]
    [InlineData("""{"version":"2.0","extensionBundle":{"id":"x"}}""", "host.json: extensionBundle.version: is required*")]
    [InlineData("""{"version":"2.0","extensions":{"queues":{"batchSize":64}}}""", "host.json: extensions.queues.batchSize: must be between 1 and 32*")]
    [InlineData("""{"version":"2.0","extensions":{"serviceBus":{"maxConcurrentCalls":0}}}""", "host.json: extensions.serviceBus.maxConcurrentCalls: must be between 1 and*")]
    [InlineData("[]", "host.json: must hold a JSON object, not an array.")]
    public void Parse_BadDocument_SaysWhatIsWrong(string json, string expected)
    {
        var act = () => HostJson.Parse(json);

        act.Should().Throw<FunctionAppConfigurationException>().WithMessage(expected);
    }

    [Fact]
    public void Parse_InvalidJson_GivesTheLine()
    {
        var act = () => HostJson.Parse("{\n  \"version\": \"2.0\",\n  oops\n}", "host.json");

        act.Should().Throw<FunctionAppConfigurationException>().WithMessage("host.json: is not valid JSON (line 3,*");
    }
}
