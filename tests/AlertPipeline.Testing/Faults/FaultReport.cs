using System.Globalization;
using System.Text;

namespace AlertPipeline.Testing.Faults;

/// <summary>One SIGKILL: when, of what, in which phase, and how long the restart took.</summary>
public sealed record KillRecord(int Number, TimeSpan At, string Target, string Phase, int SmsAccepted, int EmailsStored, TimeSpan Restart);

/// <summary>What a fault run did and found (docs/reliability.md).</summary>
public sealed record FaultReport
{
    public required int Seed { get; init; }

    public required int Recipients { get; init; }

    public required int Listings { get; init; }

    public required IReadOnlyList<KillRecord> Kills { get; init; }

    public required int KillsRequested { get; init; }

    public required IReadOnlyList<TimeSpan> AzuriteRestarts { get; init; }

    public required int Storms { get; init; }

    /// <summary>Faults the storms handed out, by kind.</summary>
    public required IReadOnlyDictionary<string, int> StormFaults { get; init; }

    /// <summary>Twilio message-create answers by HTTP status (0: no answer), from the fake's request log.</summary>
    public required IReadOnlyDictionary<int, int> TwilioAnswers { get; init; }

    /// <summary>The fake Twilio's automatic <c>sent</c> status callbacks: answered 2xx, and failed (the host down at a kill).</summary>
    public (int Answered, int Failed) SentCallbacks { get; init; }

    public required int RowsExpected { get; init; }

    public required int Rows { get; init; }

    /// <summary>Final state (and reason) of every row: <c>Sent</c>, <c>Skipped OptedOut</c>, <c>Failed InvalidAddress</c>, …</summary>
    public required IReadOnlyDictionary<string, int> RowStates { get; init; }

    public required int SmsAccepted { get; init; }

    public required int EmailsStored { get; init; }

    /// <summary>Messages beyond the first with the same delivery reference (SMS and email).</summary>
    public required int DuplicatesByReference { get; init; }

    /// <summary>Messages beyond the first to the same recipient for the same alert.</summary>
    public required int DuplicatesByRecipient { get; init; }

    /// <summary>Of <see cref="DuplicatesByReference"/>, the emails (same Message-ID: a receiving server may drop the copy).</summary>
    public required int DuplicateEmails { get; init; }

    /// <summary>The delivery references sent more than once (up to 100; hashes, no personal data), to look up in the logs.</summary>
    public IReadOnlyList<string> DuplicateReferences { get; init; } = [];

    /// <summary>Why each missing delivery is missing: no row, a Sent row without a message, unsettled, terminal without a reason.</summary>
    public required IReadOnlyDictionary<string, int> Missing { get; init; }

    public int MissingTotal => Missing.Values.Sum();

    /// <summary>Every missing delivery (reference, channel, state, reason, times) with the faults around it and its likely cause.</summary>
    public IReadOnlyList<MissingDelivery> MissingDeliveries { get; init; } = [];

    /// <summary>Messages sent to someone who must not get them (opted out, no consent) or whose reference has no row.</summary>
    public required IReadOnlyDictionary<string, int> Unwanted { get; init; }

    /// <summary>Messages left on poison queues, by queue.</summary>
    public required IReadOnlyDictionary<string, int> Poison { get; init; }

    public required TimeSpan Duration { get; init; }

    public required TimeSpan? LastFaultAt { get; init; }

    public required TimeSpan? DrainedAt { get; init; }

    public TimeSpan? DrainAfterLastFault => DrainedAt is { } d && LastFaultAt is { } f ? d - f : null;

    public required string LoadAtStart { get; init; }

    public required string LoadAtEnd { get; init; }

    public required string OutputDirectory { get; init; }

    /// <summary>Latencies of interactive requests during the run (empty without <see cref="FaultRunOptions.Probe"/>).</summary>
    public IReadOnlyList<ProbeFigures> Probes { get; init; } = [];

    /// <summary>Log lines holding a full phone number or email address of the seed, by log file (must be none).</summary>
    public required IReadOnlyDictionary<string, int> LogLeaks { get; init; }

    public bool Passed =>
        DrainedAt is not null && DuplicatesByReference == 0 && DuplicatesByRecipient == 0 && MissingTotal == 0
        && Unwanted.Values.Sum() == 0 && Kills.Count == KillsRequested && LogLeaks.Count == 0;

    public override string ToString()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"fault run, seed {Seed}: {Recipients:N0} recipients ({Listings:N0} listings), {Duration.TotalSeconds:0} s, output {OutputDirectory}");
        text.AppendLine(c, $"  load at start / end: {LoadAtStart} / {LoadAtEnd}");
        text.AppendLine(c, $"  kills: {Kills.Count} of {KillsRequested} (worker {Kills.Count(k => k.Target == "worker")}, local host {Kills.Count(k => k.Target == "host")}); by phase: {string.Join(", ", Kills.GroupBy(k => k.Phase).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"))}");
        foreach (var kill in Kills)
        {
            text.AppendLine(c, $"    #{kill.Number,2} at {kill.At.TotalSeconds,6:0.0} s: {kill.Target,-6} during {kill.Phase,-14} ({kill.SmsAccepted:N0} SMS, {kill.EmailsStored:N0} emails so far), back in {kill.Restart.TotalSeconds:0.0} s");
        }

        text.AppendLine(c, $"  Azurite restarts: {AzuriteRestarts.Count} ({string.Join(", ", AzuriteRestarts.Select(r => $"{r.TotalSeconds:0.0} s down"))})");
        text.AppendLine(c, $"  storms: {Storms}; faults injected: {string.Join(", ", StormFaults.Select(kv => $"{kv.Key} {kv.Value}"))}");
        text.AppendLine(c, $"  Twilio create answers: {string.Join(", ", TwilioAnswers.OrderBy(kv => kv.Key).Select(kv => $"{(kv.Key == 0 ? "none" : kv.Key.ToString(c))} {kv.Value}"))}");
        text.AppendLine(c, $"  Twilio 'sent' status callbacks: {SentCallbacks.Answered:N0} answered, {SentCallbacks.Failed:N0} failed");
        text.AppendLine(c, $"  messages: {SmsAccepted:N0} SMS accepted by the fake Twilio, {EmailsStored:N0} emails in the SMTP sink");
        text.AppendLine(c, $"  rows: {Rows:N0} (expected at least {RowsExpected:N0}); final states: {string.Join(", ", RowStates.Select(kv => $"{kv.Key} {kv.Value:N0}"))}");
        text.AppendLine(c, $"  duplicates: {DuplicatesByReference} by delivery reference ({DuplicateEmails} of them emails), {DuplicatesByRecipient} by recipient + alert");
        text.AppendLine(c, $"  missing: {MissingTotal}{(MissingTotal == 0 ? string.Empty : " — " + string.Join(", ", Missing.Where(kv => kv.Value > 0).Select(kv => $"{kv.Key} {kv.Value}")))}");
        if (MissingDeliveries.Count > 0)
        {
            text.Append(MissingListing.Format(MissingDeliveries));
        }

        text.AppendLine(c, $"  unwanted: {Unwanted.Values.Sum()}{(Unwanted.Values.Sum() == 0 ? string.Empty : " — " + string.Join(", ", Unwanted.Where(kv => kv.Value > 0).Select(kv => $"{kv.Key} {kv.Value}")))}");
        text.AppendLine(c, $"  poison queues: {(Poison.Count == 0 ? "empty" : string.Join(", ", Poison.Select(kv => $"{kv.Key} {kv.Value}")))}");
        text.AppendLine(c, $"  logs with a full number or email of the seed: {(LogLeaks.Count == 0 ? "none" : string.Join(", ", LogLeaks.Select(kv => $"{kv.Key} {kv.Value} lines")))}");
        text.AppendLine(c, $"  last fault at {Fmt(LastFaultAt)}, drained at {Fmt(DrainedAt)}: time to drain after the last fault {Fmt(DrainAfterLastFault)}");
        foreach (var probe in Probes)
        {
            text.AppendLine(c, $"  responsiveness: {probe}");
        }

        text.Append(c, $"  result: {(Passed ? "PASS (0 duplicates, 0 missing, every row settled with a reason)" : "FAIL")}");
        return text.ToString();
    }

    private static string Fmt(TimeSpan? t) => t is { } v ? v.TotalSeconds.ToString("0.0 's'", CultureInfo.InvariantCulture) : "—";
}
