using AlertPipeline.LocalHost.Configuration;
using AlertPipeline.LocalHost;
using AlertPipeline.LocalHost.Queues;
using AlertPipeline.LocalHost.Settings;
using Microsoft.Extensions.Logging.Abstractions;

namespace AlertPipeline.UnitTests.LocalHost;

public sealed class HostPlanTests : IDisposable
{
    private readonly TestAppFolder _app = new();

    public void Dispose() => _app.Dispose();

    private HostPlan Build(IEnumerable<KeyValuePair<string, string?>>? settings = null, FunctionsLocalHostOptions? options = null)
    {
        var appSettings = AppSettings.From(settings ?? [new("AzureWebJobsStorage", TestAppFolder.DevelopmentStorage), new("Prefix", "orders")]);
        return HostPlan.Build(_app.Layout(appSettings.Get), appSettings, options ?? new FunctionsLocalHostOptions(), NullLogger.Instance);
    }

    [Fact]
    public void Build_QueueTrigger_TakesHostJsonQueueSettingsAndResolvesSettingNames()
    {
        _app.Function("Orders", """
            {"bindings":[
              {"type":"queueTrigger","direction":"in","name":"msg","queueName":"%Prefix%-in"},
              {"type":"queue","direction":"out","name":"out","queueName":"%Prefix%-out"}]}
            """);

        var listener = Build(options: new FunctionsLocalHostOptions { LeaseDuration = TimeSpan.FromSeconds(40) }).Listeners.Should().ContainSingle().Subject;

        listener.Kind.Should().Be(TriggerKind.StorageQueue);
        listener.Queue.Name.Should().Be("orders-in");
        listener.PoisonQueue.Name.Should().Be("orders-in-poison");
        listener.BatchSize.Should().Be(8);
        listener.NewBatchThreshold.Should().Be(3);
        listener.MaxAttempts.Should().Be(4);
        listener.RetryVisibility.Should().Be(TimeSpan.FromSeconds(5));
        listener.MaxPollingInterval.Should().Be(TimeSpan.FromSeconds(2));
        listener.Lease.Should().Be(TimeSpan.FromSeconds(40));
        listener.Base64.Should().BeTrue();
        listener.Outputs.Should().ContainSingle().Which.Queue.Name.Should().Be("orders-out");
        listener.FetchCount(3).Should().Be(8, "at or below newBatchThreshold a new batch is fetched");
        listener.FetchCount(4).Should().Be(0);
    }

    [Fact]
    public void Build_ServiceBusTrigger_MappedToLowerCaseQueueWithMaxDeliveryCountAndConcurrency()
    {
        _app.Function("Send", """
            {"bindings":[
              {"type":"serviceBusTrigger","direction":"in","name":"msg","queueName":"SMS-Dispatch","connection":"ServiceBusConnection"},
              {"type":"serviceBus","direction":"out","name":"next","queueName":"email-dispatch","connection":"ServiceBusConnection"}]}
            """);

        var plan = Build([new("ServiceBusConnection", TestAppFolder.DevelopmentStorage), new(FunctionsLocalHostOptions.MaxDeliveryCountSetting, "3")]);

        var listener = plan.Listeners.Should().ContainSingle().Subject;
        listener.Kind.Should().Be(TriggerKind.ServiceBus);
        listener.Queue.Name.Should().Be("sms-dispatch");
        listener.PoisonQueue.Name.Should().Be("sms-dispatch-poison");
        listener.MaxAttempts.Should().Be(3);
        listener.RetryVisibility.Should().Be(TimeSpan.Zero, "an abandoned message is redelivered at once");
        listener.Base64.Should().BeTrue();
        listener.FetchCount(0).Should().Be(6);
        listener.FetchCount(4).Should().Be(2);
        listener.FetchCount(6).Should().Be(0);
        listener.Outputs.Should().ContainSingle().Which.Queue.Name.Should().Be("email-dispatch");
    }

    [Fact]
    public void Build_ServiceBusMaxDeliveryCount_DefaultTenAndOptionWins()
    {
        _app.Function("Send", """{"bindings":[{"type":"serviceBusTrigger","direction":"in","name":"m","queueName":"sb-q","connection":"AzureWebJobsStorage"}]}""");

        Build().Listeners.Single().MaxAttempts.Should().Be(10);
        Build(options: new FunctionsLocalHostOptions { MaxDeliveryCount = 2 }).Listeners.Single().MaxAttempts.Should().Be(2);
    }

    [Fact]
    public void Build_ServiceBusConnectionNotStorage_FallsBackToAzureWebJobsStorage()
    {
        _app.Function("Send", """{"bindings":[{"type":"serviceBusTrigger","direction":"in","name":"m","queueName":"sb-q","connection":"ServiceBusConnection"}]}""");

        var plan = Build([
            new("AzureWebJobsStorage", TestAppFolder.DevelopmentStorage),
            new("ServiceBusConnection", "Endpoint=sb://example.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=x")]);

        plan.Listeners.Single().Queue.Uri.Host.Should().Be("127.0.0.1");
    }

    [Fact]
    public void Build_InvalidSchedule_ErrorNamesFunctionAndField()
    {
        _app.Function("Nightly", """{"bindings":[{"type":"timerTrigger","direction":"in","name":"timer","schedule":"0 0 25 * * *"}]}""");

        FluentActions.Invoking(() => Build()).Should().Throw<LocalHostConfigurationException>()
            .WithMessage("Function Nightly (Nightly (test metadata)), binding 'timer': schedule: *the hour field '25' is not valid: Value must be a number between 0 and 23*");
    }

    [Fact]
    public void Build_FiveFieldSchedule_ErrorExplainsSixFields()
    {
        _app.Function("Nightly", """{"bindings":[{"type":"timerTrigger","direction":"in","name":"timer","schedule":"0 3 * * *"}]}""");

        FluentActions.Invoking(() => Build()).Should().Throw<LocalHostConfigurationException>().WithMessage("*Nightly*has 5 fields*six*");
    }

    [Fact]
    public void Build_MissingConnection_ErrorNamesTheSetting()
    {
        _app.Function("Orders", """{"bindings":[{"type":"queueTrigger","direction":"in","name":"msg","queueName":"orders","connection":"OrdersStorage"}]}""");

        FluentActions.Invoking(() => Build()).Should().Throw<LocalHostConfigurationException>()
            .WithMessage("Function Orders*binding 'msg'*connection 'OrdersStorage', which is not set*");
    }

    [Fact]
    public void Build_TopicTrigger_RefusedClearly()
    {
        _app.Function("Sub", """{"bindings":[{"type":"serviceBusTrigger","direction":"in","name":"m","topicName":"t","subscriptionName":"s"}]}""");

        FluentActions.Invoking(() => Build()).Should().Throw<LocalHostConfigurationException>().WithMessage("*Sub*topic 't'*not supported*");
    }

    [Fact]
    public void Build_DisabledBySettingOrFunctionJson_Skipped()
    {
        _app.Function("A", """{"bindings":[{"type":"queueTrigger","direction":"in","name":"m","queueName":"a-q"}]}""")
            .Function("B", """{"disabled":true,"bindings":[{"type":"queueTrigger","direction":"in","name":"m","queueName":"b-q"}]}""")
            .Function("C", """{"bindings":[{"type":"queueTrigger","direction":"in","name":"m","queueName":"c-q"}]}""");

        var plan = Build([new("AzureWebJobsStorage", TestAppFolder.DevelopmentStorage), new("AzureWebJobs.A.Disabled", "true")]);

        plan.Listeners.Select(l => l.FunctionName).Should().Equal("C");
    }

    [Fact]
    public void Build_HttpFunctions_ServedAtTheirRoutesWithTheirQueueOutputs()
    {
        using var app = new TestAppFolder();
        app.Function("Echo", """{"bindings":[{"type":"httpTrigger","direction":"in","name":"req","methods":["get"],"route":"echo/{id}"},{"type":"http","direction":"out","name":"res"}]}""")
            .Function("Accept", """
                {"bindings":[{"type":"httpTrigger","direction":"in","name":"req","methods":["post"]},{"type":"http","direction":"out","name":"res"},
                             {"type":"queue","direction":"out","name":"q","queueName":"accepted"}]}
                """);
        var settings = AppSettings.From([new("AzureWebJobsStorage", TestAppFolder.DevelopmentStorage)]);

        var plan = HostPlan.Build(app.Layout(settings.Get), settings, new FunctionsLocalHostOptions(), NullLogger.Instance);

        plan.Http.Should().HaveCount(2);
        var echo = plan.Http.Single(h => h.Name == "Echo");
        echo.Path.Should().Be("/api/echo/{id}");
        var accept = plan.Http.Single(h => h.Name == "Accept");
        accept.Path.Should().Be("/api/Accept");
        accept.QueueOutputs.Should().ContainSingle();
    }
}
