using AlertPipeline.Core.Deliveries;
using AlertPipeline.Testing;
using Xunit.Abstractions;

namespace AlertPipeline.EndToEndTests.Pipeline;

/// <summary>
/// Invariant 1 under crashes: the local host runs as its own OS process and is SIGKILLed together with its handler (a
/// machine dying), then started again with a short lease. Whatever was in flight — a chunk half written, a send Twilio
/// accepted but whose answer never came — every member ends with exactly one SMS and every row settles.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class CrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task LocalHostKilledMidFanOut_Restarted_EveryMemberGetsExactlyOneSms()
    {
        const int members = 300;
        await using var world = await PipelineEnvironment.CreateAsync(output);
        await world.SeedAsync(TestSeeds.Many(members, branches: 1));
        // 60 chunks, all in a row (one branch): a long fan-out to land in, even when the table is fast (with four branches
        // of ten chunks each, a run once finished all 200 rows between the poll's last read and the kill).
        world.Settings["Pipeline:FanOutPageSize"] = "5";
        world.Settings["Pipeline:FanOutPagesPerChunk"] = "1";
        var alert = TestEvents.Hearing("appeal-hearing", TestSeeds.Campaign);

        var first = world.StartHostProcess();
        await world.EnqueueAsync(alert.Body);
        await Poll.UntilAsync(async () => (await world.RowsAsync(alert.AlertId)).Count >= 20, "fan-out to be under way", TimeSpan.FromSeconds(60));
        first.Kill();
        var rowsAtKill = (await world.RowsAsync(alert.AlertId)).Count;
        var smsAtKill = world.SmsOf(alert.AlertId).Count;
        output.WriteLine($"killed with {rowsAtKill} of {members} rows written and {smsAtKill} SMS sent");
        rowsAtKill.Should().BeLessThan(members, "the kill must land mid-fan-out for this test to mean anything");

        world.StartHostProcess();
        var rows = await world.WaitForSettledRowsAsync(alert.AlertId, members, TimeSpan.FromSeconds(90));

        rows.Should().OnlyContain(r => r.Status == DeliveryStatus.Sent);
        var sent = world.SmsOf(alert.AlertId);
        sent.GroupBy(m => m.To).Should().HaveCount(members).And.OnlyContain(g => g.Count() == 1, "nobody gets the alert twice, whatever the crash interrupted");
        sent.Select(m => m.To).Should().BeEquivalentTo(Enumerable.Range(0, members).Select(TestSeeds.ManyPhone));
    }

    [Fact]
    public async Task LocalHostKilledMidSend_WithTwilioAnswersLost_RestartReconcilesAndEveryMemberGetsExactlyOneSms()
    {
        const int members = 40;
        await using var world = await PipelineEnvironment.CreateAsync(output);
        await world.SeedAsync(TestSeeds.Many(members, branches: 2));
        world.Settings["Twilio:SegmentsPerSecond"] = "10"; // sends take several seconds: a window to crash in
        var alert = TestEvents.Hearing("appeal-hearing", TestSeeds.Campaign);

        var first = world.StartHostProcess();
        await world.EnqueueAsync(alert.Body);
        await Poll.UntilAsync(() => world.SmsOf(alert.AlertId).Count >= 8, "sending to be under way", TimeSpan.FromSeconds(60));
        // The next two sends are accepted by Twilio but their answers never arrive: the outcome is unknown at the crash.
        world.Twilio.FailNext(2, TwilioFault.AcceptThenHang);
        await Poll.UntilAsync(() => world.Twilio.CreateRequests.Count(r => r.ResponseStatus == 0) == 2, "two sends to hang after Twilio accepted them", TimeSpan.FromSeconds(30));
        first.Kill();
        var lost = world.Twilio.CreateRequests.Where(r => r.ResponseStatus == 0).Select(r => r.FormValue("To")!).ToList();
        var smsAtKill = world.SmsOf(alert.AlertId).Count;
        output.WriteLine($"killed with {smsAtKill} of {members} SMS accepted; answers lost for {lost.Count}");
        smsAtKill.Should().BeLessThan(members, "the kill must land mid-send for this test to mean anything");
        var unsettled = (await world.RowsAsync(alert.AlertId)).Count(r => r.Status is DeliveryStatus.Pending or DeliveryStatus.Sending);
        unsettled.Should().BeGreaterThan(0);

        world.StartHostProcess();
        var rows = await world.WaitForSettledRowsAsync(alert.AlertId, members, TimeSpan.FromSeconds(90));

        rows.Should().OnlyContain(r => r.Status == DeliveryStatus.Sent);
        var sent = world.SmsOf(alert.AlertId);
        sent.GroupBy(m => m.To).Should().HaveCount(members).And.OnlyContain(g => g.Count() == 1, "nobody gets the alert twice, whatever the crash interrupted");
        foreach (var to in lost)
        {
            world.Twilio.CreateRequests.Count(r => r.FormValue("To") == to).Should().Be(1, "a send whose answer was lost is reconciled with Twilio, not repeated");
            rows.Single(r => r.Key.Recipient == world.HashPhone(to)).ProviderId.Should().Be(sent.Single(m => m.To == to).Sid, "the reconciled row records Twilio's message");
        }

        world.Logs.Lines.Should().Contain(l => l.Contains(": Reconciled (", StringComparison.Ordinal), "the restarted sender found the lost sends at Twilio");
    }

    [Fact]
    public async Task WorkerKilledMidBatch_Restarted_EveryMemberGetsExactlyOneSms()
    {
        const int members = 120;
        await using var world = await PipelineEnvironment.CreateAsync(output);
        await world.SeedAsync(TestSeeds.Many(members, branches: 1));
        world.Settings["Pipeline:FanOutPageSize"] = "120"; // one page: 16 dispatch batches of about 8 rows, one per bucket
        world.Settings["Twilio:SegmentsPerSecond"] = "6"; // batches share the pacer: each takes seconds, a wide window inside them
        var alert = TestEvents.Hearing("appeal-hearing", TestSeeds.Campaign);

        var first = world.StartHostProcess();
        await world.EnqueueAsync(alert.Body);
        await Poll.UntilAsync(
            async () => world.SmsOf(alert.AlertId).Count >= 6 && (await world.RowsAsync(alert.AlertId)).Any(r => r.Status == DeliveryStatus.Sending),
            "sending to be under way with rows claimed",
            TimeSpan.FromSeconds(90));
        first.Kill();
        var smsAtKill = world.SmsOf(alert.AlertId).Count;
        var atKill = await world.RowsAsync(alert.AlertId);
        var claimed = atKill.Count(r => r.Status == DeliveryStatus.Sending);
        output.WriteLine($"killed with {smsAtKill} of {members} SMS accepted, {claimed} rows claimed and not yet recorded");
        smsAtKill.Should().BeLessThan(members, "the kill must land mid-send for this test to mean anything");
        claimed.Should().BeGreaterThan(0, "the kill must land inside a batch: rows claimed by its transaction, not all recorded");

        world.StartHostProcess();
        var rows = await world.WaitForSettledRowsAsync(alert.AlertId, members, TimeSpan.FromSeconds(120));

        rows.Should().OnlyContain(r => r.Status == DeliveryStatus.Sent);
        var sent = world.SmsOf(alert.AlertId);
        sent.GroupBy(m => m.To).Should().HaveCount(members).And.OnlyContain(g => g.Count() == 1, "nobody gets the alert twice, whatever the crash interrupted");
        sent.Select(m => m.To).Should().BeEquivalentTo(Enumerable.Range(0, members).Select(TestSeeds.ManyPhone));
        rows.Select(r => r.ProviderId).Should().BeEquivalentTo(sent.Select(m => m.Sid), "each row records the one message Twilio holds for it");
    }

    [Fact]
    public async Task LocalHostKilled_ItsHandlerStopsByItself()
    {
        await using var world = await PipelineEnvironment.CreateAsync(output);
        var host = world.StartHostProcess();
        await Poll.UntilAsync(() => !host.WorkerProcessIds.IsEmpty, "the local host to start its handler", TimeSpan.FromSeconds(60));
        var handler = System.Diagnostics.Process.GetProcessById(host.WorkerProcessIds.Single());

        host.KillHostOnly();

        await Poll.UntilAsync(() => handler.HasExited, "the orphaned handler to see its stdin close and stop", TimeSpan.FromSeconds(30));
    }
}
