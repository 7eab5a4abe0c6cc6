using System.Text.RegularExpressions;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Testing;
using Xunit.Abstractions;

namespace AlertPipeline.EndToEndTests.Pipeline;

/// <summary>
/// Invariant 6 over a whole run: SMS and email sent, a Twilio refusal that quotes the number, status callbacks, STOP,
/// HELP, a rejected event carrying a number and an address. Every log line of the local host and every line the
/// worker process wrote to its console — captured raw, before the host's own masking — is scanned for the members' numbers and
/// addresses in full, and by <see cref="LogScan"/> for any phone number or email address.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed partial class LogScanTests(ITestOutputHelper output)
{
    [Fact]
    public async Task WholeRun_NoLogLineHoldsAFullPhoneNumberOrEmailAddress()
    {
        await using var world = await PipelineEnvironment.CreateAsync(output, withSmtp: true);
        await world.SeedAsync(TestSeeds.Members);
        world.Twilio.FailFor(TestSeeds.CallumPhone, TwilioFault.InvalidTo); // Twilio's message quotes the number
        var rawHandlerLog = Path.Combine(world.ScriptRoot, "handler-raw.log");
        var wrapper = Path.Combine(world.ScriptRoot, "worker-tee.sh");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\ndotnet \"$@\" 2>&1 | tee -a '{rawHandlerLog}'\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        world.UseWorkerExecutable(wrapper); // the worker unmodified, its console output copied before the host reads it
        world.Settings["ALERTPIPELINE_CONSOLE_LOG"] = "1";  // the worker writes its log lines to its console as well
        await world.StartHostAsync();

        var alert = TestEvents.Hearing("appeal-hearing", TestSeeds.Campaign, "\"sms\", \"email\"");
        await world.EnqueueAsync(alert.Body);
        var leaky = alert.Body.Replace("\"link\": \"https://example.org/appeal\"", $"\"link\": \"call {TestSeeds.AsselPhone}\", \"bad name\": \"{TestSeeds.AigulEmail}\"", StringComparison.Ordinal);
        await world.EnqueueAsync(leaky.Replace("\"kind\": \"trial-date\"", $"\"kind\": \"{TestSeeds.BerikPhone}\"", StringComparison.Ordinal));
        await world.WaitForSettledRowsAsync(alert.AlertId, 14);
        await world.Smtp!.WaitForMessagesAsync(6);
        var toAigul = world.SmsOf(alert.AlertId).Single(m => m.To == TestSeeds.AigulPhone);
        (await world.Twilio.SendStatusCallbackAsync(new Uri(toAigul.StatusCallback!), toAigul.Sid, "delivered")).Dispose();
        (await world.Twilio.SendInboundMessageAsync(world.Webhook("twilio/inbound"), TestSeeds.AigulPhone, "+15005550006", "HELP")).Dispose();
        (await world.Twilio.SendInboundMessageAsync(world.Webhook("twilio/inbound"), TestSeeds.AsselPhone, "+15005550006", "СТОП")).Dispose();
        await Poll.UntilAsync(() => world.Logs.Lines.Count(l => l.Contains("Inbound SMS from", StringComparison.Ordinal)) >= 2, "the inbound messages to be logged");
        await Poll.UntilAsync(() => world.Logs.Lines.Any(l => l.Contains("rejected", StringComparison.Ordinal)), "the rejected event to be logged");
        await world.StopHostAsync();

        var raw = (await File.ReadAllLinesAsync(rawHandlerLog)).Select(l => "[handler raw] " + l).ToList();
        raw.Should().Contain(l => l.Contains("sms delivery", StringComparison.Ordinal), "the handler's own log lines were captured");
        raw.Should().Contain(l => l.Contains("code 21211", StringComparison.Ordinal), "the refused send was logged");
        var lines = world.Logs.Lines.Concat(raw).ToList();
        output.WriteLine($"{lines.Count} log lines scanned ({raw.Count} raw handler lines)");

        // Any number or address at all, not only the members' (the campaign's public help line is not personal data).
        var findings = LogScan.Lines(lines, "run", allowed: ["help@example.org"]);
        findings.Should().BeEmpty(LogScan.Report(findings));

        var phones = TestSeeds.MemberPhones.Select(p => PhoneNumber.Parse(p)).ToList();
        var needles = phones.SelectMany(p => new[] { p.E164, p.E164[1..], p.E164[3..] })   // +447700900201, 447700900201, 7700900201
            .Concat(TestSeeds.MemberEmails)
            .ToList();
        foreach (var line in lines)
        {
            var digits = NotDigit().Replace(line, string.Empty);
            foreach (var needle in needles)
            {
                line.Contains(needle, StringComparison.OrdinalIgnoreCase).Should().BeFalse($"no log line may hold '{Mask(needle)}' in full: {Mask(line, needle)}");
            }

            foreach (var phone in phones)
            {
                digits.Contains(phone.E164[3..], StringComparison.Ordinal).Should().BeFalse($"no log line may hold a member's number even with separators: {Digit().Replace(line, "#")}");
            }
        }
    }

    private static string Mask(string text) => text.Length <= 4 ? "****" : text[..2] + new string('*', text.Length - 4) + text[^2..];

    private static string Mask(string line, string needle) => line.Replace(needle, Mask(needle), StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"\D")]
    private static partial Regex NotDigit();

    [GeneratedRegex(@"\d")]
    private static partial Regex Digit();
}
