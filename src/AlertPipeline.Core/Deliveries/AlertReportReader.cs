using System.Collections.Concurrent;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Ports;

namespace AlertPipeline.Core.Deliveries;

/// <summary>
/// Answers a union's delivery report of an alert in bounded time. Each ask starts a count of the union's rows (or joins
/// the one already running for that alert and union) and waits for it at most until <see cref="ReportOptions.ExactBudget"/>
/// after the request arrived:
/// a count that finishes in time is the answer, exact as of its start. A longer count goes on in the background and the
/// ask is answered with the last finished count of the alert and union (its <see cref="ReportAnswer.AsOf"/> time), or,
/// before there is one, with what the running count has added up so far, marked <see cref="ReportAnswer.Partial"/>.
/// A finished count that took longer than the budget is served as it is for <see cref="ReportOptions.RescanInterval"/>
/// after it finished, so a large alert is counted at most once per interval however many people watch it.
/// No counter is written anywhere: the counts are always the rows' own statuses, read off the request path, so many
/// senders and callbacks at once contend on nothing. Finished counts are kept in this process (one per alert and union,
/// at most <see cref="ReportOptions.MaxSnapshots"/>).
/// </summary>
public sealed class AlertReportReader(IDeliveryStore deliveries, ReportOptions options, TimeProvider time) : IDisposable
{
    private readonly ConcurrentDictionary<(AlertId, UnionId), Lazy<Count>> _running = new();
    private readonly ConcurrentDictionary<(AlertId, UnionId), Finished> _finished = new();
    private readonly CancellationTokenSource _stopping = new();

    /// <param name="arrivedAt">When the request arrived: the ask waits for its count until <see cref="ReportOptions.ExactBudget"/>
    /// after it (not after its own first reads), so the reads the request made before asking (its key, the alert) use up the budget;
    /// past it the ask does not wait at all.</param>
    public async Task<ReportAnswer> ReadAsync(AlertId alertId, UnionId unionId, DateTimeOffset arrivedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(alertId);
        ArgumentNullException.ThrowIfNull(unionId);
        var key = (alertId, unionId);
        if (_finished.TryGetValue(key, out var last) && last.Slow && time.GetUtcNow() - last.FinishedAt < options.RescanInterval)
        {
            return last.Answer;
        }

        var count = _running.GetOrAdd(key, k => new Lazy<Count>(() => Start(k))).Value;
        if (!count.Completion.IsCompleted)
        {
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var left = arrivedAt + options.ExactBudget - time.GetUtcNow();
            var delay = Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero, time, budget.Token);
            await Task.WhenAny(count.Completion, delay).ConfigureAwait(false);
            await budget.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        if (count.Completion.IsCompleted)
        {
            return await count.Completion.ConfigureAwait(false);
        }

        return _finished.TryGetValue(key, out var snapshot) ? snapshot.Answer : count.SoFar();
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private Count Start((AlertId AlertId, UnionId UnionId) key)
    {
        var count = new Count(time.GetUtcNow());
        count.Completion = Task.Run(() => RunAsync(key, count));
        return count;
    }

    private async Task<ReportAnswer> RunAsync((AlertId AlertId, UnionId UnionId) key, Count count)
    {
        try
        {
            await foreach (var row in deliveries.GetReportedRowsAsync(key.AlertId, key.UnionId, _stopping.Token).ConfigureAwait(false))
            {
                count.Add(row);
            }

            var answer = count.Final();
            var now = time.GetUtcNow();
            var finished = new Finished(answer, now, Slow: now - count.StartedAt > options.ExactBudget);
            if (!_finished.ContainsKey(key) && _finished.Count >= options.MaxSnapshots)
            {
                foreach (var oldest in _finished.OrderBy(f => f.Value.FinishedAt).Take(Math.Max(1, options.MaxSnapshots / 10)))
                {
                    _finished.TryRemove(oldest);
                }
            }

            // A count that started earlier never replaces a later one.
            _finished.AddOrUpdate(key, finished, (_, old) => old.Answer.AsOf > answer.AsOf ? old : finished);
            return answer;
        }
        finally
        {
            // Only this count can be running for the key (GetOrAdd adds one only when none is).
            _running.TryRemove(key, out _);
        }
    }

    private sealed record Finished(ReportAnswer Answer, DateTimeOffset FinishedAt, bool Slow);

    /// <summary>One count in progress: rows are added by the reading task while asks may take what it has so far.</summary>
    private sealed class Count(DateTimeOffset startedAt)
    {
        private readonly Lock _gate = new();
        private readonly AlertReportBuilder _builder = new();

        public DateTimeOffset StartedAt { get; } = startedAt;

        public Task<ReportAnswer> Completion { get; set; } = null!;

        public void Add(ReportedRow row)
        {
            lock (_gate)
            {
                _builder.Add(row);
            }
        }

        public ReportAnswer SoFar()
        {
            lock (_gate)
            {
                return new ReportAnswer(_builder.Build(), StartedAt, Partial: true);
            }
        }

        public ReportAnswer Final()
        {
            lock (_gate)
            {
                return new ReportAnswer(_builder.Build(), StartedAt, Partial: false);
            }
        }
    }
}

/// <summary>A union's report of an alert.</summary>
/// <param name="AsOf">When the count began: every row changed before then is counted as changed.</param>
/// <param name="Partial">True while the first count of the alert and union is still running: the counts cover only the rows read so far.</param>
public sealed record ReportAnswer(AlertReport Report, DateTimeOffset AsOf, bool Partial);

/// <summary>How long a delivery report or a preview may take on the request path (section <c>Reports</c>).</summary>
public sealed class ReportOptions
{
    public const string SectionName = "Reports";

    /// <summary>How long after the request's arrival an ask waits for its count before answering with the last finished one (2 s).</summary>
    public TimeSpan ExactBudget { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a count that took longer than <see cref="ExactBudget"/> is served before the next ask counts again (10 s).</summary>
    public TimeSpan RescanInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long after the request's arrival a preview reads the audience before answering with what it has counted, marked
    /// partial (2.5 s; 0: nothing is read): the audit row of the POST and the answer still fit before <see cref="AnswerWithin"/>
    /// on a busy table (docs/reliability.md).
    /// </summary>
    public TimeSpan PreviewBudget { get; set; } = TimeSpan.FromSeconds(2.5);

    /// <summary>
    /// The latest a report or preview answers after the request's arrival (4 s): one whose first reads (the key, the alert,
    /// the campaign) have not finished by then answers 503 with <c>Retry-After</c>, as nothing true is known yet. Longer
    /// than both budgets.
    /// </summary>
    public TimeSpan AnswerWithin { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>Finished counts kept per process, one per alert and union (1,000; the oldest tenth go when full).</summary>
    public int MaxSnapshots { get; set; } = 1000;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (ExactBudget < TimeSpan.Zero || ExactBudget > TimeSpan.FromSeconds(60))
        {
            errors.Add($"{SectionName}:{nameof(ExactBudget)} must be between 00:00:00 and 00:01:00.");
        }

        if (RescanInterval < TimeSpan.Zero || RescanInterval > TimeSpan.FromHours(1))
        {
            errors.Add($"{SectionName}:{nameof(RescanInterval)} must be between 00:00:00 and 01:00:00.");
        }

        if (PreviewBudget < TimeSpan.Zero || PreviewBudget > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{SectionName}:{nameof(PreviewBudget)} must be between 00:00:00 and 00:05:00.");
        }

        if (AnswerWithin < TimeSpan.FromSeconds(1) || AnswerWithin > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{SectionName}:{nameof(AnswerWithin)} must be between 00:00:01 and 00:10:00.");
        }
        else if (AnswerWithin <= ExactBudget || AnswerWithin <= PreviewBudget)
        {
            // The deadline would cut the count's or the preview's own budget short, answering 503 where they would answer.
            errors.Add($"{SectionName}:{nameof(AnswerWithin)} ({AnswerWithin}) must be longer than {nameof(ExactBudget)} ({ExactBudget}) and {nameof(PreviewBudget)} ({PreviewBudget}).");
        }

        if (MaxSnapshots is < 1 or > 100_000)
        {
            errors.Add($"{SectionName}:{nameof(MaxSnapshots)} must be between 1 and 100000.");
        }

        return errors;
    }
}
