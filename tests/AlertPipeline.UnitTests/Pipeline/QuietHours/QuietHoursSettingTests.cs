using AlertPipeline.Core.Pipeline;
using NodaTime;

namespace AlertPipeline.UnitTests.Pipeline.QuietHours;

public sealed class QuietHoursSettingTests
{
    [Fact]
    public void Default_IsNineToEight()
    {
        var window = new PipelineOptions().QuietHoursWindow;

        window.Should().NotBeNull();
        window!.Start.Should().Be(new LocalTime(21, 0));
        window.End.Should().Be(new LocalTime(8, 0));
    }

    [Theory]
    [InlineData("off")]
    [InlineData("OFF")]
    [InlineData("")]
    [InlineData(null)]
    public void OffOrEmpty_DisablesQuietHours(string? setting)
    {
        var options = new PipelineOptions { QuietHours = setting };

        options.Validate().Should().BeEmpty();
        options.QuietHoursWindow.Should().BeNull();
    }

    [Theory]
    [InlineData("22:30 - 07:15", 22, 30, 7, 15)]
    [InlineData("13:00-14:00", 13, 0, 14, 0)]
    public void Window_IsParsed(string setting, int sh, int sm, int eh, int em)
    {
        var window = new PipelineOptions { QuietHours = setting }.QuietHoursWindow!;

        window.Start.Should().Be(new LocalTime(sh, sm));
        window.End.Should().Be(new LocalTime(eh, em));
    }

    [Theory]
    [InlineData("21:00", "not a window such as 21:00-08:00")]
    [InlineData("25:00-08:00", "not a window such as 21:00-08:00")]
    [InlineData("9pm-8am", "not a window such as 21:00-08:00")]
    [InlineData("08:00-08:00", "starts and ends at the same time")]
    public void InvalidWindow_IsReportedNamingTheSetting(string setting, string problem)
    {
        var errors = new PipelineOptions { QuietHours = setting }.Validate();

        errors.Should().ContainSingle().Which.Should().Contain("Pipeline:QuietHours").And.Contain(problem).And.Contain(setting);
    }

    [Fact]
    public void RedeliverInterval_OutOfRange_IsReported()
    {
        new PipelineOptions { DeferredRedeliverAfter = TimeSpan.FromSeconds(5) }.Validate()
            .Should().ContainSingle().Which.Should().Contain("Pipeline:DeferredRedeliverAfter");
    }
}
