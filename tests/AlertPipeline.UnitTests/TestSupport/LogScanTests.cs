using AlertPipeline.Testing;

namespace AlertPipeline.UnitTests.TestSupport;

/// <summary>The log scan finds numbers and addresses in any form, and not the ids, hashes and times logs are full of.</summary>
public sealed class LogScanTests
{
    [Theory]
    [InlineData("Sending to +447700900123 now")]
    [InlineData("Sending to +44 7700 900123 now")]
    [InlineData("to=+7 701 123-45-67")]
    [InlineData("member 07700 900123 replied")]
    [InlineData("member 07700900123 replied")]
    [InlineData("KZ member 8 701 123 45 67")]
    [InlineData("dial 0044 7700 900123")]
    [InlineData("raw digits 447700900123 in a payload")]
    [InlineData("US member (202) 555-0143")]
    [InlineData("after a count: 3 07700 900123")]
    [InlineData("To:+447700900123")]
    [InlineData("\"to\":\"+447700900123\"")]
    public void Line_WithAPhoneNumber_IsFound(string line)
    {
        var findings = LogScan.Lines([line]);

        findings.Should().ContainSingle().Which.Kind.Should().Be(LogFindingKind.PhoneNumber);
        findings[0].Masked.Should().Contain("*").And.NotContain("900123", "a finding never repeats the number");
    }

    [Theory]
    [InlineData("reply from jane.doe@example.org")]
    [InlineData("<ann+alerts@mail.example.co.uk>")]
    [InlineData("email=айгүл@пример.қаз")]
    public void Line_WithAnEmailAddress_IsFound(string line)
    {
        var findings = LogScan.Lines([line]);

        findings.Should().ContainSingle().Which.Kind.Should().Be(LogFindingKind.EmailAddress);
        findings[0].Masked.Should().Contain("***");
    }

    [Theory]
    [InlineData("Alert 75774197e5449172989a88db2b6df47f accepted")]
    [InlineData("Request [8302571d-cff7-41e0-8946-40bb66f26b22] PUT")]
    [InlineData("guid 12345678-9012-3456-7890-123456789012")]
    [InlineData("body sha256 d8c97495102c95bed3a088d4a00ba7fec27ea17eaafc7cad49d214ae6c44b265")]
    [InlineData("provider id SM0123456789abcdef0123456789abcdef")]
    [InlineData("at 2026-12-04T16:45:11.1234567+00:00 and 2026-12-04 16:45:11,123")]
    [InlineData("epoch 1764835200 or 1764835200123 ms")]
    [InlineData("masked +44********23 and j***@e***.org")]
    [InlineData("read 5242880 bytes in 1234567 ticks, code 21610, 30003")]
    [InlineData("listening on 127.0.0.1:10000, version 3.35.0")]
    [InlineData("key u1d51950489cc4621bf51/central|sms|0b1c")]
    [InlineData("Chunk page 3 of 12: 1000 contacts")]
    [InlineData("email delivery sent, provider id <ap.0123456789abcdef0123456789abcdef@union.example>")]
    public void Line_WithIdsHashesAndTimes_IsClean(string line) =>
        LogScan.Lines([line]).Should().BeEmpty();

    [Fact]
    public void Lines_Allowed_AreNotFindings() =>
        LogScan.Lines(["help line help@example.org"], allowed: ["help@example.org"]).Should().BeEmpty();

    [Fact]
    public void Path_Folder_ReportsEachFileAndLine()
    {
        var folder = Directory.CreateTempSubdirectory("logscan-");
        try
        {
            File.WriteAllLines(Path.Combine(folder.FullName, "clean.log"), ["all quiet", "2026-12-04T16:45:11Z started"]);
            Directory.CreateDirectory(Path.Combine(folder.FullName, "worker"));
            File.WriteAllLines(Path.Combine(folder.FullName, "worker", "run.log"), ["ok", "sent to +447700900123", "cc jane@example.org"]);

            var findings = LogScan.Path(folder.FullName);

            findings.Select(f => (Path.GetFileName(f.Source), f.LineNumber, f.Kind)).Should().BeEquivalentTo(
                [("run.log", 2, LogFindingKind.PhoneNumber), ("run.log", 3, LogFindingKind.EmailAddress)]);
            var thrown = FluentActions.Invoking(() => LogScan.ThrowIfAny(findings)).Should().Throw<InvalidOperationException>().Which.Message;
            thrown.Should().Contain("run.log:2").And.NotContain("900123").And.NotContain("jane@");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Run_ReturnsZeroWhenClean_OneWithFindings_TwoForBadArguments()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "nothing personal\n");
            using var clean = new StringWriter();
            LogScan.Run([file], clean).Should().Be(0);

            File.AppendAllText(file, "call 07700 900123\n");
            using var found = new StringWriter();
            LogScan.Run([file], found).Should().Be(1);
            found.ToString().Should().Contain("PhoneNumber").And.NotContain("900123");

            using var usage = new StringWriter();
            LogScan.Run([file + ".missing"], usage).Should().Be(2);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
