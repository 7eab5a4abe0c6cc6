using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Core.Scheduling;
using AlertPipeline.Core.Scheduling.Ports;
using AlertPipeline.Functions.Functions;
using Microsoft.Extensions.Configuration;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Infrastructure.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using NodaTime;
using AlertPipeline.UnitTests.Pipeline.QuietHours;
using static AlertPipeline.UnitTests.Scheduling.ScheduleFixtures;

namespace AlertPipeline.UnitTests.Scheduling;

public class ScheduleTickFunctionTests
{
    [Fact]
    public async Task RunAsync_TwoDueOccurrences_PublishesTwoContractEventsAndDispatchesNothing()
    {
        var storage = new InMemoryScheduleStorage();
        storage.Add(Zhanaozen("zhanaozen"));
        storage.Add(Zhanaozen("zhanaozen-memorial"));
        var publisher = new RecordingPublisher();
        var function = new ScheduleTickFunction(Handler(storage, ClockAt(ZhanaozenFire2025), publisher), NoDeferred(), NoPoisonedChunks(), NoPoisonedBatches(), NoPoisonedStatuses(), NullLogger<ScheduleTickFunction>.Instance);

        // The tick enqueues its events itself (an output written after the claim could be lost); nothing is deferred, and the
        // strict dispatch port of NoDeferred() fails the test if anything is dispatched.
        await function.RunAsync(new TimerInfo(), CancellationToken.None);

        var events = publisher.Published.Select(e => AlertEventParser.Parse(AlertEventSerializer.Serialize(e))).ToList();
        events.Should().HaveCount(2).And.AllSatisfy(e => e.IsSuccess.Should().BeTrue(e.ToString()));
        events.Select(e => e.Value.EventId.Value).Should().BeEquivalentTo("zhanaozen", "zhanaozen-memorial");
        storage.Records.Should().HaveCount(2).And.AllSatisfy(r => r.State.Should().Be(OccurrenceState.Fired));
    }

    [Fact]
    public async Task RunAsync_LooksAtTheStatusPoisonQueueAfterTheOthers()
    {
        var looked = new List<string>();
        var function = new ScheduleTickFunction(
            Handler(new InMemoryScheduleStorage(), ClockAt(ZhanaozenFire2025), new RecordingPublisher()), NoDeferred(),
            NoPoisonedChunks(looked), NoPoisonedBatches(looked), NoPoisonedStatuses(looked), NullLogger<ScheduleTickFunction>.Instance);

        await function.RunAsync(new TimerInfo(), CancellationToken.None);

        looked.Should().Equal("fanout-chunks-poison", "sms-dispatch-poison", "email-dispatch-poison", "sms-status-poison");
    }

    [Fact]
    public async Task RunAsync_NothingDue_WritesNoMessage()
    {
        var storage = new InMemoryScheduleStorage();
        storage.Add(Zhanaozen());
        var publisher = new RecordingPublisher();
        var function = new ScheduleTickFunction(Handler(storage, ClockAt(ZhanaozenFire2025 - Duration.FromHours(1)), publisher), NoDeferred(), NoPoisonedChunks(), NoPoisonedBatches(), NoPoisonedStatuses(), NullLogger<ScheduleTickFunction>.Instance);

        await function.RunAsync(new TimerInfo { IsPastDue = true }, CancellationToken.None);

        publisher.Published.Should().BeEmpty();
        storage.LastTick.Should().Be(ZhanaozenFire2025 - Duration.FromHours(1));
    }

    [Theory]
    [InlineData(null, null, null, 15, 100, 120)]
    [InlineData("00:05:00", "250", "00:01:30", 5, 250, 90)]
    [InlineData("00:01:00", null, null, 1, 100, 30)]
    public void ReadOptions_GracePeriodPageSizeAndRedeliverAfter_FromTheSchedulingSection(
        string? grace, string? pageSize, string? redeliver, int minutes, int size, int redeliverSeconds)
    {
        var options = ScheduleTickServiceCollectionExtensions.ReadOptions(Section(grace, pageSize, redeliver));

        options.GracePeriod.Should().Be(Duration.FromMinutes(minutes));
        options.PageSize.Should().Be(size);
        options.RedeliverAfter.Should().Be(Duration.FromSeconds(redeliverSeconds));
    }

    [Theory]
    [InlineData("soon", null, "*Scheduling:GracePeriod 'soon'*")]
    [InlineData("8.00:00:00", null, "*Scheduling:GracePeriod must be positive and at most 7 days*")]
    [InlineData("00:00:00", null, "*Scheduling:GracePeriod must be positive*")]
    [InlineData(null, "0", "*Scheduling:PageSize must be between 1 and 1000*")]
    [InlineData(null, null, "*Scheduling:RedeliverAfter 'later'*", "later")]
    [InlineData(null, null, "*Scheduling:RedeliverAfter must be positive and shorter than Scheduling:GracePeriod*", "00:00:00")]
    [InlineData("00:05:00", null, "*Scheduling:RedeliverAfter must be positive and shorter than Scheduling:GracePeriod*", "00:05:00")]
    public void ReadOptions_BadSetting_FailsNamingIt(string? grace, string? pageSize, string expected, string? redeliver = null)
    {
        var act = () => ScheduleTickServiceCollectionExtensions.ReadOptions(Section(grace, pageSize, redeliver));

        act.Should().Throw<InvalidOperationException>().WithMessage(expected);
    }

    /// <summary>A releaser with nothing deferred (a strict delivery store and dispatch port: reading a row or dispatching would fail the test).</summary>
    private static DeferredDispatchReleaser NoDeferred() =>
        new(new InMemoryDeferredDispatchStore(), new Mock<IDeliveryStore>(MockBehavior.Strict).Object, new Mock<IDispatchQueue>(MockBehavior.Strict).Object, new PipelineOptions(), TimeProvider.System);

    private static IConfigurationSection Section(string? grace, string? pageSize, string? redeliver = null) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Scheduling:GracePeriod"] = grace, ["Scheduling:PageSize"] = pageSize, ["Scheduling:RedeliverAfter"] = redeliver,
            })
            .Build()
            .GetSection("Scheduling");

    /// <summary>A re-driver over an account without a <c>fanout-chunks-poison</c> queue (strict SDK mocks: nothing else may be called).</summary>
    private static FanOutChunkRedriver NoPoisonedChunks(List<string>? looked = null)
    {
        var queues = AbsentPoisonQueues(looked, FanOutChunkRedriver.PoisonQueue);
        return new FanOutChunkRedriver(queues.Object, new PipelineTables(new Mock<TableServiceClient>(MockBehavior.Strict).Object), new PipelineOptions(), TimeProvider.System);
    }

    private static StatusCallbackRedriver NoPoisonedStatuses(List<string>? looked = null)
    {
        var queues = AbsentPoisonQueues(looked, "sms-status-poison");
        return new StatusCallbackRedriver(queues.Object, new PipelineTables(new Mock<TableServiceClient>(MockBehavior.Strict).Object), new PipelineOptions(), TimeProvider.System);
    }

    private static DispatchRedrivers NoPoisonedBatches(List<string>? looked = null)
    {
        var queues = AbsentPoisonQueues(looked, "sms-dispatch-poison", "email-dispatch-poison");
        var tables = new PipelineTables(new Mock<TableServiceClient>(MockBehavior.Strict).Object);
        return new DispatchRedrivers(
            [.. new[] { Channel.Sms, Channel.Email }.Select(c => new DispatchBatchRedriver(queues.Object, tables, new PipelineOptions(), TimeProvider.System, c))]);
    }

    /// <summary>Strict SDK mocks of an account where the named poison queues do not exist; each look (<c>ExistsAsync</c>) is recorded in <paramref name="looked"/>.</summary>
    private static Mock<QueueServiceClient> AbsentPoisonQueues(List<string>? looked, params string[] names)
    {
        var queues = new Mock<QueueServiceClient>(MockBehavior.Strict);
        foreach (var name in names)
        {
            var poison = new Mock<QueueClient>(MockBehavior.Strict);
            poison.Setup(q => q.ExistsAsync(It.IsAny<CancellationToken>()))
                .Callback(() => looked?.Add(name))
                .ReturnsAsync(Azure.Response.FromValue(false, Mock.Of<Azure.Response>()));
            queues.Setup(q => q.GetQueueClient(name)).Returns(poison.Object);
        }

        return queues;
    }
}
