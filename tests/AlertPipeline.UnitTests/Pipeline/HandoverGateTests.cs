using AlertPipeline.Core.Pipeline;

namespace AlertPipeline.UnitTests.Pipeline;

public sealed class HandoverGateTests
{
    [Fact]
    public async Task Enter_AtCapacity_WaitsUntilAHandoverIsOver()
    {
        using var gate = new HandoverGate(new PipelineOptions { EmailHandoversInFlight = 2 });
        var first = await gate.EnterAsync(default);
        using var second = await gate.EnterAsync(default);

        var third = gate.EnterAsync(default);
        await Task.Delay(50);
        third.IsCompleted.Should().BeFalse("two handovers are in flight, the gate's capacity");
        gate.InFlight.Should().Be(2);

        first.Dispose();
        first.Dispose(); // a second dispose frees nothing more
        using var entered = await third.WaitAsync(TimeSpan.FromSeconds(5));
        gate.InFlight.Should().Be(2);
    }

    [Fact]
    public async Task Close_RefusesWaitingAndNewHandovers_ThoseInFlightKeepTheirSlots()
    {
        using var gate = new HandoverGate(new PipelineOptions { EmailHandoversInFlight = 1 });
        using var inFlight = await gate.EnterAsync(default);
        var waiting = gate.EnterAsync(default);

        gate.Close();
        gate.Close();

        await FluentActions.Awaiting(() => waiting.WaitAsync(TimeSpan.FromSeconds(5))).Should().ThrowAsync<HandoverGateClosedException>();
        await FluentActions.Awaiting(() => gate.EnterAsync(default)).Should().ThrowAsync<HandoverGateClosedException>();
        gate.IsClosed.Should().BeTrue();
        gate.InFlight.Should().Be(1, "the handover already begun finishes");
    }

    [Fact]
    public async Task Enter_WaitCancelled_ThrowsOperationCanceledAndTakesNoSlot()
    {
        using var gate = new HandoverGate(new PipelineOptions { EmailHandoversInFlight = 1 });
        using var inFlight = await gate.EnterAsync(default);
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await FluentActions.Awaiting(() => gate.EnterAsync(stop.Token)).Should().ThrowAsync<OperationCanceledException>();

        gate.InFlight.Should().Be(1);
    }

    [Fact]
    public async Task Enter_CapacityZero_NeverWaitsButStillRefusesOnceClosed()
    {
        using var gate = new HandoverGate(new PipelineOptions { EmailHandoversInFlight = 0 });
        var slots = new List<IDisposable>();
        for (var i = 0; i < 100; i++)
        {
            slots.Add(await gate.EnterAsync(default).WaitAsync(TimeSpan.FromSeconds(5)));
        }

        slots.ForEach(s => s.Dispose());
        gate.Close();
        await FluentActions.Awaiting(() => gate.EnterAsync(default)).Should().ThrowAsync<HandoverGateClosedException>();
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1001)]
    public void Validate_EmailHandoversInFlightOutOfRange_NamesTheSetting(int value)
    {
        new PipelineOptions { EmailHandoversInFlight = value }.Validate()
            .Should().ContainSingle(e => e.Contains("Pipeline:EmailHandoversInFlight", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_EmailEndOfDataAfterUnknown_NamesTheSettingAndItsValues()
    {
        new PipelineOptions { EmailEndOfDataAfter = (EmailEndOfData)7 }.Validate()
            .Should().ContainSingle().Which.Should().Be("Pipeline:EmailEndOfDataAfter must be MarkSent or MarkStored.");
        new PipelineOptions().Validate().Should().BeEmpty();
    }
}
