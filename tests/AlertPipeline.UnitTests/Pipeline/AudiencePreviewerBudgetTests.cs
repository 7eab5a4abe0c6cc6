using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using Moq;

namespace AlertPipeline.UnitTests.Pipeline;

/// <summary>
/// <see cref="AudiencePreviewer"/> within <see cref="ReportOptions.PreviewBudget"/>: exact when the audience is read in
/// time; when the budget runs out, the pages read so far, marked partial, with how many branches were read. The clock is
/// manual: the budget runs out only when the test moves it.
/// </summary>
public sealed class AudiencePreviewerBudgetTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);
    private readonly PipelineWorld _world = new();

    public AudiencePreviewerBudgetTests()
    {
        // Subscribed: all of kz-oil (zhanaozen, aqtau) and uk-energy's london branch. Pages of 2 contacts.
        _world.AddContact(PipelineWorld.Kz, PipelineWorld.Zhanaozen, "z1", "+447700900101");
        _world.AddContact(PipelineWorld.Kz, PipelineWorld.Zhanaozen, "z2", "+447700900102");
        _world.AddContact(PipelineWorld.Kz, PipelineWorld.Zhanaozen, "z3", "+447700900103");
        _world.AddContact(PipelineWorld.Kz, PipelineWorld.Aqtau, "a1", "+447700900104");
        _world.AddContact(PipelineWorld.Uk, PipelineWorld.London, "l1", "+447700900105");
        _world.OptOuts.Setup(o => o.GetOptedOutAsync(Channel.Sms, It.IsAny<CancellationToken>())).ReturnsAsync((IReadOnlySet<RecipientHash>)new HashSet<RecipientHash>());
    }

    [Fact]
    public async Task Preview_AudienceReadWithinBudget_IsExactAndNotPartial()
    {
        var preview = await Previewer().PreviewAsync(Event(), _world.Campaigns[0], _world.Unions[0], _world.Time.GetUtcNow(), default);

        preview.Partial.Should().BeFalse();
        preview.People.Should().Be(5);
        preview.Branches.Should().Be(3);
        preview.BranchesRead.Should().Be(3);
        preview.BranchesInAudience.Should().Be(3);
        preview.Channels.Single().Recipients.Should().Be(5);
    }

    [Fact]
    public async Task Preview_BudgetRunsOutWhileABranchIsRead_AnswersThePagesReadSoFarMarkedPartial()
    {
        var reached = StallLondon();

        var previewing = Previewer().PreviewAsync(Event(), _world.Campaigns[0], _world.Unions[0], _world.Time.GetUtcNow(), default);
        await reached;
        _world.Time.Advance(Budget);
        var preview = await previewing;

        preview.Partial.Should().BeTrue();
        preview.People.Should().Be(4, "zhanaozen's two pages and aqtau's page were read before the budget ran out");
        preview.Branches.Should().Be(2);
        preview.BranchesRead.Should().Be(2);
        preview.BranchesInAudience.Should().Be(3);
        preview.Channels.Single().Recipients.Should().Be(4, "the channel counts cover the same pages");
        preview.Languages.Should().NotBeEmpty("the sample texts need no reading");
    }

    [Fact]
    public async Task Preview_RequestArrivedTwoSecondsAgo_StopsReadingOneSecondLater()
    {
        var reached = StallLondon();

        var previewing = Previewer().PreviewAsync(Event(), _world.Campaigns[0], _world.Unions[0], _world.Time.GetUtcNow() - TimeSpan.FromSeconds(2), default);
        await reached;
        _world.Time.Advance(TimeSpan.FromSeconds(1));
        var preview = await previewing;

        preview.Partial.Should().BeTrue("the budget counts from the request's arrival, two seconds before the preview began");
        preview.BranchesRead.Should().Be(2);
    }

    [Fact]
    public async Task Preview_RequestArrivedLongerAgoThanTheBudget_ReadsNoContactsAndSaysPartial()
    {
        var preview = await Previewer().PreviewAsync(Event(), _world.Campaigns[0], _world.Unions[0], _world.Time.GetUtcNow() - Budget, default);

        preview.Partial.Should().BeTrue();
        preview.People.Should().Be(0, "nothing was read: no count is made up");
        preview.BranchesRead.Should().Be(0);
        preview.Languages.Should().NotBeEmpty("the sample texts need no reading");
        _world.Membership.Verify(
            m => m.GetContactsPageAsync(It.IsAny<UnionId>(), It.IsAny<BranchId>(), It.IsAny<int>(), It.IsAny<string?>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task Preview_CallerGivesUp_IsCancelledNotPartial()
    {
        using var gone = new CancellationTokenSource();
        await gone.CancelAsync();

        var act = () => Previewer().PreviewAsync(Event(), _world.Campaigns[0], _world.Unions[0], _world.Time.GetUtcNow(), gone.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    private AudiencePreviewer Previewer() => new(
        _world.Membership.Object, new AudienceResolver(_world.Membership.Object), _world.Lookups, new DeliveryPagePlanner(_world.OptOuts.Object, _world.Hasher),
        _world.Options, new ReportOptions { PreviewBudget = Budget }, _world.Time);

    private static AlertEvent Event() => AlertEventParser.Parse(PipelineWorld.EventJson(channels: """["sms"]""")).Value;

    /// <summary>London's page read never ends until cancelled; the task completes when the read has begun.</summary>
    private Task StallLondon()
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _world.Membership.Setup(m => m.GetContactsPageAsync(PipelineWorld.Uk, PipelineWorld.London, It.IsAny<int>(), It.IsAny<string?>(), It.IsAny<CancellationToken>()))
            .Returns(async (UnionId _, BranchId _, int _, string? _, CancellationToken ct) =>
            {
                reached.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
                return new ContactPage([], null);
            });
        return reached.Task;
    }
}
