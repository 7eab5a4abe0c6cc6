using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Ports;
using Moq;

namespace AlertPipeline.UnitTests.Pipeline;

/// <summary>
/// A strict <see cref="IDeliveryStore"/> mock backed by a dictionary with ETags, as Table Storage behaves: adds ignore
/// existing rows, updates succeed only with the current ETag. <see cref="BeforeUpdate"/> lets a test play a concurrent
/// writer (a rival sender, a status callback) just before a conditional update.
/// </summary>
internal sealed class DeliveryTable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (DeliveryRecord Row, int Version)> _rows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodaTime.Instant> _storedAt = new(StringComparer.Ordinal);

    public DeliveryTable()
    {
        Mock.Setup(s => s.AddNewAsync(It.IsAny<AlertId>(), It.IsAny<IReadOnlyList<DeliveryRecord>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((AlertId alertId, IReadOnlyList<DeliveryRecord> rows, CancellationToken _) =>
            {
                rows.Should().OnlyContain(r => r.AlertId == alertId, "a batch holds one alert's rows");
                return rows.Select(AddOne).ToList();
            });
        Mock.Setup(s => s.GetAsync(It.IsAny<DeliveryKey>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((DeliveryKey key, CancellationToken _) => Find(key));
        Mock.Setup(s => s.TryUpdateAsync(It.IsAny<DeliveryRecord>(), It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Returns(async (DeliveryRecord row, string etag, CancellationToken _) =>
            {
                if (AnswerAfterSent is { } answer)
                {
                    AnswerAfterSent = null;
                    WatchedUpdates.Add(WriteSent.Current is not null);
                    WriteSent.Current?.Raise(); // as the table client once the request is on the connection
                    await answer();
                }

                return Update(row, etag);
            });
        Mock.Setup(s => s.GetManyAsync(It.IsAny<IReadOnlyList<DeliveryKey>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((IReadOnlyList<DeliveryKey> keys, CancellationToken _) => keys.Select(Find).ToList());
        Mock.Setup(s => s.TryUpdateAllAsync(It.IsAny<IReadOnlyList<(DeliveryRecord Row, string ETag)>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((IReadOnlyList<(DeliveryRecord Row, string ETag)> updates, CancellationToken _) => UpdateAll(updates));
    }

    public Mock<IDeliveryStore> Mock { get; } = new(MockBehavior.Strict);

    public IDeliveryStore Object => Mock.Object;

    /// <summary>The table's own clock: when set, every write is stamped with it and reads return it (<see cref="StoredDelivery.StoredAt"/>, Table Storage's <c>Timestamp</c>).</summary>
    public Func<NodaTime.Instant>? Clock { get; set; }

    /// <summary>Runs once, just before the next conditional update is checked.</summary>
    public Action<DeliveryTable>? BeforeUpdate { get; set; }

    /// <summary>
    /// Once, for the next single-row update: its request "leaves" (a watched write's <see cref="WriteSent"/> is raised),
    /// then the update waits for this before it is checked and answered (a throw fails it, as a lost answer would).
    /// </summary>
    public Func<Task>? AnswerAfterSent { get; set; }

    /// <summary>Per update held by <see cref="AnswerAfterSent"/>: whether its caller watched it (<see cref="WriteSent.Watch{TWrite}"/>).</summary>
    public List<bool> WatchedUpdates { get; } = [];

    public int Adds { get; private set; }

    public int Updates { get; private set; }

    /// <summary>Transactions that went through (all their rows counted in <see cref="Updates"/>).</summary>
    public int Transactions { get; private set; }

    /// <summary>Transactions refused because a row's ETag had changed (nothing written).</summary>
    public int FailedTransactions { get; private set; }

    public IReadOnlyList<DeliveryRecord> Rows
    {
        get
        {
            lock (_gate)
            {
                return [.. _rows.Values.Select(v => v.Row)];
            }
        }
    }

    public DeliveryRecord this[DeliveryKey key] => Find(key)?.Record ?? throw new KeyNotFoundException(key.Value);

    /// <summary>Stores a row as it is (test set-up), replacing any.</summary>
    public void Put(DeliveryRecord row)
    {
        lock (_gate)
        {
            var version = _rows.TryGetValue(row.Key.Value, out var existing) ? existing.Version + 1 : 1;
            _rows[row.Key.Value] = (row, version);
            Stamp(row.Key);
        }
    }

    private DeliveryAddOutcome AddOne(DeliveryRecord row)
    {
        lock (_gate)
        {
            if (_rows.TryGetValue(row.Key.Value, out var existing))
            {
                return new DeliveryAddOutcome(row.Key, false, existing.Row.Status);
            }

            _rows[row.Key.Value] = (row, 1);
            Stamp(row.Key);
            Adds++;
            return new DeliveryAddOutcome(row.Key, true, row.Status);
        }
    }

    private StoredDelivery? Find(DeliveryKey key)
    {
        lock (_gate)
        {
            return _rows.TryGetValue(key.Value, out var entry)
                ? new StoredDelivery(entry.Row, ETag(entry.Version)) { StoredAt = _storedAt.TryGetValue(key.Value, out var at) ? at : null }
                : null;
        }
    }

    private StoredDelivery? Update(DeliveryRecord row, string etag)
    {
        var hook = BeforeUpdate;
        BeforeUpdate = null;
        hook?.Invoke(this);
        lock (_gate)
        {
            if (!_rows.TryGetValue(row.Key.Value, out var entry) || ETag(entry.Version) != etag)
            {
                return null;
            }

            _rows[row.Key.Value] = (row, entry.Version + 1);
            Stamp(row.Key);
            Updates++;
            return new StoredDelivery(row, ETag(entry.Version + 1));
        }
    }

    /// <summary>As a table transaction: one partition, at most 100 rows, every ETag current, or nothing is written.</summary>
    private IReadOnlyList<StoredDelivery>? UpdateAll(IReadOnlyList<(DeliveryRecord Row, string ETag)> updates)
    {
        updates.Should().HaveCountLessThanOrEqualTo(IDeliveryStore.MaxTransaction);
        updates.Select(u => (u.Row.AlertId, DeliveryBuckets.Of(u.Row.Key))).Distinct().Should().ContainSingle("a transaction touches one partition");
        var hook = BeforeUpdate;
        BeforeUpdate = null;
        hook?.Invoke(this);
        lock (_gate)
        {
            if (updates.Any(u => !_rows.TryGetValue(u.Row.Key.Value, out var entry) || ETag(entry.Version) != u.ETag))
            {
                FailedTransactions++;
                return null;
            }

            Transactions++;
            return [.. updates.Select(u =>
            {
                var version = _rows[u.Row.Key.Value].Version + 1;
                _rows[u.Row.Key.Value] = (u.Row, version);
                Stamp(u.Row.Key);
                Updates++;
                return new StoredDelivery(u.Row, ETag(version));
            })];
        }
    }

    private void Stamp(DeliveryKey key)
    {
        if (Clock is { } clock)
        {
            _storedAt[key.Value] = clock();
        }
    }

    private static string ETag(int version) => $"W/\"v{version}\"";
}
