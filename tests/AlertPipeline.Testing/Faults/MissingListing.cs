using System.Globalization;
using System.Text;

namespace AlertPipeline.Testing.Faults;

/// <summary>A fault the run injected, on the run's clock (seconds from the alerts' enqueueing).</summary>
/// <param name="At">When it happened (a storm: when it began).</param>
/// <param name="Kind"><c>kill</c>, <c>azurite restart</c>, <c>storm</c> or <c>smtp:</c> + the proxy's <see cref="SmtpFault"/>.</param>
/// <param name="Detail">What it hit: the kill's number and target, the storm's end, the cut's reference and the server's answer.</param>
/// <param name="Until">The end of a storm or of Azurite's downtime; null for an instant.</param>
public sealed record FaultEvent(double At, string Kind, string Detail, double? Until = null);

/// <summary>One missing delivery as the counting found it (no number or address: the reference is the row key, a hash).</summary>
public sealed record MissingRow(
    string Reference,
    string Channel,
    string Why,
    string State,
    string? Reason,
    string? ErrorCode,
    int Attempt,
    double? FirstClaimedAt,
    double? ClaimedAt,
    double? HandedOverAt,
    double? SentAt,
    double? UpdatedAt)
{
    /// <summary>Email: when the store wrote the handover mark, by its own clock (the row's <c>HandoverStoredAt</c>, kept when the stale marked claim was settled).</summary>
    public double? HandoverStoredAt { get; init; }

    /// <summary>Email: when the worker logged the mark's answer (event 3204), if the log has it.</summary>
    public double? MarkAnsweredAt { get; init; }

    /// <summary>Email: when the worker logged the end of data's reply (event 3205), if the log has it.</summary>
    public double? EndOfDataAnsweredAt { get; init; }
}

/// <summary>
/// One missing delivery with what the run did around it: the SMTP proxy's cut of its own session (found by the
/// message's <c>X-AlertPipeline-Delivery</c> header), the nearest kill or Azurite restart before and after the row's
/// last step (its handover mark, else its claim), whether a storm was on, and the cause those suggest.
/// </summary>
public sealed record MissingDelivery
{
    public required MissingRow Row { get; init; }

    /// <summary>The proxy's cut of this delivery's session(s), e.g. <c>DropAfterData at 81.2 s, server answered "250 OK"</c>.</summary>
    public string? SmtpCut { get; init; }

    /// <summary>The nearest kill or Azurite restart at or before the row's last step, with how long before.</summary>
    public string? FaultBefore { get; init; }

    /// <summary>The first kill or Azurite restart after the row's last step, with how long after (the one that stopped its sender).</summary>
    public string? FaultAfter { get; init; }

    /// <summary>The storm in progress at the row's last step, if any.</summary>
    public string? Storm { get; init; }

    /// <summary>The likely cause, from the row's reason and the faults around it (see <see cref="MissingListing.Cause"/>).</summary>
    public required string Cause { get; init; }
}

/// <summary>Lists the missing deliveries of a fault run with the faults around each (docs/reliability.md).</summary>
public static class MissingListing
{
    /// <summary>A kill this long after the mark is counted as the one that stopped the handover.</summary>
    public static readonly double KillWindowSeconds = 30;

    /// <summary>The step the faults are placed against: the handover mark, else the claim, else the last update.</summary>
    public static double? StepOf(MissingRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.HandedOverAt ?? row.ClaimedAt ?? row.UpdatedAt;
    }

    public static IReadOnlyList<MissingDelivery> Describe(IEnumerable<MissingRow> rows, IReadOnlyList<FaultEvent> events)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(events);
        var stops = events.Where(e => e.Kind is "kill" or "azurite restart").OrderBy(e => e.At).ToList();
        var storms = events.Where(e => e.Kind == "storm").ToList();
        var cuts = events.Where(e => e.Kind.StartsWith("smtp:", StringComparison.Ordinal) && e.Detail.Length > 0)
            .ToLookup(e => ReferenceOfCut(e.Detail), StringComparer.Ordinal);
        var listed = new List<MissingDelivery>();
        foreach (var row in rows)
        {
            var step = StepOf(row);
            var before = step is { } s1 ? stops.LastOrDefault(e => e.At <= s1) : null;
            var after = step is { } s2 ? stops.FirstOrDefault(e => e.At > s2) : null;
            var storm = step is { } s3 ? storms.FirstOrDefault(e => e.At <= s3 && s3 <= (e.Until ?? double.MaxValue)) : null;
            var cut = cuts[row.Reference].ToList();
            listed.Add(new MissingDelivery
            {
                Row = row,
                SmtpCut = cut.Count == 0 ? null : string.Join("; ", cut.Select(c => $"{c.Kind["smtp:".Length..]} at {c.At.ToString("0.0", CultureInfo.InvariantCulture)} s{AnswerOfCut(c.Detail)}")),
                FaultBefore = before is null ? null : $"{before.Kind} {before.Detail}, {Seconds(step!.Value - before.At)} before",
                FaultAfter = after is null ? null : $"{after.Kind} {after.Detail}, {Seconds(after.At - step!.Value)} after",
                Storm = storm is null ? null : $"storm {Seconds(storm.At)}–{(storm.Until is { } u ? Seconds(u) : "end")}",
                Cause = Cause(
                    row,
                    cut,
                    after is null || step is null ? null : after.At - step.Value,
                    before is { Kind: "kill" } && before.Detail.Contains(" host ", StringComparison.Ordinal) && step is { } s4 ? s4 - before.At : null,
                    StopOf(row, before, after)),
            });
        }

        return listed;
    }

    /// <summary>
    /// The likely cause: <c>smtp cut after the data, server answered …</c> / <c>… no server answer</c> (the proxy's
    /// fault took the message or not), <c>sender stopped: kill N s after the mark</c> (the inherent window between the
    /// mark's storage and the end of data), or the row's own state for what is not an email handover.
    /// </summary>
    /// <param name="row">The missing row.</param>
    /// <param name="cutsOfRow">The proxy's log of the row's own sessions.</param>
    /// <param name="nextStopAfterStep">Seconds from the row's step to the next kill or Azurite restart.</param>
    /// <param name="hostKillBeforeStep">Seconds from a host kill (the nearest fault before) to the row's step: the
    /// harness SIGKILLs the local host first and its worker once the host is gone, so the worker can still mark then.</param>
    /// <param name="stoppedAt">When the row's sender was stopped (the kill or restart that ended its handover), if known: the
    /// handover's steps (<see cref="MissingRow.HandoverStoredAt"/>, <see cref="MissingRow.MarkAnsweredAt"/>) are placed against it.</param>
    public static string Cause(MissingRow row, IReadOnlyList<FaultEvent> cutsOfRow, double? nextStopAfterStep, double? hostKillBeforeStep = null, double? stoppedAt = null)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(cutsOfRow);
        var afterData = cutsOfRow.LastOrDefault(c => c.Kind is "smtp:DropAfterData" or "smtp:DropAtEndOfData" or "smtp:ClientGoneAfterEndOfData");
        if (afterData is not null)
        {
            var what = afterData.Kind switch
            {
                "smtp:DropAtEndOfData" => "smtp cut at the end of data (never reached the server)",
                "smtp:ClientGoneAfterEndOfData" => "sender gone after its end of data",
                _ => "smtp cut after the data",
            };
            return afterData.Kind == "smtp:DropAtEndOfData" ? what
                : AnswerOfCut(afterData.Detail) is { Length: > 0 } answer ? what + answer
                : what + ", no server answer";
        }

        if (row.Why == "no row")
        {
            return "no row (the fan-out never wrote it)";
        }

        if (row.State is "Pending" or "Sending")
        {
            return "unsettled at the end of the run";
        }

        if (row.HandedOverAt is not null && row.Reason is { } reason && reason.Contains("sender stopped", StringComparison.Ordinal))
        {
            if (stoppedAt is { } stop && Handover(row, stop) is { } step)
            {
                return step;
            }

            return nextStopAfterStep is { } gap && gap < 1 ? $"sender stopped: kill/restart {Seconds(gap)} after the mark"
                : hostKillBeforeStep is { } early && early < 1 ? $"sender stopped: host killed {Seconds(early)} before the mark, its worker just after"
                : nextStopAfterStep is { } later && later <= KillWindowSeconds ? $"sender stopped: kill/restart {Seconds(later)} after the mark"
                : "sender stopped after the mark, no kill within " + Seconds(KillWindowSeconds);
        }

        if (row.Reason is { } unconfirmed && unconfirmed.Contains("connection lost", StringComparison.Ordinal))
        {
            return "reply lost (OutcomeUnknown) without a proxy cut of its session";
        }

        return row.Why;
    }

    /// <summary>
    /// The stop that ended a marked row's handover: a host kill just before the mark (the worker lives on for a moment,
    /// see <see cref="Cause"/>), else the first kill or restart after it.
    /// </summary>
    private static double? StopOf(MissingRow row, FaultEvent? before, FaultEvent? after) =>
        row.HandedOverAt is not { } marked ? null
            : before is { Kind: "kill" } && before.Detail.Contains(" host ", StringComparison.Ordinal) && marked - before.At < 1 ? before.At
            : after?.At;

    /// <summary>
    /// Where in its handover a marked email was when its sender stopped at <paramref name="stop"/>, from the worker's log
    /// and the store's time of the mark: the end of data answered (then the sink should have it), the mark answered but the
    /// end of data not, the mark stored before the stop with no answer logged, or the mark stored after the stop (it was
    /// in flight: requested, not yet written, when the worker died). Null when neither time is known.
    /// </summary>
    public static string? Handover(MissingRow row, double stop)
    {
        ArgumentNullException.ThrowIfNull(row);
        var requested = row.HandedOverAt is { } r ? $", requested {Seconds(stop - r)} before" : string.Empty;
        if (row.EndOfDataAnsweredAt is { } ended)
        {
            return $"sender stopped: end of data answered {Seconds(Math.Abs(stop - ended))} {(ended <= stop ? "before" : "after")} the stop, yet not in the sink";
        }

        if (row.MarkAnsweredAt is { } answered && answered <= stop + 0.05)
        {
            return $"sender stopped: mark answered {Seconds(Math.Max(0, stop - answered))} before the stop, end of data not answered{requested}";
        }

        if (row.HandoverStoredAt is { } stored)
        {
            return stored > stop
                ? $"sender stopped: mark in flight at the stop (stored {Seconds(stored - stop)} after it{requested})"
                : $"sender stopped: mark stored {Seconds(stop - stored)} before the stop, no answer logged{requested}";
        }

        return null;
    }

    /// <summary>The readable section of report.txt: counts by cause, then one line per missing delivery (up to <paramref name="max"/>).</summary>
    public static string Format(IReadOnlyList<MissingDelivery> missing, int max = 500)
    {
        ArgumentNullException.ThrowIfNull(missing);
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"  missing deliveries, by likely cause ({missing.Count}):");
        foreach (var group in missing.GroupBy(m => CauseGroup(m.Cause)).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            text.AppendLine(c, $"    {group.Count(),5}  {group.Key}");
        }

        text.AppendLine("    reference | channel | state | reason | attempt | claimed / marked / stored / answered / end of data / updated (s) | smtp cut | fault before / after the step | storm | cause");
        foreach (var m in missing.Take(max))
        {
            var r = m.Row;
            text.AppendLine(c, $"    {r.Reference} | {r.Channel} | {r.State} | {r.Reason ?? r.ErrorCode ?? r.Why} | {r.Attempt} | {Time(r.ClaimedAt)} / {Time(r.HandedOverAt)} / {Time(r.HandoverStoredAt)} / {Time(r.MarkAnsweredAt)} / {Time(r.EndOfDataAnsweredAt)} / {Time(r.UpdatedAt)} | {m.SmtpCut ?? "-"} | {m.FaultBefore ?? "-"} / {m.FaultAfter ?? "-"} | {m.Storm ?? "-"} | {m.Cause}");
        }

        if (missing.Count > max)
        {
            text.AppendLine(c, $"    … {missing.Count - max} more in report.json");
        }

        return text.ToString();
    }

    /// <summary>The detail of a proxy cut event: <c>reference</c> or <c>reference|answer</c>.</summary>
    public static string CutDetail(string reference, string? serverReply) =>
        serverReply is null ? reference : reference + "|" + serverReply;

    private static string ReferenceOfCut(string detail) => detail.Split('|', 2)[0];

    private static string AnswerOfCut(string detail) =>
        detail.Split('|', 2) is [_, var answer] ? $", server answered \"{answer}\"" : string.Empty;

    /// <summary>The cause without its figures, to count alike causes together.</summary>
    private static string CauseGroup(string cause) =>
        cause.StartsWith("sender stopped: mark in flight at the stop", StringComparison.Ordinal) ? "sender stopped: mark in flight at the stop (stored after it)"
            : cause.StartsWith("sender stopped: mark stored", StringComparison.Ordinal) ? "sender stopped: mark stored before the stop, no answer logged"
            : cause.StartsWith("sender stopped: mark answered", StringComparison.Ordinal) ? "sender stopped: mark answered, end of data not answered"
            : cause.StartsWith("sender stopped: end of data answered", StringComparison.Ordinal) ? "sender stopped: end of data answered, yet not in the sink"
            : cause.StartsWith("sender stopped: host killed", StringComparison.Ordinal) ? "sender stopped: host killed under 1 s before the mark, its worker just after"
            : cause.StartsWith("sender stopped: kill/restart", StringComparison.Ordinal)
            ? (cause.Contains(" ms after", StringComparison.Ordinal)
                ? "sender stopped: kill/restart under 1 s after the mark" : "sender stopped: kill/restart 1 s or more after the mark")
            : cause.StartsWith("smtp cut after the data, server answered \"2", StringComparison.Ordinal) ? "smtp cut after the data, server answered 2xx"
            : cause.StartsWith("smtp cut after the data, server answered", StringComparison.Ordinal) ? "smtp cut after the data, server answered other"
            : cause.StartsWith("sender gone after its end of data, server answered \"2", StringComparison.Ordinal) ? "sender gone after its end of data, server answered 2xx"
            : cause;

    private static string Seconds(double s) =>
        s < 1 ? $"{(s * 1000).ToString("0", CultureInfo.InvariantCulture)} ms" : $"{s.ToString("0.0", CultureInfo.InvariantCulture)} s";

    private static string Time(double? s) => s is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "-";
}
