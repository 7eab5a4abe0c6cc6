using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using AlertPipeline.Testing;
using Xunit.Abstractions;

namespace AlertPipeline.EndToEndTests.LocalHost;

/// <summary>Nothing is lost when the host or the handler dies, or when the host is stopped.</summary>
[Collection(LocalHostCollection.Name)]
public sealed partial class ResilienceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task LocalHostProcess_KilledMidBatchAndRestarted_EveryMessageEventuallyHandled()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        using var app = TestHandlerApp.Create(azurite, ["Record"]);
        var queues = new TestQueues(azurite.ConnectionString);
        File.WriteAllText(
            Path.Combine(app.ScriptRoot, "local.settings.json"),
            JsonSerializer.Serialize(new { IsEncrypted = false, Values = app.Settings() }));

        const int count = 500;
        var bodies = Enumerable.Range(0, count).Select(i => $$"""{"id":"k-{{i:D4}}"}""").ToList();
        await queues.SendManyAsync(app.Queue("record"), bodies);

        var handlerProcesses = new ConcurrentBag<int>();
        var observed = new ConcurrentBag<string>();
        try
        {
            using (var first = StartLocalHostProcess(app, handlerProcesses))
            {
                await Poll.UntilAsync(async () => await queues.CountAsync(app.Queue("record-out")) >= 25, "the first host to handle some messages", TestQueues.Patience);
                first.Kill(); // SIGKILL: no graceful anything
                await first.WaitForExitAsync();
            }

            observed.AddRange(await queues.DrainAsync(app.Queue("record-out")));
            var beforeRestart = observed.Count;
            output.WriteLine($"killed after {beforeRestart} observations");
            beforeRestart.Should().BeLessThan(count, "the kill must land mid-way for this test to mean anything");

            using var second = StartLocalHostProcess(app, handlerProcesses);
            await queues.CollectUntilAsync(
                app.Queue("record-out"),
                observed,
                o => o.Select(t => TestQueues.Observation(t).Text).Distinct().Count() >= count,
                "every message to be handled after the restart",
                TestQueues.Patience);
            second.Kill();
            await second.WaitForExitAsync();
        }
        finally
        {
            foreach (var pid in handlerProcesses)
            {
                KillIfRunning(pid); // the killed host's orphaned handler
            }
        }

        var handled = observed.Select(t => TestQueues.Observation(t).Text).ToList();
        handled.Distinct().Should().BeEquivalentTo(bodies, "no message is lost");
        output.WriteLine($"{handled.Count - count} duplicates (messages in flight at the kill)");
        (handled.Count - count).Should().BeLessThanOrEqualTo(16 + 8, "only messages in flight at the kill may run twice");
    }

    [Fact]
    public async Task HandlerProcess_Killed_RestartedAndLaterMessagesProcessed()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        using var app = TestHandlerApp.Create(azurite, ["Record"]);
        using var logs = new CapturedLogs(output);
        var queues = new TestQueues(azurite.ConnectionString);
        await using var host = app.CreateHost(logs);
        await host.StartAsync();
        var firstHandler = host.HandlerProcessId!.Value;

        using (var handler = Process.GetProcessById(firstHandler))
        {
            handler.Kill();
        }

        await Poll.UntilAsync(() => host.HandlerRestarts >= 1 && host.HandlerProcessId is { } pid && pid != firstHandler, "the handler to be restarted", TestQueues.Patience);
        await queues.SendManyAsync(app.Queue("record"), Enumerable.Range(0, 20).Select(i => $$"""{"after":{{i}}}""").ToList());

        var observed = new ConcurrentBag<string>();
        await queues.CollectUntilAsync(app.Queue("record-out"), observed, o => o.Count >= 20, "the later messages to be handled");
        await host.StopAsync();

        observed.Select(o => TestQueues.Observation(o).Attempt).Should().OnlyContain(a => a == 1, "the restarted handler answers first time");
        logs.Events(202).Should().ContainSingle().Which.Property("ProcessId").Should().Be(firstHandler.ToString(System.Globalization.CultureInfo.InvariantCulture));
        logs.Events(203).Should().ContainSingle();
    }

    [Fact]
    public async Task GracefulStop_InFlightSlowInvocation_FinishesAndDeletesItsMessage()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        using var app = TestHandlerApp.Create(azurite, ["Slow"]);
        using var logs = new CapturedLogs(output);
        var queues = new TestQueues(azurite.ConnectionString);
        await using var host = app.CreateHost(logs);
        await host.StartAsync();

        await queues.SendAsync(app.Queue("slow"), """{"delayMs":2500}""");
        await Poll.UntilAsync(() => logs.Events(212).Count > 0, "the slow invocation to start", TestQueues.Patience);
        var handlerPid = host.HandlerProcessId!.Value;
        var watch = Stopwatch.StartNew();
        await host.StopAsync();
        watch.Stop();

        (await queues.DrainAsync(app.Queue("slow-out"))).Should().ContainSingle("the in-flight invocation finished and its output was written");
        (await queues.CountAsync(app.Queue("slow"))).Should().Be(0, "its message was deleted before the host stopped");
        logs.Events(104).Should().ContainSingle().Which.Property("InFlight").Should().Be("1");
        logs.Events(105).Should().BeEmpty("it finished within the shutdown timeout");
        IsRunning(handlerPid).Should().BeFalse("the handler is stopped last");
        output.WriteLine($"stop took {watch.ElapsedMilliseconds} ms");
    }

    private Process StartLocalHostProcess(TestHandlerApp app, ConcurrentBag<int> handlerProcesses)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { TestHandlerApp.LocalHostDll, "run", "--script-root", app.ScriptRoot, "--lease", "3s", "--port", "0" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && HandlerStartedLine().Match(line) is { Success: true } match)
            {
                handlerProcesses.Add(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }

            if (e.Data is { } l && (l.Contains("fail:", StringComparison.Ordinal) || l.Contains("crit:", StringComparison.Ordinal)))
            {
                try
                {
                    output.WriteLine(l);
                }
                catch (InvalidOperationException)
                {
                    // The test has finished.
                }
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void KillIfRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    [GeneratedRegex(@"Handler started: process (\d+) on port")]
    private static partial Regex HandlerStartedLine();
}
