using AlertPipeline.Core.Deliveries;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AlertPipeline.Infrastructure.Persistence;

/// <summary>
/// The one-off clean-up of Deliveries rows written before rows dropped their address on leaving Sending
/// (<see cref="DeliveryTransitions.KeepsAddress"/>): every row past Sending that still holds an <c>Address</c> loses it.
/// The rows are found by <c>Address gt '' and Status ne 'Pending' and Status ne 'Sending'</c>, a filtered scan of the
/// whole table; each is rewritten with an ETag-conditional <b>Replace</b> (a Merge cannot remove a property), re-read
/// and scrubbed again on 412. Nothing else of the row changes. A scrubbed row no longer matches the filter, so running it
/// again finds nothing: it is idempotent and safe beside running senders (Pending and Sending rows are never touched).
/// Run by <see cref="DeliveryAddressScrubService"/> when <c>Pipeline:Storage:ScrubDeliveryAddressesOnStart</c> is true.
/// </summary>
public sealed class DeliveryAddressScrub(PipelineTables tables)
{
    /// <summary>Conflicts tolerated per row before giving up (the scrub is then run again).</summary>
    public const int MaxAttemptsPerRow = DeliveryRowRewrite.MaxAttemptsPerRow;

    /// <summary>The rows that hold an address they no longer need (a row without the property never matches a comparison).</summary>
    public static string Filter { get; } = TableClient.CreateQueryFilter(
        $"Address gt {string.Empty} and Status ne {nameof(DeliveryStatus.Pending)} and Status ne {nameof(DeliveryStatus.Sending)}");

    /// <summary>Scrubs every such row; returns how many rows this call changed.</summary>
    public async Task<int> ScrubAsync(CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(PipelineTables.Deliveries, cancellationToken).ConfigureAwait(false);
        var scrubbed = 0;
        await foreach (var entity in table.QueryAsync<TableEntity>(Filter, 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (await ScrubRowAsync(table, entity, cancellationToken).ConfigureAwait(false))
            {
                scrubbed++;
            }
        }

        return scrubbed;
    }

    private static Task<bool> ScrubRowAsync(TableClient table, TableEntity entity, CancellationToken cancellationToken) =>
        DeliveryRowRewrite.ReplaceAsync(
            table, entity, row => row.WithoutSpentAddress() is var scrubbed && scrubbed != row ? scrubbed : null,
            "while its address was scrubbed", cancellationToken);
}

/// <summary>Runs <see cref="DeliveryAddressScrub"/> once in the background at start-up when the setting asks for it.</summary>
internal sealed partial class DeliveryAddressScrubService(DeliveryAddressScrub scrub, PipelineStorageOptions options, ILogger<DeliveryAddressScrubService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.ScrubDeliveryAddressesOnStart)
        {
            return;
        }

        try
        {
            LogScrubbed(logger, await scrub.ScrubAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            LogFailed(logger, ex.GetType().Name, ex.Message);
        }
    }

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Delivery address scrub done: {Rows} rows past Sending lost their address")]
    private static partial void LogScrubbed(ILogger logger, int rows);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "Delivery address scrub failed ({ExceptionType}: {Reason}); restart with the setting on to run it again")]
    private static partial void LogFailed(ILogger logger, string exceptionType, string reason);
}
