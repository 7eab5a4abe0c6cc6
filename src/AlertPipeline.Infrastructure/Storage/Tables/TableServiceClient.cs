using System.Text.Json;
using Azure.Core;

namespace AlertPipeline.Infrastructure.Storage.Tables;

/// <summary>
/// The Table service of one storage account: creates and deletes tables and hands out <see cref="TableClient"/>s that
/// share its pipeline. Shaped like Azure.Data.Tables' <c>TableServiceClient</c>; thread-safe, register it once.
/// </summary>
public sealed class TableServiceClient
{
    private readonly TableRestClient _rest;

    /// <summary>From a storage connection string with an account key (<c>UseDevelopmentStorage=true</c> works).</summary>
    public TableServiceClient(string connectionString, TableClientOptions? options = null)
        : this(TableRestClient.ForConnectionString(connectionString, options))
    {
    }

    /// <summary>From the Table endpoint (e.g. <c>https://acct.table.core.windows.net</c>) and the account key.</summary>
    public TableServiceClient(Uri endpoint, StorageSharedKeyCredential credential, TableClientOptions? options = null)
        : this(TableRestClient.ForSharedKey(endpoint, credential, options))
    {
    }

    /// <summary>From the Table endpoint and an Entra ID credential (scope <c>https://storage.azure.com/.default</c>; https only).</summary>
    public TableServiceClient(Uri endpoint, TokenCredential credential, TableClientOptions? options = null)
        : this(TableRestClient.ForToken(endpoint, credential, options))
    {
    }

    private TableServiceClient(TableRestClient rest) => _rest = rest;

    public Uri Uri => _rest.Endpoint;

    public TableClient GetTableClient(string tableName) => new(_rest, tableName);

    /// <summary>Creates the table; false when it already existed.</summary>
    public Task<bool> CreateTableIfNotExistsAsync(string tableName, CancellationToken cancellationToken = default)
    {
        TableValidation.TableName(tableName, nameof(tableName));
        return CreateTableAsync(_rest, tableName, cancellationToken);
    }

    /// <summary>Deletes the table and everything in it; false when it did not exist.</summary>
    public Task<bool> DeleteTableAsync(string tableName, CancellationToken cancellationToken = default)
    {
        TableValidation.TableName(tableName, nameof(tableName));
        return DeleteTableAsync(_rest, tableName, cancellationToken);
    }

    internal static async Task<bool> CreateTableAsync(TableRestClient rest, string tableName, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["TableName"] = tableName });
        using var message = rest.CreateMessage(RequestMethod.Post, rest.BaseUrl + "/Tables", body);
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        var response = await rest.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Status switch
        {
            201 or 204 => true,
            409 => TableRestClient.ReadError(response).Code is TableErrorCode.TableAlreadyExists or null
                ? false
                : throw TableRestClient.Error(response, $"Creating table {tableName}"),
            _ => throw TableRestClient.Error(response, $"Creating table {tableName}"),
        };
    }

    internal static async Task<bool> DeleteTableAsync(TableRestClient rest, string tableName, CancellationToken cancellationToken)
    {
        using var message = rest.CreateMessage(RequestMethod.Delete, $"{rest.BaseUrl}/Tables('{tableName}')");
        var response = await rest.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Status switch
        {
            204 or 200 => true,
            404 => false,
            _ => throw TableRestClient.Error(response, $"Deleting table {tableName}"),
        };
    }
}
