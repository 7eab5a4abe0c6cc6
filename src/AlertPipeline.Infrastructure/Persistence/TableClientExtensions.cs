using System.Buffers.Text;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;

namespace AlertPipeline.Infrastructure.Persistence;

/// <summary>The reads and writes the repositories need from <see cref="TableClient"/> that the SDK spells at length.</summary>
internal static class TableClientExtensions
{
    private const string PageTokenVersion = "t1|";
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// One entity, or null when it does not exist. A missing <em>table</em> still throws (404 TableNotFound): an absent
    /// table is a fault, not an empty one (an opt-out lookup must never read "not opted out" from it).
    /// </summary>
    public static async Task<TableEntity?> GetEntityOrNullAsync(
        this TableClient table,
        string partitionKey,
        string rowKey,
        IEnumerable<string>? select = null,
        CancellationToken cancellationToken = default)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, select, cancellationToken).ConfigureAwait(false);
        if (response.HasValue)
        {
            return response.Value;
        }

        var error = new RequestFailedException(response.GetRawResponse());
        return error.ErrorCode == TableErrorCode.TableNotFound.ToString() ? throw error : null;
    }

    /// <summary>
    /// One page of at most <paramref name="maxPerPage"/> (1–1000) entities matching <paramref name="filter"/>, from
    /// <paramref name="continuationToken"/> (a page's token) or the start. The page may be short, even empty, and still
    /// carry a token (the service stops at partition boundaries and time limits); no token: the query is done. Tokens are
    /// opaque and URL-safe (base64url of the SDK's own); one that this method did not issue is refused with an
    /// <see cref="ArgumentException"/> on <paramref name="continuationToken"/>.
    /// </summary>
    public static async Task<Page<TableEntity>> GetPageAsync(
        this TableClient table,
        string filter,
        int maxPerPage,
        string? continuationToken,
        CancellationToken cancellationToken = default)
    {
        string? start = null;
        if (continuationToken is not null && !TryDecodePageToken(continuationToken, out start))
        {
            throw new ArgumentException("The continuation token holds no valid table position; pass back a token from the previous page, or none to start.", nameof(continuationToken));
        }

        await foreach (var page in table.QueryAsync<TableEntity>(filter, maxPerPage, cancellationToken: cancellationToken)
                           .AsPages(start, maxPerPage).ConfigureAwait(false))
        {
            var next = page.ContinuationToken is null ? null : Base64Url.EncodeToString(StrictUtf8.GetBytes(PageTokenVersion + page.ContinuationToken));
            return Page<TableEntity>.FromValues(page.Values, next, page.GetRawResponse());
        }

        throw new InvalidOperationException("The table query returned no page.");
    }

    /// <summary>Whether <paramref name="token"/> is a page token of <see cref="GetPageAsync"/> (its shape; not where it points).</summary>
    public static bool IsPageToken(string token) => TryDecodePageToken(token, out _);

    /// <summary>The entity's new ETag from the response to a write.</summary>
    public static ETag NewETag(this Response response) =>
        response.Headers.ETag ?? throw new RequestFailedException(response.Status, "The Table service answered a write without an ETag.");

    /// <summary>
    /// Deletes an entity if its ETag still is <paramref name="ifMatch"/> (default: whatever it is); false when it did not
    /// exist (the SDK answers a missing entity with a 404 response, not an exception). A stale ETag still throws (412).
    /// </summary>
    public static async Task<bool> DeleteEntityIfExistsAsync(
        this TableClient table, string partitionKey, string rowKey, ETag ifMatch = default, CancellationToken cancellationToken = default) =>
        (await table.DeleteEntityAsync(partitionKey, rowKey, ifMatch, cancellationToken).ConfigureAwait(false)).Status != 404;

    private static bool TryDecodePageToken(string token, out string? sdkToken)
    {
        sdkToken = null;
        try
        {
            var text = StrictUtf8.GetString(Base64Url.DecodeFromChars(token));
            if (text.StartsWith(PageTokenVersion, StringComparison.Ordinal) && text.Length > PageTokenVersion.Length)
            {
                sdkToken = text[PageTokenVersion.Length..];
                return true;
            }
        }
        catch (FormatException)
        {
            // not base64url, or not UTF-8: not ours
        }

        return false;
    }
}
