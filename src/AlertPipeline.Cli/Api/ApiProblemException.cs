using System.Net;

namespace AlertPipeline.Cli.Api;

/// <summary>One named field of a problem answer (<c>errors[]</c>).</summary>
public sealed record ApiFieldError(string Field, string Message);

/// <summary>
/// The API refused a request. <see cref="Title"/>, <see cref="Detail"/> and <see cref="Errors"/> come from its
/// <c>application/problem+json</c> body when it sent one; the exit code follows the status (docs/cli.md).
/// </summary>
public sealed class ApiProblemException(HttpStatusCode status, string title, string? detail, IReadOnlyList<ApiFieldError> errors)
    : CliException(Describe(status, title, detail), ExitCodeFor(status))
{
    public HttpStatusCode Status { get; } = status;

    public string Title { get; } = title;

    public string? Detail { get; } = detail;

    public IReadOnlyList<ApiFieldError> Errors { get; } = errors;

    /// <summary>What the status means for someone at a terminal, added to the API's own words.</summary>
    public string? Hint => Status switch
    {
        HttpStatusCode.Unauthorized => "The API key is missing, unknown or revoked: check --key or ALERTPIPELINE_API_KEY.",
        HttpStatusCode.Forbidden => "This key's role may not do this: union-admin keys manage branches, contacts, keys and subscriptions; organiser keys send, schedule and report; admin unions|campaigns take the bootstrap admin secret.",
        HttpStatusCode.NotFound => "Not found: check --union and the ids (another union's data answers the same).",
        _ => null,
    };

    public static int ExitCodeFor(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ExitCodes.AccessDenied,
        HttpStatusCode.NotFound => ExitCodes.NotFound,
        _ => ExitCodes.Failed,
    };

    private static string Describe(HttpStatusCode status, string title, string? detail) =>
        $"{(int)status} {title}" + (string.IsNullOrWhiteSpace(detail) ? string.Empty : $": {detail}");
}
