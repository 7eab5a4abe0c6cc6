using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Events;
using AlertPipeline.LocalHost.Demo;
using AlertPipeline.Testing;
using NodaTime;

namespace AlertPipeline.UnitTests.LocalHost.Demo;

public class DemoEventsTests
{
    private static readonly string Zhanaozen = RepositoryPaths.Combine("demo", "zhanaozen-event.json");
    private static readonly string Appeal = RepositoryPaths.Combine("demo", "aqtau-appeal-event.json");

    [Fact]
    public void Load_AnniversaryBeforeItsDate_MovesToThisYearsDateAndShiftsYears()
    {
        var original = AlertEventParser.Parse(File.ReadAllText(Zhanaozen)).Value;
        var now = Instant.FromUtc(2030, 11, 22, 5, 0);

        var loaded = DemoEvents.Load(Zhanaozen, now);

        loaded.Event.Occurrence.Local.Should().Be(new LocalDateTime(2030, 12, 16, 11, 0));
        int.Parse(loaded.Event.Variables["years"]).Should().Be(int.Parse(original.Variables["years"]) + 2030 - original.Occurrence.Local.Year);
        loaded.Event.OccurredAt.Should().Be(now);
        (loaded.Event.ExpiresAt - loaded.Event.Occurrence.Instant).Should().Be(original.ExpiresAt - original.Occurrence.Instant, "the expiry keeps its distance from the occurrence");
        loaded.AlertId.Should().Be(AlertId.For(loaded.Event));
        AlertEventParser.Validate(loaded.Event).Should().BeEmpty();
    }

    [Fact]
    public void Load_AnniversaryAfterItsDate_MovesToNextYear()
    {
        var original = AlertEventParser.Parse(File.ReadAllText(Zhanaozen)).Value;

        var loaded = DemoEvents.Load(Zhanaozen, Instant.FromUtc(2030, 12, 16, 6, 30));

        loaded.Event.Occurrence.Local.Should().Be(new LocalDateTime(2031, 12, 16, 11, 0));
        int.Parse(loaded.Event.Variables["years"]).Should().Be(int.Parse(original.Variables["years"]) + 2031 - original.Occurrence.Local.Year);
    }

    [Fact]
    public void Load_TrialHearing_MovesToTomorrowAtTheSameLocalTime_AndIsNotExpired()
    {
        var now = Instant.FromUtc(2026, 11, 22, 20, 0); // already 23 November in Aqtau (UTC+5)

        var loaded = DemoEvents.Load(Appeal, now);

        loaded.Event.Occurrence.Local.Should().Be(new LocalDateTime(2026, 11, 24, 10, 0));
        loaded.Event.IsExpiredAt(now).Should().BeFalse();
        loaded.Event.Variables.Should().BeEquivalentTo(AlertEventParser.Parse(File.ReadAllText(Appeal)).Value.Variables);
    }

    [Fact]
    public void Load_InvalidFile_ThrowsNamingTheFileAndTheField()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, File.ReadAllText(Appeal).Replace("\"sms\"]", "\"fax\"]", StringComparison.Ordinal));

            var act = () => DemoEvents.Load(path, Instant.FromUtc(2026, 11, 22, 5, 0));

            act.Should().Throw<InvalidDataException>().WithMessage($"{path}: *$.channels[0]*");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
