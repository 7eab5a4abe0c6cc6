using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using AlertPipeline.EndToEndTests.LocalHost;
using AlertPipeline.Testing;
using Xunit.Abstractions;

namespace AlertPipeline.EndToEndTests.Worker;

/// <summary>The local host as its own OS process, SIGKILLed mid-batch while it drives the isolated worker: nothing is lost.</summary>
[Collection(LocalHostCollection.Name)]
public sealed partial class WorkerResilienceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task LocalHostProcess_KilledMidBatchAndRestarted_EveryMessageEventuallyHandled()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        var app = TestWorkerApp.Create(azurite, "Record");
        var queues = new TestQueues(app.ConnectionString);
        const int count = 300;
        var bodies = Enumerable.Range(0, count).Select(i => $$"""{"id":"w-{{i:D4}}"}""").ToList();
        await queues.SendManyAsync(app.Queue("record"), bodies);

        var workers = new ConcurrentBag<int>();
        var hosts = new ConcurrentBag<int>();
        var observed = new ConcurrentBag<string>();
        try
        {
            using (var first = StartLocalHostProcess(app, workers, hosts))
            {
                await Poll.UntilAsync(async () => await queues.CountAsync(app.Queue("record-out")) >= 20, "the first host to handle some messages", TestQueues.Patience);
                first.Kill(); // SIGKILL: no WorkerTerminate, no graceful anything
                await first.WaitForExitAsync();
            }

            var orphans = workers.ToArray();
            orphans.Should().NotBeEmpty("the first host logged its worker's process id");
            await Poll.UntilAsync(() => Task.FromResult(!orphans.Any(IsRunning)), "the killed host's worker to be stopped by its watchdog", TestQueues.Patience);

            observed.AddRange(await queues.DrainAsync(app.Queue("record-out")));
            var beforeRestart = observed.Count;
            output.WriteLine($"killed after {beforeRestart} observations");
            beforeRestart.Should().BeLessThan(count, "the kill must land mid-way for this test to mean anything");

            using var second = StartLocalHostProcess(app, workers, hosts);
            await queues.CollectUntilAsync(
                app.Queue("record-out"),
                observed,
                o => o.Select(t => WorkerObservation.Parse(t).Text).Distinct().Count() >= count,
                "every message to be handled after the restart",
                TestQueues.Patience);
            second.Kill();
            await second.WaitForExitAsync();
        }
        finally
        {
            foreach (var pid in hosts)
            {
                KillIfRunning(pid); // a host left running by a failed assertion
            }

            foreach (var pid in workers)
            {
                if (KillIfRunning(pid)) // only if the test failed before the watchdog did its job
                {
                    output.WriteLine($"worker {pid} was still running");
                }
            }
        }

        var handled = observed.Select(t => WorkerObservation.Parse(t).Text).ToList();
        handled.Distinct().Should().BeEquivalentTo(bodies, "no message is lost");
        output.WriteLine($"{handled.Count - count} duplicates (messages in flight at the kill)");
        (handled.Count - count).Should().BeLessThanOrEqualTo(16 + 8, "only messages in flight at the kill may run twice");
    }

    private Process StartLocalHostProcess(TestWorkerApp app, ConcurrentBag<int> workers, ConcurrentBag<int> hosts)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { LocalHostBuild.LocalHostDll, "run", "--script-root", TestWorkerApp.AppFolder, "--lease", "3s", "--port", "0" })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in app.Settings())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        hosts.Add(process.Id);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && WorkerStartedLine().Match(line) is { Success: true } match)
            {
                workers.Add(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
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
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static bool KillIfRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited)
            {
                return false;
            }

            process.Kill();
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false; // already gone
        }
    }

    [GeneratedRegex(@"Worker started: process (\d+)")]
    private static partial Regex WorkerStartedLine();
}
