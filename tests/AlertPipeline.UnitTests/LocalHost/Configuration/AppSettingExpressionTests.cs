using AlertPipeline.LocalHost.Configuration;

namespace AlertPipeline.UnitTests.LocalHost.Configuration;

public sealed class AppSettingExpressionTests
{
    private static readonly Dictionary<string, string> Settings = new() { ["A"] = "one", ["B"] = "two" };

    [Theory]
    [InlineData("%A%", "one")]
    [InlineData("x-%A%-%B%-y", "x-one-two-y")]
    [InlineData("plain", "plain")]
    [InlineData("100%", "100%")]
    public void TryResolve_KnownSettings_Replaces(string value, string expected)
    {
        AppSettingExpression.TryResolve(value, n => Settings.GetValueOrDefault(n), out var resolved, out var missing).Should().BeTrue();

        resolved.Should().Be(expected);
        missing.Should().BeNull();
    }

    [Fact]
    public void TryResolve_MissingSetting_ReportsItsName()
    {
        AppSettingExpression.TryResolve("%A%-%C%", n => Settings.GetValueOrDefault(n), out _, out var missing).Should().BeFalse();

        missing.Should().Be("C");
    }

    [Theory]
    [InlineData("http://127.0.0.1:%A%", "http://127.0.0.1:one")]
    [InlineData("%C%", "%C%")]
    [InlineData("50%%A%", "50%one")]
    [InlineData("%C%%A%", "%C%one")]
    public void ExpandEnvironment_UnknownNamesStay(string value, string expected)
    {
        AppSettingExpression.ExpandEnvironment(value, n => Settings.GetValueOrDefault(n)).Should().Be(expected);
    }

    [Fact]
    public void Names_ListsPlaceholders()
    {
        AppSettingExpression.Names("%A%-x-%B%").Should().Equal("A", "B");
        AppSettingExpression.HasPlaceholders("alert-events").Should().BeFalse();
    }
}
