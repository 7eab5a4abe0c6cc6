using AlertPipeline.LocalHost.Configuration;

namespace AlertPipeline.UnitTests.LocalHost.Configuration;

public sealed class FunctionJsonTests
{
    private const string Path = "functions/FanOut/function.json";

    [Fact]
    public void Parse_QueueTriggerWithOutputs_ReadsEveryBinding()
    {
        var function = Parse("""
            {"bindings":[
              {"name":"event","type":"queueTrigger","direction":"in","queueName":"alert-events","connection":"AzureWebJobsStorage"},
              {"name":"sms","type":"serviceBus","direction":"out","queueName":"sms-dispatch","connection":"ServiceBusConnection"},
              {"name":"mail","type":"queue","direction":"out","queueName":"email-dispatch"},
              {"name":"raw","type":"blob","direction":"in","path":"x/{id}"}]}
            """);

        function.Name.Should().Be("FanOut");
        function.SourcePath.Should().Be(Path);
        function.Trigger.Should().Be(new QueueTriggerBinding("event", "alert-events"));
        ((QueueTriggerBinding)function.Trigger).PoisonQueueName.Should().Be("alert-events-poison");
        function.Bindings[1].Should().BeEquivalentTo(new ServiceBusOutputBinding("sms", "sms-dispatch", "ServiceBusConnection"));
        function.Bindings[2].Should().Be(new QueueOutputBinding("mail", "email-dispatch", BindingTypes.DefaultStorageConnection));
        function.Bindings[3].Should().BeOfType<OtherBinding>().Which.Type.Should().Be("blob");
        function.Outputs.Select(o => o.Name).Should().Equal("sms", "mail");
    }

    [Fact]
    public void Parse_ServiceBusTrigger_QueueOrTopicSubscription()
    {
        var queue = Parse("""{"bindings":[{"name":"m","type":"serviceBusTrigger","direction":"in","queueName":"sms-dispatch","connection":"ServiceBusConnection"}]}""");
        var topic = Parse("""{"bindings":[{"name":"m","type":"serviceBusTrigger","direction":"in","topicName":"t","subscriptionName":"s","isSessionsEnabled":true}]}""");

        queue.Trigger.Should().BeOfType<ServiceBusTriggerBinding>().Which.EntityPath.Should().Be("sms-dispatch");
        var subscription = topic.Trigger.Should().BeOfType<ServiceBusTriggerBinding>().Subject;
        subscription.EntityPath.Should().Be("t/Subscriptions/s");
        subscription.Connection.Should().Be(BindingTypes.DefaultServiceBusConnection);
        subscription.IsSessionsEnabled.Should().BeTrue();
    }

    [Fact]
    public void Parse_TimerTrigger_ReadsScheduleAndFlags()
    {
        var function = Parse("""{"bindings":[{"name":"timer","type":"timerTrigger","direction":"in","schedule":"0 */1 * * * *","runOnStartup":true,"useMonitor":false}]}""");

        function.Trigger.Should().Be(new TimerTriggerBinding("timer", "0 */1 * * * *") { RunOnStartup = true, UseMonitor = false });
    }

    [Fact]
    public void Parse_HttpTrigger_ReadsAuthMethodsRoute()
    {
        var function = Parse("""
            {"bindings":[{"type":"httpTrigger","authLevel":"function","methods":["POST"],"route":"/twilio/status/","direction":"in","name":"req"},
                         {"type":"http","direction":"out","name":"res"}]}
            """);

        var trigger = function.Trigger.Should().BeOfType<HttpTriggerBinding>().Subject;
        trigger.AuthLevel.Should().Be("function");
        trigger.Methods.Should().Equal("post");
        trigger.Route.Should().Be("twilio/status");
        trigger.EffectiveRoute("FanOut").Should().Be("twilio/status");
        function.Bindings[1].Should().Be(new HttpOutputBinding("res"));
    }

    [Fact]
    public void Parse_HttpTriggerWithoutRoute_RoutesToTheFunctionName()
    {
        var function = Parse("""{"bindings":[{"type":"httpTrigger","direction":"in","name":"req"},{"type":"http","direction":"out","name":"res"}]}""");

        var trigger = (HttpTriggerBinding)function.Trigger;
        trigger.EffectiveRoute(function.Name).Should().Be("FanOut");
        trigger.Methods.Should().BeEmpty();
        trigger.AuthLevel.Should().Be(HttpAuthLevels.Function);
    }

    [Fact]
    public void Parse_BinaryDataType_IsKept()
    {
        var function = Parse("""{"bindings":[{"name":"m","type":"queueTrigger","direction":"in","queueName":"q-bin","dataType":"binary"}]}""");

        function.Trigger.IsBinary.Should().BeTrue();
    }

    [Fact]
    public void Parse_AppSettingPlaceholders_ResolvedWithSettingsKeptWithout()
    {
        const string json = """
            {"bindings":[{"name":"m","type":"queueTrigger","direction":"in","queueName":"%Prefix%-events"},
                         {"name":"t","type":"queue","direction":"out","queueName":"%Out%"}]}
            """;
        var settings = new Dictionary<string, string> { ["Prefix"] = "t1234", ["Out"] = "out-q" };

        var resolved = FunctionDefinition.Parse("F", json, Path, name => settings.GetValueOrDefault(name));
        var raw = FunctionDefinition.Parse("F", json, Path);

        ((QueueTriggerBinding)resolved.Trigger).QueueName.Should().Be("t1234-events");
        ((QueueOutputBinding)resolved.Bindings[1]).QueueName.Should().Be("out-q");
        ((QueueTriggerBinding)raw.Trigger).QueueName.Should().Be("%Prefix%-events");
    }

    [Theory]
    [InlineData("""{"bindings":[{"name":"m","type":"queueTrigger","direction":"in"}]}""", "bindings[0].queueName: is required for a queueTrigger binding.")]
    [InlineData("""{"bindings":[{"name":"m","type":"queueTrigger","direction":"in","queueName":"Alert_Events"}]}""", "bindings[0].queueName: \"Alert_Events\" is not a valid queue name*")]
    [InlineData("""{"bindings":[{"name":"m","type":"queueTrigger","direction":"out","queueName":"q-1"}]}""", "bindings[0].direction: must be \"in\" for a queueTrigger binding, not \"out\".")]
    [InlineData("""{"bindings":[{"name":"m","type":"queueTrigger","direction":"sideways","queueName":"q-1"}]}""", "bindings[0].direction: must be \"in\", \"out\" or \"inout\", not \"sideways\".")]
    [InlineData("""{"bindings":[{"type":"queueTrigger","direction":"in","queueName":"q-1"}]}""", "bindings[0].name: is required*")]
    [InlineData("""{"bindings":[{"name":"m","direction":"in","queueName":"q-1"}]}""", "bindings[0].type: is required*")]
    [InlineData("""{"bindings":[{"name":"m","type":"queue","direction":"out","queueName":"q-1"}]}""", "bindings: has no trigger binding*")]
    [InlineData("""{"bindings":[{"name":"a","type":"timerTrigger","direction":"in","schedule":"* * * * * *"},{"name":"b","type":"queueTrigger","direction":"in","queueName":"q-1"}]}""", "bindings: has 2 trigger bindings (a, b); a function has exactly one.")]
    [InlineData("""{"bindings":[{"name":"m","type":"queueTrigger","direction":"in","queueName":"q-1"},{"name":"M","type":"queue","direction":"out","queueName":"q-2"}]}""", "bindings[1].name: \"M\" is used by another binding of this function.")]
    [InlineData("""{"bindings":[{"name":"m","type":"timerTrigger","direction":"in"}]}""", "bindings[0].schedule: is required for a timerTrigger*")]
    [InlineData("""{"bindings":[{"name":"m","type":"serviceBusTrigger","direction":"in","topicName":"t"}]}""", "bindings[0].subscriptionName: is required with topicName*")]
    [InlineData("""{"bindings":[{"name":"m","type":"serviceBusTrigger","direction":"in"}]}""", "bindings[0].queueName: a serviceBusTrigger binding names either queueName, or topicName with subscriptionName.")]
    [InlineData("""{"bindings":[{"name":"r","type":"httpTrigger","direction":"in","methods":["fetch"]}]}""", "bindings[0].methods[0]: \"fetch\" is not an HTTP method.")]
    [InlineData("""{"bindings":[{"name":"r","type":"httpTrigger","direction":"in","authLevel":"nobody"}]}""", "bindings[0].authLevel: must be \"anonymous\", \"function\" or \"admin\", not \"nobody\".")]
    [InlineData("""{"bindings":[{"name":"m","type":"queueTrigger","direction":"in","queueName":"q-1","dataType":"text"}]}""", "bindings[0].dataType: must be \"string\", \"binary\" or \"stream\", not \"text\".")]
    [InlineData("""{"bindings":{}}""", "bindings: is required: an array*")]
    [InlineData("""{"bindings":[{"name":"1st","type":"queueTrigger","direction":"in","queueName":"q-1"}]}""", "bindings[0].name: \"1st\" must start with a letter*")]
    public void Parse_Invalid_NamesFileAndField(string json, string expected)
    {
        var act = () => Parse(json);

        act.Should().Throw<FunctionAppConfigurationException>().WithMessage($"{Path}: {expected}");
    }

    [Fact]
    public void Parse_MissingAppSetting_NamesTheSetting()
    {
        var act = () => FunctionDefinition.Parse(
            "F", """{"bindings":[{"name":"m","type":"queueTrigger","direction":"in","queueName":"%Missing%"}]}""", Path, _ => null);

        act.Should().Throw<FunctionAppConfigurationException>()
            .WithMessage($"{Path}: bindings[0].queueName: refers to app setting 'Missing', which is not set.")
            .Which.Field.Should().Be("bindings[0].queueName");
    }

    [Fact]
    public void Parse_ResolvedQueueNameInvalid_IsRefused()
    {
        var act = () => FunctionDefinition.Parse(
            "F", """{"bindings":[{"name":"m","type":"queueTrigger","direction":"in","queueName":"%Q%"}]}""", Path, _ => "UPPER");

        act.Should().Throw<FunctionAppConfigurationException>().WithMessage("*\"UPPER\" is not a valid queue name*");
    }

    [Fact]
    public void IsDisabled_ByFunctionJsonOrAppSetting()
    {
        var enabled = Parse("""{"bindings":[{"name":"t","type":"timerTrigger","direction":"in","schedule":"* * * * * *"}]}""");
        var disabled = Parse("""{"disabled":true,"bindings":[{"name":"t","type":"timerTrigger","direction":"in","schedule":"* * * * * *"}]}""");

        enabled.IsDisabled(_ => null).Should().BeFalse();
        enabled.IsDisabled(name => name == "AzureWebJobs.FanOut.Disabled" ? "true" : null).Should().BeTrue();
        disabled.IsDisabled(_ => null).Should().BeTrue();
    }

    private static FunctionDefinition Parse(string json) => FunctionDefinition.Parse("FanOut", json, Path);
}
