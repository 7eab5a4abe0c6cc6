using AlertPipeline.LocalHost.Timers;

namespace AlertPipeline.UnitTests.LocalHost;

public sealed class CronScheduleTests
{
    private static DateTime At(string text) => DateTime.SpecifyKind(DateTime.Parse(text, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc);

    private static DateTime Next(string expression, string after) => CronSchedule.Parse(expression).GetNextOccurrence(At(after))!.Value;

    private static IReadOnlyList<DateTime> NextN(string expression, string after, int count)
    {
        var schedule = CronSchedule.Parse(expression);
        var result = new List<DateTime>();
        var current = At(after);
        for (var i = 0; i < count; i++)
        {
            current = schedule.GetNextOccurrence(current)!.Value;
            result.Add(current);
        }

        return result;
    }

    [Theory]
    [InlineData("* * * * * *", "2024-03-10 12:00:00", "2024-03-10 12:00:01")]
    [InlineData("0 * * * * *", "2024-03-10 12:00:00", "2024-03-10 12:01:00")]
    [InlineData("0 */5 * * * *", "2024-03-10 12:03:27", "2024-03-10 12:05:00")]
    [InlineData("0 */5 * * * *", "2024-03-10 12:55:00", "2024-03-10 13:00:00")]
    [InlineData("30 15 9 * * *", "2024-03-10 09:15:30", "2024-03-11 09:15:30")]
    [InlineData("30 15 9 * * *", "2024-03-10 09:15:29", "2024-03-10 09:15:30")]
    [InlineData("0 0 0 1 1 *", "2024-06-01 00:00:00", "2025-01-01 00:00:00")]
    [InlineData("0 0 12 * * MON", "2024-03-10 00:00:00", "2024-03-11 12:00:00")]
    [InlineData("0 0 12 * * 1-5", "2024-03-08 12:00:00", "2024-03-11 12:00:00")]
    [InlineData("0 0 0 29 2 *", "2023-03-01 00:00:00", "2024-02-29 00:00:00")]
    [InlineData("0 0 0 31 * *", "2024-04-01 00:00:00", "2024-05-31 00:00:00")]
    [InlineData("0 0 0 * * *", "2024-12-31 23:59:59", "2025-01-01 00:00:00")]
    [InlineData("0 30 23 31 12 *", "2024-12-31 23:30:00", "2025-12-31 23:30:00")]
    [InlineData("0 0 9 1-7 * MON", "2024-03-10 00:00:00", "2024-04-01 09:00:00")]
    [InlineData("0 0 0 13 * FRI", "2024-01-01 00:00:00", "2024-09-13 00:00:00")]
    [InlineData("0 0 8 * JAN,JUL *", "2024-02-01 00:00:00", "2024-07-01 08:00:00")]
    [InlineData("0 0 8 * jul *", "2024-02-01 00:00:00", "2024-07-01 08:00:00")]
    [InlineData("0 0 8 * * sunday", "2024-03-11 00:00:00", "2024-03-17 08:00:00")]
    [InlineData("0 0 8 * December *", "2024-03-11 00:00:00", "2024-12-01 08:00:00")]
    public void GetNextOccurrence_Expression_FirstMatchStrictlyAfter(string expression, string after, string expected) =>
        Next(expression, after).Should().Be(At(expected));

    [Fact]
    public void GetNextOccurrence_StepsAndRanges_ProduceTheListedValues()
    {
        NextN("0 1-10/3 * * * *", "2024-01-01 00:00:00", 4).Select(d => d.Minute).Should().Equal(1, 4, 7, 10);
        NextN("0 1-10/3 * * * *", "2024-01-01 00:10:00", 1).Should().Equal(At("2024-01-01 01:01:00"));
        NextN("*/15 * * * * *", "2024-01-01 00:00:00", 4).Select(d => d.Second).Should().Equal(15, 30, 45, 0);
        NextN("50/5 * * * * *", "2024-01-01 00:00:00", 3).Select(d => d.Second).Should().Equal(50, 55, 50);
        NextN("0 0 6,12,18 * * *", "2024-01-01 07:00:00", 3).Select(d => d.Hour).Should().Equal(12, 18, 6);
        NextN("0 0 0 * * 0,6", "2024-03-08 00:00:00", 3).Select(d => d.DayOfWeek)
            .Should().Equal(DayOfWeek.Saturday, DayOfWeek.Sunday, DayOfWeek.Saturday);
    }

    [Fact]
    public void GetNextOccurrence_DayOfMonth31_SkipsShortMonths()
    {
        NextN("0 0 0 31 * *", "2024-01-01 00:00:00", 7).Select(d => d.Month).Should().Equal(1, 3, 5, 7, 8, 10, 12);
    }

    [Fact]
    public void GetNextOccurrence_February29_OnlyInLeapYears()
    {
        NextN("0 0 0 29 2 *", "2024-03-01 00:00:00", 2).Should().Equal(At("2028-02-29 00:00:00"), At("2032-02-29 00:00:00"));
    }

    [Fact]
    public void GetNextOccurrence_February29OnAMonday_FoundYearsAhead()
    {
        // Both fields restricted: NCrontab requires both (not cron's "either").
        Next("0 0 0 29 2 MON", "2024-01-01 00:00:00").Should().Be(At("2044-02-29 00:00:00"));
    }

    [Fact]
    public void GetNextOccurrence_ImpossibleDate_Null() =>
        CronSchedule.Parse("0 0 0 30 2 *").GetNextOccurrence(At("2024-01-01 00:00:00")).Should().BeNull();

    [Fact]
    public void GetNextOccurrence_SubSecondInput_TruncatesToTheSecond() =>
        CronSchedule.Parse("* * * * * *").GetNextOccurrence(At("2024-01-01 00:00:00").AddMilliseconds(999)).Should().Be(At("2024-01-01 00:00:01"));

    [Fact]
    public void GetNextOccurrence_KeepsTheKind() =>
        CronSchedule.Parse("0 0 * * * *").GetNextOccurrence(new DateTime(2024, 1, 1, 0, 30, 0, DateTimeKind.Unspecified))!.Value.Kind
            .Should().Be(DateTimeKind.Unspecified);

    [Theory]
    [InlineData("* * * * *", null, "has 5 fields")]
    [InlineData("* * * * * * *", null, "has 7 fields")]
    [InlineData("", null, "has 0 fields")]
    [InlineData("60 * * * * *", "second", "between 0 and 59")]
    [InlineData("0 60 * * * *", "minute", "between 0 and 59")]
    [InlineData("0 0 24 * * *", "hour", "between 0 and 23")]
    [InlineData("0 0 0 0 * *", "day", "between 1 and 31")]
    [InlineData("0 0 0 32 * *", "day", "between 1 and 31")]
    [InlineData("0 0 0 * 13 *", "month", "between 1 and 12")]
    [InlineData("0 0 0 * * 8", "day-of-week", "between 0 and 7")]
    [InlineData("0 0 0 * FOO *", "month", "between 1 and 12")]
    [InlineData("0 0 0 * * MOX", "day-of-week", "between 0 and 7")]
    [InlineData("0 MON * * * *", "minute", "between 0 and 59")]
    [InlineData("*/0 * * * * *", "second", "between 1 and 59")]
    [InlineData("*/x * * * * *", "second", "between 1 and 59")]
    [InlineData("0 1,,2 * * * *", "minute", "between 0 and 59")]
    [InlineData("0 -5 * * * *", "minute", "between 0 and 59")]
    [InlineData("0 5- * * * *", "minute", "between 0 and 59")]
    [InlineData("0 1.5 * * * *", "minute", "Unexpected character '.'")]
    public void Parse_InvalidExpression_ThrowsNamingTheField(string expression, string? field, string problem)
    {
        var act = () => CronSchedule.Parse(expression);

        var error = act.Should().Throw<CronFormatException>().Which;
        error.Field.Should().Be(field);
        error.Message.Should().Contain(problem).And.Contain($"'{expression}'");
        if (field is not null)
        {
            error.Message.Should().Contain($"the {field} field");
        }
    }

    [Theory]
    [InlineData("0 0 12 * * 7", "2024-03-11 00:00:00", "2024-03-17 12:00:00")] // 7 is Sunday too
    [InlineData("0 50-10/10 * * * *", "2024-03-11 00:15:00", "2024-03-11 00:50:00")] // 50,0,10: the range wraps
    public void GetNextOccurrence_CronosExtensions_AreRead(string expression, string after, string expected) =>
        Next(expression, after).Should().Be(At(expected));

    [Fact]
    public void TryParse_Invalid_FalseWithMessage()
    {
        CronSchedule.TryParse("0 0 25 * * *", out var schedule, out var error).Should().BeFalse();
        schedule.Should().BeNull();
        error.Should().Contain("hour");
        CronSchedule.TryParse("0 0 23 * * *", out schedule, out error).Should().BeTrue();
        schedule!.Expression.Should().Be("0 0 23 * * *");
        error.Should().BeNull();
    }
}
