using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;
using Azure;
using Azure.Core;

namespace AlertPipeline.Infrastructure.Storage.Tables;

/// <summary>
/// One table: entity CRUD with ETags, queries with paging, and entity group transactions. Shaped like
/// Azure.Data.Tables' <c>TableClient</c>. Thread-safe; create once and reuse (or get one from <see cref="TableServiceClient"/>).
/// Every argument is checked against the service's limits before a request is sent.
/// </summary>
public sealed class TableClient
{
    private const string NextPartitionKeyHeader = "x-ms-continuation-NextPartitionKey";
    private const string NextRowKeyHeader = "x-ms-continuation-NextRowKey";
    private static readonly RequestMethod Merge = new("MERGE");

    private readonly TableRestClient _rest;

    public TableClient(string connectionString, string tableName, TableClientOptions? options = null)
        : this(TableRestClient.ForConnectionString(connectionString, options), tableName)
    {
    }

    public TableClient(Uri endpoint, string tableName, StorageSharedKeyCredential credential, TableClientOptions? options = null)
        : this(TableRestClient.ForSharedKey(endpoint, credential, options), tableName)
    {
    }

    public TableClient(Uri endpoint, string tableName, TokenCredential credential, TableClientOptions? options = null)
        : this(TableRestClient.ForToken(endpoint, credential, options), tableName)
    {
    }

    internal TableClient(TableRestClient rest, string tableName)
    {
        TableValidation.TableName(tableName, nameof(tableName));
        _rest = rest;
        Name = tableName;
        Uri = new Uri(rest.TableUrl(tableName));
    }

    public string Name { get; }

    /// <summary>The table's URL, e.g. <c>http://127.0.0.1:10002/devstoreaccount1/alerts</c>.</summary>
    public Uri Uri { get; }

    /// <summary>Creates the table; false when it already existed.</summary>
    public Task<bool> CreateIfNotExistsAsync(CancellationToken cancellationToken = default) =>
        TableServiceClient.CreateTableAsync(_rest, Name, cancellationToken);

    /// <summary>Deletes the table; false when it did not exist.</summary>
    public Task<bool> DeleteAsync(CancellationToken cancellationToken = default) =>
        TableServiceClient.DeleteTableAsync(_rest, Name, cancellationToken);

    /// <summary>Inserts a new entity and returns its ETag. Throws <see cref="TableEntityAlreadyExistsException"/> (409) if it exists.</summary>
    public async Task<ETag> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        TableValidation.EntityForWrite(entity, nameof(entity));
        using var message = _rest.CreateMessage(RequestMethod.Post, _rest.TableUrl(Name), TableEntityJson.Serialize(entity));
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        var response = await _rest.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Status is 201 or 204
            ? ReadETag(response)
            : throw TableRestClient.Error(response, "Inserting an entity", entityOperation: true);
    }

    /// <summary>Inserts the entity, or merges into / replaces the existing one; returns the new ETag.</summary>
    public async Task<ETag> UpsertEntityAsync(
        TableEntity entity,
        TableUpdateMode mode = TableUpdateMode.Merge,
        CancellationToken cancellationToken = default)
    {
        TableValidation.EntityForWrite(entity, nameof(entity));
        using var message = CreateWrite(entity, mode, ifMatch: null);
        var response = await _rest.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Status is 204 or 200
            ? ReadETag(response)
            : throw TableRestClient.Error(response, "Upserting an entity", entityOperation: true);
    }

    /// <summary>
    /// Merges into / replaces an existing entity if its ETag still is <paramref name="ifMatch"/> (<see cref="ETag.All"/>:
    /// unconditionally); returns the new ETag. Throws <see cref="TableConcurrencyException"/> (412) when the entity
    /// changed and <see cref="TableEntityNotFoundException"/> (404) when it does not exist.
    /// </summary>
    public async Task<ETag> UpdateEntityAsync(
        TableEntity entity,
        ETag ifMatch,
        TableUpdateMode mode = TableUpdateMode.Merge,
        CancellationToken cancellationToken = default)
    {
        TableValidation.EntityForWrite(entity, nameof(entity));
        RequireETag(ifMatch, nameof(ifMatch));
        using var message = CreateWrite(entity, mode, ifMatch);
        var response = await _rest.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Status is 204 or 200
            ? ReadETag(response)
            : throw TableRestClient.Error(response, "Updating an entity", entityOperation: true);
    }

    /// <summary>
    /// Deletes an entity if its ETag still is <paramref name="ifMatch"/> (default: unconditionally). Returns false when
    /// the entity did not exist (as Azure.Data.Tables does not throw on 404); throws <see cref="TableConcurrencyException"/> on 412.
    /// </summary>
    public async Task<bool> DeleteEntityAsync(
        string partitionKey,
        string rowKey,
        ETag ifMatch = default,
        CancellationToken cancellationToken = default)
    {
        TableValidation.Key(partitionKey, TableEntity.PartitionKeyName, nameof(partitionKey));
        TableValidation.Key(rowKey, TableEntity.RowKeyName, nameof(rowKey));
        using var message = _rest.CreateMessage(RequestMethod.Delete, _rest.EntityUrl(Name, partitionKey, rowKey));
        message.Request.Headers.SetValue(HttpHeader.Names.IfMatch, IfMatchValue(ifMatch));
        var response = await _rest.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Status switch
        {
            204 or 200 => true,
            404 when IsEntityNotFound(response) => false,
            _ => throw TableRestClient.Error(response, "Deleting an entity", entityOperation: true),
        };
    }

    /// <summary>Reads one entity; throws <see cref="TableEntityNotFoundException"/> (404) when it does not exist.</summary>
    public async Task<TableEntity> GetEntityAsync(
        string partitionKey,
        string rowKey,
        IEnumerable<string>? select = null,
        CancellationToken cancellationToken = default) =>
        await GetEntityCoreAsync(partitionKey, rowKey, select, throwWhenAbsent: true, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidOperationException("Unreachable: an absent entity throws.");

    /// <summary>Reads one entity, or null when it does not exist (a missing table still throws).</summary>
    public Task<TableEntity?> GetEntityIfExistsAsync(
        string partitionKey,
        string rowKey,
        IEnumerable<string>? select = null,
        CancellationToken cancellationToken = default) =>
        GetEntityCoreAsync(partitionKey, rowKey, select, throwWhenAbsent: false, cancellationToken);

    /// <summary>
    /// Streams the entities matching <paramref name="filter"/> (build it with <see cref="TableFilter"/>), fetching
    /// pages of at most <paramref name="maxPerPage"/> (1–1000) lazily and following continuation tokens to the end.
    /// </summary>
    public IAsyncEnumerable<TableEntity> QueryAsync(
        string? filter = null,
        int? maxPerPage = null,
        IEnumerable<string>? select = null,
        CancellationToken cancellationToken = default)
    {
        var query = QueryParameters(filter, maxPerPage, select);
        return Entities(query, cancellationToken);
    }

    /// <summary>
    /// The same query page by page, starting from <paramref name="continuationToken"/> (from an earlier
    /// <see cref="TablePage"/>) or the beginning. An API can return one page and its token, and resume later.
    /// </summary>
    public IAsyncEnumerable<TablePage> QueryPagesAsync(
        string? filter = null,
        int? maxPerPage = null,
        IEnumerable<string>? select = null,
        string? continuationToken = null,
        CancellationToken cancellationToken = default)
    {
        var query = QueryParameters(filter, maxPerPage, select);
        var start = continuationToken is null ? null : ContinuationToken.Parse(continuationToken, nameof(continuationToken));
        return Pages(query, start, cancellationToken);
    }

    /// <summary>
    /// Submits up to 100 operations on one partition as an all-or-nothing entity group transaction. Returns one result
    /// per action, in order. Throws <see cref="TableTransactionFailedException"/> (with the failing action's index) when
    /// the service rejects any operation; then none was applied.
    /// </summary>
    public async Task<IReadOnlyList<TableTransactionResult>> SubmitTransactionAsync(
        IEnumerable<TableTransactionAction> actions,
        CancellationToken cancellationToken = default)
    {
        var list = TableTransactionBody.Validate(actions, nameof(actions));
        var batchBoundary = "batch_" + Guid.NewGuid().ToString("D");
        var changesetBoundary = "changeset_" + Guid.NewGuid().ToString("D");
        var body = TableTransactionBody.Build(_rest.BaseUrl, Name, list, batchBoundary, changesetBoundary);
        if (body.Length > TableValidation.MaxRequestBytes)
        {
            throw new ArgumentException(
                $"The transaction body is {body.Length} bytes; a transaction may be at most 4 MiB ({TableValidation.MaxRequestBytes} bytes).",
                nameof(actions));
        }

        using var message = _rest.CreateMessage(
            RequestMethod.Post,
            _rest.BaseUrl + "/$batch",
            body,
            "multipart/mixed; boundary=" + batchBoundary);
        var response = await _rest.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return TableTransactionBody.ReadResponse(response, list);
    }

    private async Task<TableEntity?> GetEntityCoreAsync(
        string partitionKey,
        string rowKey,
        IEnumerable<string>? select,
        bool throwWhenAbsent,
        CancellationToken cancellationToken)
    {
        TableValidation.Key(partitionKey, TableEntity.PartitionKeyName, nameof(partitionKey));
        TableValidation.Key(rowKey, TableEntity.RowKeyName, nameof(rowKey));
        var selectList = SelectList(select, nameof(select));
        using var message = _rest.CreateMessage(RequestMethod.Get, _rest.EntityUrl(Name, partitionKey, rowKey));
        if (selectList is not null)
        {
            message.Request.Uri.AppendQuery("$select", selectList, escapeValue: true);
        }

        var response = await _rest.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (response.Status == 200)
        {
            var entity = TableEntityJson.ReadEntity(response.Content.ToMemory());
            if (response.Headers.ETag is { } etag)
            {
                entity.ETag = etag;
            }

            return entity;
        }

        if (response.Status == 404 && !throwWhenAbsent && IsEntityNotFound(response))
        {
            return null;
        }

        throw TableRestClient.Error(response, "Reading an entity", entityOperation: true);
    }

    private async IAsyncEnumerable<TableEntity> Entities(
        List<(string Name, string Value)> query,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var page in Pages(query, null, cancellationToken).ConfigureAwait(false))
        {
            foreach (var entity in page.Items)
            {
                yield return entity;
            }
        }
    }

    private async IAsyncEnumerable<TablePage> Pages(
        List<(string Name, string Value)> query,
        ContinuationToken? start,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var next = start;
        do
        {
            using var message = _rest.CreateMessage(RequestMethod.Get, _rest.TableUrl(Name) + "()");
            foreach (var (name, value) in query)
            {
                message.Request.Uri.AppendQuery(name, value, escapeValue: true);
            }

            if (next is not null)
            {
                message.Request.Uri.AppendQuery("NextPartitionKey", next.PartitionKey, escapeValue: true);
                if (next.RowKey is not null)
                {
                    message.Request.Uri.AppendQuery("NextRowKey", next.RowKey, escapeValue: true);
                }
            }

            var response = await _rest.SendAsync(message, cancellationToken).ConfigureAwait(false);
            if (response.Status != 200)
            {
                throw TableRestClient.Error(response, "Querying entities");
            }

            var items = TableEntityJson.ReadEntities(response.Content.ToMemory());
            next = response.Headers.TryGetValue(NextPartitionKeyHeader, out var npk) && !string.IsNullOrEmpty(npk)
                ? new ContinuationToken(npk, response.Headers.TryGetValue(NextRowKeyHeader, out var nrk) && !string.IsNullOrEmpty(nrk) ? nrk : null)
                : null;
            yield return new TablePage(items, next?.ToString());
        }
        while (next is not null);
    }

    private static List<(string Name, string Value)> QueryParameters(string? filter, int? maxPerPage, IEnumerable<string>? select)
    {
        TableValidation.MaxPerPage(maxPerPage, nameof(maxPerPage));
        var query = new List<(string, string)>(3);
        if (!string.IsNullOrWhiteSpace(filter))
        {
            query.Add(("$filter", filter));
        }

        if (SelectList(select, nameof(select)) is { } selectList)
        {
            query.Add(("$select", selectList));
        }

        if (maxPerPage is { } top)
        {
            query.Add(("$top", top.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return query;
    }

    private static string? SelectList(IEnumerable<string>? select, string paramName)
    {
        if (select is null)
        {
            return null;
        }

        var names = select.ToList();
        if (names.Count == 0)
        {
            return null;
        }

        foreach (var name in names)
        {
            ArgumentNullException.ThrowIfNull(name, paramName);
            TableValidation.PropertyName(name, paramName);
        }

        return string.Join(',', names);
    }

    private HttpMessage CreateWrite(TableEntity entity, TableUpdateMode mode, ETag? ifMatch)
    {
        var method = mode switch
        {
            TableUpdateMode.Merge => Merge,
            TableUpdateMode.Replace => RequestMethod.Put,
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown update mode."),
        };
        var message = _rest.CreateMessage(method, _rest.EntityUrl(Name, entity.PartitionKey, entity.RowKey), TableEntityJson.Serialize(entity));
        if (ifMatch is { } etag)
        {
            message.Request.Headers.SetValue(HttpHeader.Names.IfMatch, IfMatchValue(etag));
        }

        return message;
    }

    internal static void RequireETag(ETag ifMatch, string paramName)
    {
        if (ifMatch == default)
        {
            throw new ArgumentException(
                "An update needs the entity's ETag (from a read or write) or ETag.All for an unconditional update.", paramName);
        }
    }

    /// <summary>The ETag verbatim, as the service sent it; default means any (<c>*</c>).</summary>
    internal static string IfMatchValue(ETag etag) => etag == default ? "*" : etag.ToString();

    private static ETag ReadETag(Response response) =>
        response.Headers.ETag ?? throw new RequestFailedException(response.Status, "The service returned no ETag.", null, null);

    private static bool IsEntityNotFound(Response response) =>
        TableRestClient.ReadError(response).Code is TableErrorCode.ResourceNotFound or null;

    /// <summary>NextPartitionKey and NextRowKey as one opaque, URL-safe string: base64url(pk).base64url(rk).</summary>
    private sealed record ContinuationToken(string PartitionKey, string? RowKey)
    {
        public override string ToString() =>
            Base64Url.EncodeToString(Encoding.UTF8.GetBytes(PartitionKey)) + "." +
            (RowKey is null ? string.Empty : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(RowKey)));

        public static ContinuationToken Parse(string token, string paramName)
        {
            var dot = token.IndexOf('.', StringComparison.Ordinal);
            try
            {
                if (dot > 0)
                {
                    var pk = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.AsSpan(0, dot)));
                    var rk = dot == token.Length - 1 ? null : Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.AsSpan(dot + 1)));
                    return new ContinuationToken(pk, rk);
                }
            }
            catch (FormatException)
            {
                // fall through to the error below
            }

            throw new ArgumentException("The continuation token is not one this client issued.", paramName);
        }
    }
}
