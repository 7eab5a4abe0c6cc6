namespace AlertPipeline.Functions.Api;

/// <summary>
/// The request body limit of every HTTP endpoint (docs/api.md "Limits"), one per class of endpoint:
/// <list type="bullet">
/// <item>every organiser API endpoint, with a JSON body or none: <c>Api:MaxBodyBytes</c> (64 KiB);</item>
/// <item>the CSV import: <c>Api:MaxImportBytes</c> (5 MiB);</item>
/// <item>Twilio's webhooks: <see cref="Functions.TwilioWebhookValidator.MaxBodyBytes"/> (64 KiB);</item>
/// <item>the health probe and the OpenAPI document (no body): <see cref="NoBodyBytes"/>.</item>
/// </list>
/// A declared <c>Content-Length</c> over the limit answers 413 before anything else (authentication included); a body
/// without one is counted while it is read (<see cref="ApiBodies.ReadAsync"/>), and endpoints that take no body never read it.
/// </summary>
public static class RequestLimits
{
    public const string JsonSetting = "Api:MaxBodyBytes";
    public const string ImportSetting = "Api:MaxImportBytes";
    public const string NoBodyName = "no request body";

    /// <summary>The limit of the endpoints that take no body at all (health, OpenAPI).</summary>
    public const int NoBodyBytes = 1024;

    /// <summary>413 naming the limit when the request declares a longer body; otherwise null.</summary>
    public static IResult? Declared(HttpRequest request, int limit, string limitName)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.ContentLength > limit ? ApiProblems.TooLarge(limit, limitName) : null;
    }
}
