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

    public static IResult Conflict(string detail) => Problem(StatusCodes.Status409Conflict, "Conflict", detail);

    public static IResult TooLarge(int limit) => Problem(StatusCodes.Status413PayloadTooLarge, "Payload Too Large", $"The request body is larger than {limit} bytes.");

    public static IResult UnsupportedMediaType(string expected) =>
        Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type", $"Send the body as {expected}.");

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

/// <summary>Request bodies, bounded: a body over the limit (by Content-Length or as read) answers 413.</summary>
public static class ApiBodies
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow };

    public static async Task<(byte[]? Body, IResult? Problem)> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > limit)
        {
            return (null, ApiProblems.TooLarge(limit));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return (null, ApiProblems.TooLarge(limit));
            }

            buffer.Write(chunk, 0, read);
        }

        return (buffer.ToArray(), null);
    }

    /// <summary>A JSON body (camelCase; unknown properties refused so a misspelt field does not vanish).</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadJsonAsync<T>(HttpRequest request, int limit, CancellationToken cancellationToken)
        where T : class
    {
        if (!(request.ContentType ?? string.Empty).StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, ApiProblems.UnsupportedMediaType("application/json"));
        }

        var (body, problem) = await ReadAsync(request, limit, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return (null, problem);
        }

        try
        {
            return JsonSerializer.Deserialize<T>(body!, Json) is { } value ? (value, null) : (null, ApiProblems.Invalid("body", "must be a JSON object"));
        }
        catch (JsonException ex)
        {
            var path = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.');
            return (null, ApiProblems.Invalid(path, "is not valid JSON for this field (or is not a known field)"));
        }
    }
}
