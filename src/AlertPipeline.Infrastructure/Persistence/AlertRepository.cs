using System.Globalization;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Ports;
using Azure;
using Azure.Data.Tables;
using NodaTime;

namespace AlertPipeline.Infrastructure.Persistence;

/// <summary>
/// Alerts (PK alertId, RK <c>alert</c>): the validated event as its canonical JSON (<see cref="AlertEventSerializer"/>),
/// split over <c>Event</c>, <c>Event1</c>, … when longer than one string property holds, plus a few columns for reports,
/// and <c>DeliveryBuckets</c>: the alert's partition layout (<see cref="DeliveryLayout"/>), written with the row (so
/// before any delivery of the alert exists) and never changed; a row without it (stored before layouts) is 16 buckets.
/// </summary>
public sealed class AlertRepository(PipelineTables tables) : IAlertStore
{
    public const string Row = "alert";

    /// <summary>The column holding the alert's <see cref="DeliveryLayout.Buckets"/>.</summary>
    public const string LayoutColumn = "DeliveryBuckets";
    private const int PartLength = 30_000; // a string property holds 32 K UTF-16 characters

    public async Task<bool> AddAsync(AlertRecord alert, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var json = AlertEventSerializer.Serialize(alert.Event);
        var entity = new TableEntity(alert.AlertId.Value, Row)
        {
            ["EventId"] = alert.Event.EventId.Value,
            ["Kind"] = alert.Event.Kind.ToWireName(),
            ["CampaignId"] = alert.Event.CampaignId.Value,
            ["ExpiresAt"] = alert.Event.ExpiresAt.ToDateTimeOffset(),
            ["ReceivedAt"] = alert.ReceivedAt.ToDateTimeOffset(),
            ["ExpiredOnArrival"] = alert.ExpiredOnArrival,
            ["EventParts"] = (json.Length + PartLength - 1) / PartLength,
            [LayoutColumn] = alert.Layout.Buckets,
        };
        for (var part = 0; part * PartLength < json.Length; part++)
        {
            entity[PartName(part)] = json.Substring(part * PartLength, Math.Min(PartLength, json.Length - (part * PartLength)));
        }

        var table = await tables.GetAsync(PipelineTables.Alerts, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    public async Task<AlertRecord?> GetAsync(AlertId alertId, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(PipelineTables.Alerts, cancellationToken).ConfigureAwait(false);
        var entity = await table.GetEntityOrNullAsync(alertId.Value, Row, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (entity is null)
        {
            return null;
        }

        var parts = entity.GetInt32("EventParts") ?? 1;
        var json = string.Concat(Enumerable.Range(0, parts).Select(p => entity.Required(PartName(p))));
        var parsed = AlertEventParser.Parse(json);
        if (!parsed.TryGetValue(out var alertEvent))
        {
            throw EntityValues.Corrupt(entity, "Event", $"no longer parses ({string.Join("; ", parsed.Errors)})");
        }

        return new AlertRecord(
            alertId,
            alertEvent,
            entity.Instant("ReceivedAt") ?? throw EntityValues.Corrupt(entity, "ReceivedAt", "is missing"),
            entity.GetBoolean("ExpiredOnArrival") ?? false)
        {
            Layout = ReadLayout(entity),
        };
    }

    /// <summary>The layout the row records: <c>DeliveryBuckets</c>, absent = 16 (an alert stored before layouts existed).</summary>
    internal static DeliveryLayout ReadLayout(TableEntity entity) =>
        DeliveryLayout.TryFromBuckets(entity.GetInt32(LayoutColumn), out var layout)
            ? layout
            : throw EntityValues.Corrupt(entity, LayoutColumn, $"is not {string.Join(", ", DeliveryLayout.All.Select(l => l.Buckets))} or absent");

    private static string PartName(int part) => part == 0 ? "Event" : "Event" + part.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// RejectedEvents (PK the UTC day <c>yyyy-MM-dd</c>, RK the body's SHA-256): why an alert event was refused. The body
/// itself is in <c>alert-events-poison</c>; recording the same body again on the same day overwrites its row.
/// </summary>
public sealed class RejectedEventRepository(PipelineTables tables) : IRejectedEventLog
{
    private const int MaxReasonLength = 30_000;

    public async Task RecordAsync(RejectedEvent rejected, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        var reasons = string.Join('\n', rejected.Errors);
        var table = await tables.GetAsync(PipelineTables.RejectedEvents, cancellationToken).ConfigureAwait(false);
        await table.UpsertEntityAsync(
            new TableEntity(Day(rejected.RejectedAt), rejected.BodySha256)
            {
                ["Reasons"] = reasons.Length > MaxReasonLength ? reasons[..MaxReasonLength] : reasons,
                ["ErrorCount"] = rejected.Errors.Count,
                ["BodyLength"] = rejected.BodyLength,
                ["RejectedAt"] = rejected.RejectedAt.ToDateTimeOffset(),
                ["MessageId"] = rejected.MessageId,
            },
            TableUpdateMode.Replace,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The rejections recorded on one UTC day: (body SHA-256, reasons, message id).</summary>
    public async Task<IReadOnlyList<(string BodySha256, string Reasons, string? MessageId)>> ListAsync(LocalDate day, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(PipelineTables.RejectedEvents, cancellationToken).ConfigureAwait(false);
        var list = new List<(string, string, string?)>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Day(day)}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            list.Add((entity.RowKey, entity.GetString("Reasons") ?? string.Empty, entity.GetString("MessageId")));
        }

        return list;
    }

    private static string Day(Instant at) => Day(at.InUtc().Date);

    private static string Day(LocalDate date) => date.ToString("yyyy'-'MM'-'dd", CultureInfo.InvariantCulture);
}
