using System.Text.Json;
using AlertPipeline.Infrastructure.Api;

namespace AlertPipeline.Functions.Api;

/// <summary>RFC 7807 <c>application/problem+json</c> answers; a field error names the field in <c>errors[].field</c>.</summary>
public static class ApiProblems
{
    public static IResult Unauthorized(string detail) => Problem(StatusCodes.Status401Unauthorized, "Unauthorized", detail);

    public static IResult Forbidden(string detail) => Problem(StatusCodes.Status403Forbidden, "Forbidden", detail);

    /// <summary>The one answer for anything the caller may not know exists (other unions' data included).</summary>
    public static IResult NotFound() => Problem(StatusCodes.Status404NotFound, "Not Found", "No such resource.");

    /// <summary>
    /// 503 for a read-only request that could not answer within its time (<see cref="Hosting.RequestArrival.AnswerByAsync"/>):
    /// the store was too slow for even the first reads, so nothing is known to answer with.
    /// </summary>
    public static IResult Busy(TimeSpan answerWithin, int retryAfterSeconds) => Problem(
        StatusCodes.Status503ServiceUnavailable,
        "Service Unavailable",
        $"The storage did not answer within {answerWithin.TotalSeconds:0.#} s of the request's arrival; nothing was counted yet. Try again in {retryAfterSeconds} s.",
        new Dictionary<string, object?> { ["retryAfterSeconds"] = retryAfterSeconds });

    /// <summary>
    /// 503 for a read-only request whose storage reads failed after the storage client's retries
    /// (<see cref="Hosting.RequestArrival.IsStorageUnavailable"/>): nothing is known to answer with.
    /// </summary>
    public static IResult StorageUnavailable(int retryAfterSeconds) => Problem(
        StatusCodes.Status503ServiceUnavailable,
        "Service Unavailable",
        $"The storage could not answer (its reads failed after their retries); nothing was counted yet. Try again in {retryAfterSeconds} s.",
        new Dictionary<string, object?> { ["retryAfterSeconds"] = retryAfterSeconds });

    public static IResult Conflict(string detail) => Problem(StatusCodes.Status409Conflict, "Conflict", detail);

    /// <summary>413 naming the limit: its bytes (in <c>detail</c> and as <c>limit</c>) and the setting that holds it (<c>limitName</c>).</summary>
    public static IResult TooLarge(int limit, string limitName = RequestLimits.JsonSetting) =>
        Problem(
            StatusCodes.Status413PayloadTooLarge,
            "Payload Too Large",
            $"The request body is larger than {limit} bytes, the limit of this endpoint ({limitName}).",
            new Dictionary<string, object?> { ["limit"] = limit, ["limitName"] = limitName });

    public static IResult TooLarge(string detail) => Problem(StatusCodes.Status413PayloadTooLarge, "Payload Too Large", detail);

    public static IResult UnsupportedMediaType(string expected) =>
        Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type", $"Send the body as {expected}.");

    public static IResult UnsupportedCharset(string charset) =>
        Problem(
            StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type",
            $"The charset '{(charset.Length <= 40 ? charset : charset[..40] + "…")}' is not supported; send the body as UTF-8 (charset=utf-8, or no charset).");

    public static IResult Invalid(IEnumerable<FieldError> errors)
    {
        var list = errors.ToList();
        return Problem(
            StatusCodes.Status400BadRequest,
            "Invalid request",
            string.Join("; ", list.Select(e => $"{e.Field}: {e.Message}")),
            new Dictionary<string, object?> { ["errors"] = list.Select(e => new { field = e.Field, message = e.Message }).ToList() });
    }

    public static IResult Invalid(string field, string message) => Invalid([new FieldError(field, message)]);

    private static IResult Problem(int status, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(detail: detail, statusCode: status, title: title, type: $"https://httpstatuses.io/{status}", extensions: extensions);
}

/// <summary>
/// Request bodies, bounded: a body over the limit (by Content-Length or as read) answers 413. Every JSON body of the API
/// is read by <see cref="ReadJsonBytesAsync"/> (and <see cref="ReadJsonAsync{T}"/> on top of it), so the rules hold for
/// every endpoint alike: an empty body → 400 <c>body: is required</c>; a media type other than <c>application/json</c>
/// → 415; a <c>charset</c> other than UTF-8 → 415 naming it; a UTF-8 byte order mark is skipped; malformed JSON or a
/// property that appears twice in one object → 400 naming where; a value of the wrong type (<c>"firstYear":"2012"</c>)
/// or an unknown property → 400 naming the field.
/// </summary>
public static class ApiBodies
{
    public const string JsonMediaType = "application/json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
    };

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };

    public static async Task<(byte[]? Body, IResult? Problem)> ReadAsync(
        HttpRequest request, int limit, CancellationToken cancellationToken, string limitName = RequestLimits.JsonSetting)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > limit)
        {
            return (null, ApiProblems.TooLarge(limit, limitName));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return (null, ApiProblems.TooLarge(limit, limitName));
            }

            buffer.Write(chunk, 0, read);
        }

        return (buffer.ToArray(), null);
    }

    /// <summary>
    /// The request's JSON body as UTF-8 (without a byte order mark), well-formed and with no property twice in one
    /// object; otherwise the problem to answer (400 empty or malformed, 413 too large, 415 not JSON or not UTF-8).
    /// </summary>
    public static async Task<(byte[]? Utf8, IResult? Problem)> ReadJsonBytesAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (body, problem) = await ReadAsync(request, limit, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return (null, problem);
        }

        // An empty body is the caller forgetting it, whatever its Content-Type says (or lacks): say so, not 415.
        var utf8 = body.AsSpan().StartsWith(Utf8Bom) ? body![Utf8Bom.Length..] : body!;
        if (utf8.AsSpan().Trim(JsonWhitespace).IsEmpty)
        {
            return (null, Required());
        }

        if (MediaTypeProblem(request.ContentType) is { } mediaProblem)
        {
            return (null, mediaProblem);
        }

        if (EncodingProblem(utf8) is { } encodingProblem)
        {
            return (null, encodingProblem);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, DocumentOptions);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" (line {line + 1}, byte {ex.BytePositionInLine + 1})" : string.Empty;
            return (null, ApiProblems.Invalid("body", IsTooDeep(utf8) ? $"nests deeper than {DocumentOptions.MaxDepth} levels of objects and arrays{where}" : $"is not valid JSON{where}"));
        }

        using (document)
        {
            var duplicates = new List<FieldError>();
            FindDuplicates(document.RootElement, "$", duplicates);
            return duplicates.Count > 0 ? (null, ApiProblems.Invalid(duplicates)) : (utf8, null);
        }
    }

    /// <summary>
    /// A JSON object body (camelCase) as <typeparamref name="T"/>, read by <see cref="ReadJsonBytesAsync"/>: unknown
    /// properties are refused (a misspelt field must not vanish) and each value must have its field's JSON type
    /// (numbers are numbers, not strings).
    /// </summary>
    public static async Task<(T? Value, IResult? Problem)> ReadJsonAsync<T>(HttpRequest request, int limit, CancellationToken cancellationToken)
        where T : class
    {
        var (utf8, problem) = await ReadJsonBytesAsync(request, limit, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return (null, problem);
        }

        using (var document = JsonDocument.Parse(utf8, DocumentOptions))
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, ApiProblems.Invalid("body", $"must be a JSON object, not {Describe(document.RootElement.ValueKind)}"));
            }

            var fields = JsonFields(typeof(T));
            var unknown = document.RootElement.EnumerateObject()
                .Where(p => !fields.ContainsKey(p.Name))
                .Select(p => new FieldError(SafeName(p.Name), $"is not a known field (expected {string.Join(", ", fields.Keys)}; names are case-sensitive)"))
                .ToList();
            if (unknown.Count > 0)
            {
                return (null, ApiProblems.Invalid(unknown));
            }

            try
            {
                return (JsonSerializer.Deserialize<T>(utf8, Json)!, null);
            }
            catch (JsonException ex)
            {
                var field = Field(ex.Path);
                var top = field.Split('.', '[')[0];
                var expected = fields.TryGetValue(top, out var type) ? Expected(type, field != top) : "has the wrong type";
                var got = document.RootElement.TryGetProperty(top, out var value) && field == top ? $", not {Describe(value.ValueKind)}" : string.Empty;
                return (null, ApiProblems.Invalid(field, expected + got));
            }
        }
    }

    /// <summary>Null when <paramref name="contentType"/> is JSON in UTF-8 (no charset means UTF-8, RFC 8259); else 415 naming what is wrong.</summary>
    internal static IResult? MediaTypeProblem(string? contentType)
    {
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || !mediaType.MediaType.Equals(JsonMediaType, StringComparison.OrdinalIgnoreCase))
        {
            return ApiProblems.UnsupportedMediaType(JsonMediaType);
        }

        var charset = mediaType.Charset.HasValue ? mediaType.Charset.Value!.Trim('"') : null;
        return charset is null || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase)
            ? null
            : ApiProblems.UnsupportedCharset(charset);
    }

    /// <summary>
    /// 400 <c>body</c> when the bytes are not UTF-8 (a UTF-16 body, Latin-1 text): said as such, rather than as a JSON
    /// syntax error or as a string field "of the wrong type" (System.Text.Json checks the UTF-8 of strings only when it
    /// reads them).
    /// </summary>
    private static IResult? EncodingProblem(byte[] utf8)
    {
        if (utf8 is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..])
        {
            return ApiProblems.Invalid("body", "is UTF-16 (it starts with a UTF-16 byte order mark); send the body as UTF-8");
        }

        if (System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return null;
        }

        // Where the first invalid sequence starts: what decodes before it.
        System.Text.Unicode.Utf8.ToUtf16(utf8, new char[utf8.Length], out var valid, out _, replaceInvalidSequences: false);
        return ApiProblems.Invalid("body", $"is not valid UTF-8 (byte {valid + 1}); send the body as UTF-8 (was it written as Latin-1, Windows-1251 or UTF-16?)");
    }

    private static bool IsTooDeep(byte[] utf8)
    {
        try
        {
            using var _ = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 4096 });
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private static ReadOnlySpan<byte> JsonWhitespace => " \t\r\n"u8;

    private static IResult Required() => ApiProblems.Invalid("body", "is required (a JSON object)");

    private static void FindDuplicates(JsonElement element, string path, List<FieldError> errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    var propertyPath = path + "." + SafeName(property.Name);
                    if (!seen.Add(property.Name))
                    {
                        errors.Add(new(Field(propertyPath), "duplicate property: it appears more than once in the object"));
                    }

                    FindDuplicates(property.Value, propertyPath, errors);
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    FindDuplicates(item, $"{path}[{i++}]", errors);
                }

                break;
        }
    }

    /// <summary>
    /// A property name as it may be shown in an answer: names are echoed only when they look like names (letters,
    /// digits, <c>_</c>, <c>-</c>, up to 64, no run of 5 digits), so a phone number or an email sent as a name is not.
    /// </summary>
    internal static string SafeName(string name)
    {
        var digits = 0;
        foreach (var c in name)
        {
            digits = char.IsAsciiDigit(c) ? digits + 1 : 0;
            if (digits >= 5 || !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return "(a property whose name is not shown)";
            }
        }

        return name.Length is > 0 and <= 64 ? name : "(a property whose name is not shown)";
    }

    private static Dictionary<string, Type> JsonFields(Type type) =>
        type.GetProperties().ToDictionary(p => Json.PropertyNamingPolicy!.ConvertName(p.Name), p => p.PropertyType, StringComparer.Ordinal);

    private static string Expected(Type type, bool item)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (item && underlying.IsGenericType && underlying.GetGenericArguments() is [var element])
        {
            underlying = element;
        }

        return underlying switch
        {
            _ when underlying == typeof(int) || underlying == typeof(long) => "must be a whole number",
            _ when underlying == typeof(bool) => "must be true or false",
            _ when underlying == typeof(string) => "must be a string",
            _ when underlying.IsGenericType && underlying.GetGenericArguments() is [var e] && e == typeof(string) => "must be an array of strings",
            _ => "has the wrong type for this field",
        };
    }

    private static string Field(string? path) =>
        path is null || path.Length <= 1 ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    internal static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };
}
