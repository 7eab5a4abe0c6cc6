using System.Text.Json;
using System.Text.RegularExpressions;
using AlertPipeline.Core.Contacts;
using AlertPipeline.EndToEndTests.LocalHost;
using AlertPipeline.LocalHost.Demo;
using AlertPipeline.Testing;
using Xunit.Abstractions;

namespace AlertPipeline.EndToEndTests.Pipeline;

/// <summary>
/// The demo command (what ./demo.sh runs after starting Azurite) on a fresh Azurite, with the repository's host.json,
/// function folders, demo seed and events, writing to a private outbox: it must settle and report what the seed shows.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed partial class DemoTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Demo_OnAFreshAzurite_SettlesBothAlertsAndReportsThem_OneMessagePerPersonPerAlert()
    {
        var azurite = await AzuriteFixture.StartAsync();
        var folder = Directory.CreateTempSubdirectory("alertpipeline-demo-test").FullName;
        try
        {
            var outbox = Path.Combine(folder, "outbox");
            var settings = Path.Combine(folder, "local.settings.json");
            await File.WriteAllTextAsync(settings, JsonSerializer.Serialize(new
            {
                IsEncrypted = false,
                Values = new Dictionary<string, string>
                {
                    ["AzureWebJobsStorage"] = azurite.ConnectionString,
                    ["ServiceBusConnection"] = azurite.ConnectionString,
                    ["Outbox__Directory"] = outbox,
                    ["Pipeline__QuietHours"] = "off", // the counts below assume every SMS goes out now
                    ["PhoneNumbers__FictionalRanges__0"] = FictionalNumbers.Block.ToString(), // the demo runs in this process: the ranges are process-wide, so keep the test block (demo.sh sets the drama range inside it)
                    ["ScheduleTick__Schedule"] = "0 */1 * * * *",
                },
            }));
            var options = DemoOptions.Parse(
            [
                "--script-root", RepositoryPaths.Root, "--app", PipelineEnvironment.FunctionsBuild, "--settings", settings,
                "--log", Path.Combine(folder, "localhost.log"), "--timeout", "90s",
            ]);
            using var report = new StringWriter();

            var exitCode = await new DemoRunner(options, report).RunAsync(CancellationToken.None);

            var text = report.ToString();
            output.WriteLine(text);
            exitCode.Should().Be(0);
            text.Should().Contain("every delivery settled").And.MatchRegex(@"poison queues\s+empty");
            Regex.Matches(text, @"skipped \(sms\)\s+(.+?)\s*$", RegexOptions.Multiline).Select(m => m.Groups[1].Value)
                .Should().Equal(["OptedOut 1, NoConsent 1, InvalidNumber 1, NoAddress 1", "OptedOut 1, InvalidNumber 1"]);
            StatusRow().Matches(text).Select(m => m.Value.Split('│', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                .Select(cells => string.Join(" ", cells)).Should().Equal(["Sent 41 45", "Skipped 4 0", "Sent 29", "Skipped 2"]);

            var sms = ReadOutbox(Path.Combine(outbox, "sms.jsonl"));
            var email = ReadOutbox(Path.Combine(outbox, "email.jsonl"));
            sms.Should().HaveCount(41 + 29);
            email.Should().HaveCount(45);
            sms.GroupBy(m => (Alert: m.Reference[..32], m.To)).Should().OnlyContain(g => g.Count() == 1, "one SMS per person per alert");
            email.GroupBy(m => m.To.ToLowerInvariant()).Should().OnlyContain(g => g.Count() == 1, "one email per person");
            sms.Count(m => m.To == "+447700900101").Should().Be(2, "Aigul, in two unions' branches, gets one SMS of each alert");
            sms.Should().NotContain(m => m.To == "+447700900102", "Nurlan texted STOP");
            File.ReadAllText(Path.Combine(folder, "localhost.log")).Should().Contain("Local host stopped");

            // Read back raw: once settled, no Deliveries row holds a number or an email (docs/storage.md).
            var rows = new List<Azure.Data.Tables.TableEntity>();
            await foreach (var row in new Azure.Data.Tables.TableServiceClient(azurite.ConnectionString).GetTableClient("Deliveries").QueryAsync<Azure.Data.Tables.TableEntity>())
            {
                rows.Add(row);
            }

            rows.Should().HaveCount(41 + 45 + 4 + 29 + 2, "the report's rows");
            rows.Should().OnlyContain(r => r.GetString("Address") == null, "a row past Sending keeps no address");
            rows.SelectMany(r => r.Select(p => p.Value).OfType<string>()).Should().NotContain(v => v.Contains('@', StringComparison.Ordinal) || v.StartsWith('+'));
        }
        finally
        {
            azurite.Stop();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static List<(string To, string Reference)> ReadOutbox(string path) =>
        File.ReadAllLines(path)
            .Where(l => !string.IsNullOrWhiteSpace(l))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => (e.GetProperty("to").GetString()!, e.GetProperty("deliveryReference").GetString()!))
            .ToList();

    [GeneratedRegex(@"│ (Sent|Skipped)\s.*│")]
    private static partial Regex StatusRow();
}
