using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Azure;
using Azure.Core;

namespace AlertPipeline.Infrastructure.Storage.Tables;

/// <summary>
/// The entity group transaction wire format: validation of the actions, the <c>multipart/mixed</c> request body (one
/// changeset, CRLF line endings, absolute URLs, per-operation headers) and the multipart response.
/// </summary>
internal static partial class TableTransactionBody
{
    private const string Crlf = "\r\n";

    /// <summary>Checks everything the service would reject (and what Azurite lets through) before a request is built.</summary>
    public static List<TableTransactionAction> Validate(IEnumerable<TableTransactionAction>? actions, string paramName)
    {
        ArgumentNullException.ThrowIfNull(actions, paramName);
        var list = actions.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("A transaction needs at least one action.", paramName);
        }

        if (list.Count > TableValidation.MaxTransactionActions)
        {
            throw new ArgumentException(
                $"A transaction holds at most {TableValidation.MaxTransactionActions} actions; got {list.Count}.", paramName);
        }

        string? partitionKey = null;
        var rowKeys = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var action = list[i] ?? throw new ArgumentException($"Action {i} is null.", paramName);
            var where = $"{paramName}[{i}]";
            if (action.Entity is null)
            {
                throw new ArgumentException($"Action {i} has no entity.", where);
            }

            switch (action.ActionType)
            {
                case TableTransactionActionType.Delete:
                    TableValidation.Keys(action.Entity, where);
                    break;
                case TableTransactionActionType.UpdateMerge or TableTransactionActionType.UpdateReplace:
                    TableValidation.EntityForWrite(action.Entity, where);
                    TableClient.RequireETag(action.ETag, where);
                    break;
                case TableTransactionActionType.Add or TableTransactionActionType.UpsertMerge or TableTransactionActionType.UpsertReplace:
                    TableValidation.EntityForWrite(action.Entity, where);
                    break;
                default:
                    throw new ArgumentException($"Action {i} has the unknown type {action.ActionType}.", where);
            }

            var pk = action.Entity.PartitionKey;
            partitionKey ??= pk;
            if (!string.Equals(pk, partitionKey, StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"Action {i} has a different PartitionKey from action 0; a transaction works on one partition.", where);
            }

            if (!rowKeys.TryAdd(action.Entity.RowKey, i))
            {
                throw new ArgumentException(
                    $"Actions {rowKeys[action.Entity.RowKey]} and {i} have the same RowKey; a transaction may touch each entity once.",
                    where);
            }
        }

        return list;
    }

    /// <summary>The request body for <c>POST {baseUrl}/$batch</c> with <c>Content-Type: multipart/mixed; boundary={batchBoundary}</c>.</summary>
    public static byte[] Build(
        string baseUrl,
        string table,
        IReadOnlyList<TableTransactionAction> actions,
        string batchBoundary,
        string changesetBoundary)
    {
        using var stream = new MemoryStream();
        void Write(string text) => stream.Write(Encoding.UTF8.GetBytes(text));

        Write($"--{batchBoundary}{Crlf}");
        Write($"Content-Type: multipart/mixed; boundary={changesetBoundary}{Crlf}{Crlf}");
        foreach (var action in actions)
        {
            Write($"--{changesetBoundary}{Crlf}");
            Write($"Content-Type: application/http{Crlf}");
            Write($"Content-Transfer-Encoding: binary{Crlf}{Crlf}");
            var entity = action.Entity;
            var entityUrl = $"{baseUrl}/{table}(PartitionKey='{TableRestClient.EscapeKey(entity.PartitionKey)}',RowKey='{TableRestClient.EscapeKey(entity.RowKey)}')";
            var (method, url, ifMatch, hasBody) = action.ActionType switch
            {
                TableTransactionActionType.Add => ("POST", $"{baseUrl}/{table}", null, true),
                TableTransactionActionType.UpsertMerge => ("MERGE", entityUrl, null, true),
                TableTransactionActionType.UpsertReplace => ("PUT", entityUrl, null, true),
                TableTransactionActionType.UpdateMerge => ("MERGE", entityUrl, TableClient.IfMatchValue(action.ETag), true),
                TableTransactionActionType.UpdateReplace => ("PUT", entityUrl, TableClient.IfMatchValue(action.ETag), true),
                TableTransactionActionType.Delete => ("DELETE", entityUrl, TableClient.IfMatchValue(action.ETag), false),
                _ => throw new ArgumentOutOfRangeException(nameof(actions), action.ActionType, "Unknown action type."),
            };

            Write($"{method} {url} HTTP/1.1{Crlf}");
            if (hasBody)
            {
                Write($"Content-Type: application/json{Crlf}");
            }

            Write($"Accept: {TableRestClient.JsonMinimalMetadata}{Crlf}");
            if (method == "POST")
            {
                Write($"Prefer: return-no-content{Crlf}");
            }

            if (ifMatch is not null)
            {
                Write($"If-Match: {ifMatch}{Crlf}");
            }

            Write($"DataServiceVersion: 3.0;{Crlf}{Crlf}");
            if (hasBody)
            {
                stream.Write(TableEntityJson.Serialize(entity));
                Write(Crlf);
            }
        }

        Write($"--{changesetBoundary}--{Crlf}");
        Write($"--{batchBoundary}--{Crlf}");
        return stream.ToArray();
    }

    /// <summary>Turns the service's answer into one result per action, or throws <see cref="TableTransactionFailedException"/>.</summary>
    public static IReadOnlyList<TableTransactionResult> ReadResponse(Response response, IReadOnlyList<TableTransactionAction> actions)
    {
        if (response.Status != 202)
        {
            var (code, text) = TableRestClient.ReadError(response);
            throw Failure(response.Status, code, text, actions);
        }

        response.Headers.TryGetValue(HttpHeader.Names.ContentType, out var contentType);
        var parts = ParseMultipart(contentType ?? string.Empty, response.Content.ToString());
        return ToResults(parts, actions);
    }

    internal static IReadOnlyList<TableTransactionResult> ToResults(IReadOnlyList<HttpPart> parts, IReadOnlyList<TableTransactionAction> actions)
    {
        foreach (var part in parts)
        {
            if (part.Status >= 400)
            {
                var (code, text) = TableRestClient.ReadOdataError(Encoding.UTF8.GetBytes(part.Body));
                throw Failure(part.Status, code, text, actions);
            }
        }

        if (parts.Count != actions.Count)
        {
            throw new RequestFailedException(
                202,
                $"The transaction response has {parts.Count} operation responses for {actions.Count} actions.",
                null,
                null);
        }

        var results = new TableTransactionResult[parts.Count];
        for (var i = 0; i < parts.Count; i++)
        {
            var etag = parts[i].Headers.TryGetValue("ETag", out var value) ? new ETag(value) : default;
            results[i] = new TableTransactionResult(actions[i], parts[i].Status, etag);
        }

        return results;
    }

    private static TableTransactionFailedException Failure(int status, string? code, string? text, IReadOnlyList<TableTransactionAction> actions)
    {
        int? index = null;
        if (text is not null && IndexPrefix().Match(text) is { Success: true } match
            && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            index = parsed;
            text = text[match.Length..];
        }

        var action = index is { } i && i >= 0 && i < actions.Count ? actions[i] : null;
        var where = action is null ? string.Empty : $" at action {index} ({action.ActionType})";
        var message = $"The transaction failed{where}: {status} {code}. {text} No action was applied.";
        return new TableTransactionFailedException(status, message, code, index, action);
    }

    /// <summary>One HTTP response inside a multipart body.</summary>
    internal sealed record HttpPart(int Status, IReadOnlyDictionary<string, string> Headers, string Body);

    /// <summary>
    /// Reads a <c>multipart/mixed</c> batch response: the batch part holds a changeset (itself multipart) or a single
    /// <c>application/http</c> part; each of those holds a status line, headers and a body. Accepts CRLF or LF.
    /// </summary>
    internal static List<HttpPart> ParseMultipart(string contentType, string body)
    {
        var boundary = Boundary(contentType)
                       ?? throw new FormatException("The transaction response's Content-Type has no multipart boundary.");
        var parts = new List<HttpPart>();
        foreach (var (headers, content) in SplitParts(body, boundary))
        {
            headers.TryGetValue("Content-Type", out var partType);
            if (partType is not null && partType.StartsWith("multipart/mixed", StringComparison.OrdinalIgnoreCase))
            {
                var changesetBoundary = Boundary(partType)
                                        ?? throw new FormatException("A changeset in the transaction response has no boundary.");
                foreach (var (_, inner) in SplitParts(content, changesetBoundary))
                {
                    parts.Add(ReadHttp(inner));
                }
            }
            else
            {
                parts.Add(ReadHttp(content));
            }
        }

        return parts;
    }

    private static string? Boundary(string contentType)
    {
        foreach (var parameter in contentType.Split(';'))
        {
            var trimmed = parameter.Trim();
            if (trimmed.StartsWith("boundary=", StringComparison.OrdinalIgnoreCase))
            {
                return trimmed["boundary=".Length..].Trim('"');
            }
        }

        return null;
    }

    private static IEnumerable<(Dictionary<string, string> Headers, string Content)> SplitParts(string body, string boundary)
    {
        var delimiter = "--" + boundary;
        var pieces = body.Split(delimiter);
        for (var i = 1; i < pieces.Length; i++)
        {
            var piece = pieces[i];
            if (piece.StartsWith("--", StringComparison.Ordinal))
            {
                yield break; // the closing delimiter
            }

            piece = StripLeadingNewline(piece);
            if (piece.EndsWith("\r\n", StringComparison.Ordinal))
            {
                piece = piece[..^2];
            }
            else if (piece.EndsWith('\n'))
            {
                piece = piece[..^1];
            }

            var position = 0;
            var headers = ReadHeaders(piece, ref position);
            yield return (headers, piece[position..]);
        }
    }

    private static HttpPart ReadHttp(string text)
    {
        var position = 0;
        var statusLine = ReadLine(text, ref position)
                         ?? throw new FormatException("An operation response in the transaction response is empty.");
        var fields = statusLine.Split(' ', 3);
        if (fields.Length < 2 || !fields[0].StartsWith("HTTP/", StringComparison.Ordinal)
            || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            throw new FormatException("An operation response in the transaction response has no HTTP status line.");
        }

        var headers = ReadHeaders(text, ref position);
        return new HttpPart(status, headers, text[position..].TrimEnd('\r', '\n'));
    }

    private static Dictionary<string, string> ReadHeaders(string text, ref int position)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (ReadLine(text, ref position) is { Length: > 0 } line)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        return headers;
    }

    /// <summary>The next line without its CRLF or LF, or null at the end.</summary>
    private static string? ReadLine(string text, ref int position)
    {
        if (position >= text.Length)
        {
            return null;
        }

        var end = text.IndexOf('\n', position);
        string line;
        if (end < 0)
        {
            line = text[position..];
            position = text.Length;
        }
        else
        {
            line = text[position..end];
            position = end + 1;
        }

        return line.TrimEnd('\r');
    }

    private static string StripLeadingNewline(string text) =>
        text.StartsWith("\r\n", StringComparison.Ordinal) ? text[2..] : text.StartsWith('\n') ? text[1..] : text;

    [GeneratedRegex(@"^(\d+):")]
    private static partial Regex IndexPrefix();
}
