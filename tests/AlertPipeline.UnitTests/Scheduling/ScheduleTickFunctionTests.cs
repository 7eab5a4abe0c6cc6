using AlertPipeline.Core.Events;
using AlertPipeline.Core.Scheduling;
using AlertPipeline.CustomHandler;
using AlertPipeline.Functions.Functions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;
using static AlertPipeline.UnitTests.Scheduling.ScheduleFixtures;

namespace AlertPipeline.UnitTests.Scheduling;

public class ScheduleTickFunctionTests
{
    [Fact]
    public async Task InvokeAsync_TwoDueOccurrences_WritesTwoContractEventsToAlertEvents()
    {
        var storage = new InMemoryScheduleStorage();
        storage.Add(Zhanaozen("zhanaozen"));
        storage.Add(Zhanaozen("zhanaozen-memorial"));
        var function = new ScheduleTickFunction(Handler(storage, ClockAt(ZhanaozenFire2025)), NullLogger<ScheduleTickFunction>.Instance);
        var request = InvocationRequestBuilder.ForTimer("ScheduleTick", ScheduleTickFunction.TimerBinding, status: null, isPastDue: false);

        var response = await function.InvokeAsync(request, CancellationToken.None);

        var messages = response.GetOutputMessages(ScheduleTickFunction.OutputBinding);
        messages.Should().HaveCount(2);
        var events = messages.Select(m => AlertEventParser.Parse(m.Text)).ToList();
        events.Should().AllSatisfy(e => e.IsSuccess.Should().BeTrue(e.ToString()));
        events.Select(e => e.Value.EventId.Value).Should().BeEquivalentTo("zhanaozen", "zhanaozen-memorial");
    }

    [Fact]
    public async Task InvokeAsync_NothingDue_WritesNoMessage()
    {
        var storage = new InMemoryScheduleStorage();
        storage.Add(Zhanaozen());
        var function = new ScheduleTickFunction(Handler(storage, ClockAt(ZhanaozenFire2025 - Duration.FromHours(1))), NullLogger<ScheduleTickFunction>.Instance);

        var response = await function.InvokeAsync(
            InvocationRequestBuilder.ForTimer("ScheduleTick", ScheduleTickFunction.TimerBinding, null, false), CancellationToken.None);

        response.GetOutputMessages(ScheduleTickFunction.OutputBinding).Should().BeEmpty();
        storage.LastTick.Should().Be(ZhanaozenFire2025 - Duration.FromHours(1));
    }

    [Theory]
    [InlineData(null, null, 15, 100)]
    [InlineData("00:05:00", "250", 5, 250)]
    public void ReadOptions_GracePeriodAndPageSize_FromTheSchedulingSection(string? grace, string? pageSize, int minutes, int size)
    {
        var options = ScheduleTickServiceCollectionExtensions.ReadOptions(Section(grace, pageSize));

        options.GracePeriod.Should().Be(Duration.FromMinutes(minutes));
        options.PageSize.Should().Be(size);
    }

    [Theory]
    [InlineData("soon", null, "*Scheduling:GracePeriod 'soon'*")]
    [InlineData("8.00:00:00", null, "*Scheduling:GracePeriod must be positive and at most 7 days*")]
    [InlineData("00:00:00", null, "*Scheduling:GracePeriod must be positive*")]
    [InlineData(null, "0", "*Scheduling:PageSize must be between 1 and 1000*")]
    public void ReadOptions_BadSetting_FailsNamingIt(string? grace, string? pageSize, string expected)
    {
        var act = () => ScheduleTickServiceCollectionExtensions.ReadOptions(Section(grace, pageSize));

        act.Should().Throw<InvalidOperationException>().WithMessage(expected);
    }

    private static IConfigurationSection Section(string? grace, string? pageSize) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Scheduling:GracePeriod"] = grace, ["Scheduling:PageSize"] = pageSize })
            .Build()
            .GetSection("Scheduling");
}
