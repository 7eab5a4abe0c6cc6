using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace AlertPipeline.Cli.Api;

/// <summary>
/// The organiser HTTP API (docs/api.md) over an <see cref="HttpClient"/>: every request carries the key
/// (<c>Authorization: ApiKey …</c>); a refusal throws <see cref="ApiProblemException"/> with the problem's title and named
/// fields; an unreachable API throws <see cref="CliException"/> with <see cref="ExitCodes.Unreachable"/>. Tests hand it a
/// client over a WebApplicationFactory's handler or a recording handler.
/// </summary>
public sealed class ApiClient
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;
    private readonly string _key;

    public ApiClient(HttpClient http, Uri apiUrl, string key)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(apiUrl);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        _http = http;
        _key = key;
        BaseUri = ApiBase(apiUrl);
    }

    /// <summary>The API's root, always ending in <c>/api/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary><c>https://app.example.org</c> and <c>https://app.example.org/api</c> both become <c>…/api/</c>.</summary>
    public static Uri ApiBase(Uri apiUrl)
    {
        ArgumentNullException.ThrowIfNull(apiUrl);
        var path = apiUrl.AbsolutePath.TrimEnd('/');
        if (!path.EndsWith("/api", StringComparison.OrdinalIgnoreCase))
        {
            path += "/api";
        }

        return new UriBuilder(apiUrl) { Path = path + "/", Query = string.Empty, Fragment = string.Empty }.Uri;
    }

    // Union admin: branches, contacts, keys, audit, subscriptions.
    public Task<ItemsPage<BranchItem>> ListBranchesAsync(string union, CancellationToken cancellationToken = default) =>
        GetAsync<ItemsPage<BranchItem>>(Path("unions", union, "branches"), cancellationToken);

    public Task<BranchItem> AddBranchAsync(string union, string branchId, string name, CancellationToken cancellationToken = default) =>
        SendJsonAsync<BranchItem>(HttpMethod.Post, Path("unions", union, "branches"), new { branchId, name }, cancellationToken);

    public Task<ItemsPage<ContactItem>> ListContactsAsync(
        string union, string branch, int pageSize, string? continuationToken, CancellationToken cancellationToken = default) =>
        GetAsync<ItemsPage<ContactItem>>(
            Path("unions", union, "branches", branch, "contacts") + Query(("pageSize", pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("continuationToken", continuationToken)),
            cancellationToken);

    /// <summary>
    /// Uploads a CSV file (<c>text/csv</c>), reporting the bytes sent to <paramref name="progress"/>: the report (200) of a
    /// small file, or the job (202) the API made of a large one.
    /// </summary>
    public async Task<ImportStart> ImportContactsAsync(
        string union, string branch, Stream csv, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        using var content = new ProgressStreamContent(csv, progress);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv") { CharSet = "utf-8" };
        using var response = await SendAsync(HttpMethod.Post, Path("unions", union, "branches", branch, "contacts") + ":import", content, null, cancellationToken).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.Accepted
            ? new ImportStart(null, await ReadAsync<ImportJobItem>(response, cancellationToken).ConfigureAwait(false))
            : new ImportStart(await ReadAsync<ImportReport>(response, cancellationToken).ConfigureAwait(false), null);
    }

    /// <summary>An import job with one page of its report (<paramref name="continuationToken"/> from the previous page, or null).</summary>
    public Task<ImportJobItem> GetImportJobAsync(string union, string jobId, int pageSize, string? continuationToken, CancellationToken cancellationToken = default) =>
        GetAsync<ImportJobItem>(
            Path("unions", union, "imports", jobId) + Query(("pageSize", pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("continuationToken", continuationToken)),
            cancellationToken);

    /// <summary>An import job with its whole report (every page).</summary>
    public async Task<ImportJobItem> GetImportJobReportAsync(string union, string jobId, CancellationToken cancellationToken = default)
    {
        var (errors, warnings) = (new List<ImportLineError>(), new List<ImportLineError>());
        ImportJobItem page;
        string? token = null;
        do
        {
            page = await GetImportJobAsync(union, jobId, 1000, token, cancellationToken).ConfigureAwait(false);
            errors.AddRange(page.Errors);
            warnings.AddRange(page.Warnings);
            token = page.ContinuationToken;
        }
        while (token is not null);

        return page with { Errors = errors, Warnings = warnings, ContinuationToken = null };
    }

    /// <summary>Erases a contact and the personal data of its delivery rows (idempotent).</summary>
    public Task<ErasureResult> EraseContactAsync(string union, string branch, string contact, CancellationToken cancellationToken = default) =>
        SendJsonAsync<ErasureResult>(HttpMethod.Post, Path("unions", union, "branches", branch, "contacts", contact) + ":erase", null, cancellationToken);

    public Task<ItemsPage<KeyItem>> ListKeysAsync(string union, CancellationToken cancellationToken = default) =>
        GetAsync<ItemsPage<KeyItem>>(Path("unions", union, "keys"), cancellationToken);

    public Task<CreatedKey> CreateKeyAsync(string union, string role, CancellationToken cancellationToken = default) =>
        SendJsonAsync<CreatedKey>(HttpMethod.Post, Path("unions", union, "keys"), new { role }, cancellationToken);

    public Task<CreatedKey> RotateKeyAsync(string union, string keyId, CancellationToken cancellationToken = default) =>
        SendJsonAsync<CreatedKey>(HttpMethod.Post, Path("unions", union, "keys", keyId, "rotate"), null, cancellationToken);

    public Task RevokeKeyAsync(string union, string keyId, CancellationToken cancellationToken = default) =>
        SendNoContentAsync(HttpMethod.Delete, Path("unions", union, "keys", keyId), null, cancellationToken);

    public Task<ItemsPage<AuditItem>> ReadAuditAsync(string union, int limit, string? continuationToken, CancellationToken cancellationToken = default) =>
        GetAsync<ItemsPage<AuditItem>>(
            Path("unions", union, "audit") + Query(("limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("continuationToken", continuationToken)),
            cancellationToken);

    public Task<ItemsPage<SubscriptionItem>> ListSubscriptionsAsync(string union, CancellationToken cancellationToken = default) =>
        GetAsync<ItemsPage<SubscriptionItem>>(Path("unions", union, "subscriptions"), cancellationToken);

    /// <summary>Subscribes the whole union, or only <paramref name="branch"/>, to a campaign.</summary>
    public Task SubscribeAsync(string union, string campaign, string? branch, CancellationToken cancellationToken = default) =>
        SendNoContentAsync(HttpMethod.Put, SubscriptionPath(union, campaign, branch), null, cancellationToken);

    public Task UnsubscribeAsync(string union, string campaign, string? branch, CancellationToken cancellationToken = default) =>
        SendNoContentAsync(HttpMethod.Delete, SubscriptionPath(union, campaign, branch), null, cancellationToken);

    // Campaign membership (union-admin): the owner admits, the joining union asks.
    public Task<ItemsPage<MemberItem>> ListMembersAsync(string union, string campaign, CancellationToken cancellationToken = default) =>
        GetAsync<ItemsPage<MemberItem>>(Path("unions", union, "campaigns", campaign, "members"), cancellationToken);

    /// <summary>The owner invites <paramref name="member"/>, or approves its request.</summary>
    public Task<MemberItem> AdmitAsync(string union, string campaign, string member, CancellationToken cancellationToken = default) =>
        SendJsonAsync<MemberItem>(HttpMethod.Put, Path("unions", union, "campaigns", campaign, "members", member), null, cancellationToken);

    public Task RemoveMemberAsync(string union, string campaign, string member, CancellationToken cancellationToken = default) =>
        SendNoContentAsync(HttpMethod.Delete, Path("unions", union, "campaigns", campaign, "members", member), null, cancellationToken);

    /// <summary>The union asks to join, or accepts the owner's invitation.</summary>
    public Task<MemberItem> JoinAsync(string union, string campaign, CancellationToken cancellationToken = default) =>
        SendJsonAsync<MemberItem>(HttpMethod.Put, Path("unions", union, "campaigns", campaign, "membership"), null, cancellationToken);

    public Task LeaveAsync(string union, string campaign, CancellationToken cancellationToken = default) =>
        SendNoContentAsync(HttpMethod.Delete, Path("unions", union, "campaigns", campaign, "membership"), null, cancellationToken);

    public Task SetOpenAsync(string union, string campaign, bool open, CancellationToken cancellationToken = default) =>
        SendNoContentAsync(open ? HttpMethod.Put : HttpMethod.Delete, Path("unions", union, "campaigns", campaign, "open"), null, cancellationToken);

    // Bootstrap admin (the admin secret as the key): unions and campaigns.
    public Task<UnionItem> AddUnionAsync(string unionId, string name, CancellationToken cancellationToken = default) =>
        SendJsonAsync<UnionItem>(HttpMethod.Post, "unions", new { unionId, name }, cancellationToken);

    public Task<ItemsPage<CampaignItem>> ListAllCampaignsAsync(CancellationToken cancellationToken = default) =>
        GetAsync<ItemsPage<CampaignItem>>("campaigns", cancellationToken);

    public Task<CampaignItem> AddCampaignAsync(CampaignItem campaign, CancellationToken cancellationToken = default) =>
        SendJsonAsync<CampaignItem>(HttpMethod.Post, "campaigns", campaign, cancellationToken);

    // Organiser: campaigns, schedules, preview, send, reports.
    public Task<ItemsPage<UnionCampaignItem>> ListCampaignsAsync(string union, CancellationToken cancellationToken = default) =>
        GetAsync<ItemsPage<UnionCampaignItem>>(Path("unions", union, "campaigns"), cancellationToken);

    public Task<JsonElement> ListSchedulesAsync(string union, string campaign, CancellationToken cancellationToken = default) =>
        GetAsync<JsonElement>(Path("unions", union, "campaigns", campaign, "schedules"), cancellationToken);

    public Task<JsonElement> GetScheduleAsync(string union, string campaign, string schedule, CancellationToken cancellationToken = default) =>
        GetAsync<JsonElement>(Path("unions", union, "campaigns", campaign, "schedules", schedule), cancellationToken);

    public Task<JsonElement> CreateScheduleAsync(string union, string campaign, JsonElement schedule, CancellationToken cancellationToken = default) =>
        SendJsonAsync<JsonElement>(HttpMethod.Post, Path("unions", union, "campaigns", campaign, "schedules"), schedule, cancellationToken);

    /// <summary>Moves a trial's hearing (<paramref name="hearing"/> local time, <c>2027-03-14T09:30</c>).</summary>
    public Task<JsonElement> PostponeScheduleAsync(string union, string campaign, string schedule, string hearing, bool notify, CancellationToken cancellationToken = default) =>
        SendJsonAsync<JsonElement>(HttpMethod.Post, Path("unions", union, "campaigns", campaign, "schedules", schedule) + ":postpone", new { hearing, notify }, cancellationToken);

    public Task<JsonElement> CancelScheduleAsync(string union, string campaign, string schedule, bool notify, CancellationToken cancellationToken = default) =>
        SendJsonAsync<JsonElement>(HttpMethod.Post, Path("unions", union, "campaigns", campaign, "schedules", schedule) + ":cancel", new { notify }, cancellationToken);

    public Task<JsonElement> PreviewAsync(string union, string campaign, JsonElement alertEvent, CancellationToken cancellationToken = default) =>
        SendJsonAsync<JsonElement>(HttpMethod.Post, Path("unions", union, "campaigns", campaign, "preview"), alertEvent, cancellationToken);

    public Task<SentAlert> SendAlertAsync(string union, string campaign, JsonElement alertEvent, CancellationToken cancellationToken = default) =>
        SendJsonAsync<SentAlert>(HttpMethod.Post, Path("unions", union, "campaigns", campaign, "alerts"), alertEvent, cancellationToken);

    public Task<JsonElement> GetReportAsync(string union, string alertId, CancellationToken cancellationToken = default) =>
        GetAsync<JsonElement>(Path("unions", union, "alerts", alertId, "report"), cancellationToken);

    /// <summary>
    /// Gives the union's poisoned fan-out chunks of the alert, and its poisoned dispatch batches and status callbacks, a fresh
    /// re-drive budget (202 <c>chunksToRedrive</c>, <c>batchesToRedrive</c>, <c>statusesToRedrive</c>).
    /// </summary>
    public Task<JsonElement> RedriveFanOutAsync(string union, string alertId, CancellationToken cancellationToken = default) =>
        SendJsonAsync<JsonElement>(HttpMethod.Post, Path("unions", union, "alerts", alertId, "fanout", "redrive"), new { }, cancellationToken);

    /// <summary>The delivery report as CSV (<c>Accept: text/csv</c>, <c>?format=csv</c>), streamed into <paramref name="destination"/>.</summary>
    public async Task GetReportCsvAsync(string union, string alertId, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var response = await SendAsync(HttpMethod.Get, Path("unions", union, "alerts", alertId, "report") + "?format=csv", null, "text/csv", cancellationToken).ConfigureAwait(false);
        await response.Content.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
    }

    private static string SubscriptionPath(string union, string campaign, string? branch) =>
        branch is null
            ? Path("unions", union, "subscriptions", campaign)
            : Path("unions", union, "branches", branch, "subscriptions", campaign);

    /// <summary>A relative path of escaped segments (an id can never add a segment or a query).</summary>
    private static string Path(params string[] segments) => string.Join('/', segments.Select(Uri.EscapeDataString));

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var present = parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return present.Count == 0 ? string.Empty : "?" + string.Join('&', present);
    }

    private async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, "application/json", cancellationToken).ConfigureAwait(false);
        return await ReadAsync<T>(response, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> SendJsonAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var content = body is null ? null : JsonContent(body);
        using var response = await SendAsync(method, path, content, "application/json", cancellationToken).ConfigureAwait(false);
        return await ReadAsync<T>(response, cancellationToken).ConfigureAwait(false);
    }

    private async Task SendNoContentAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var content = body is null ? null : JsonContent(body);
        using var response = await SendAsync(method, path, content, "application/json", cancellationToken).ConfigureAwait(false);
    }

    private static StringContent JsonContent(object body) =>
        new(JsonSerializer.Serialize(body, Json), Encoding.UTF8, "application/json");

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, string? accept, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(BaseUri, path)) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", _key);
        if (accept is not null)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/problem+json"));
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new CliException($"Could not reach the API at {BaseUri}: {ex.Message}", ExitCodes.Unreachable, ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"The API at {BaseUri} did not answer within {_http.Timeout.TotalSeconds:0} s.", ExitCodes.Unreachable, ex);
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await ReadProblemAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }

        return response;
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize<T>(text, Json) ?? throw new JsonException("empty body");
        }
        catch (JsonException ex)
        {
            throw new CliException($"The API answered {(int)response.StatusCode} with a body this CLI does not understand ({ex.Message}).");
        }
    }

    /// <summary>A problem+json body's title, detail and <c>errors[]</c>; any other body gives the status's reason phrase.</summary>
    internal static async Task<ApiProblemException> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = response.StatusCode;
        var title = response.ReasonPhrase is { Length: > 0 } reason ? reason : status.ToString();
        string? detail = null;
        var errors = new List<ApiFieldError>();
        var mediaType = response.Content.Headers.ContentType?.MediaType ?? string.Empty;
        if (mediaType.EndsWith("json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object)
                {
                    title = root.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : title;
                    detail = root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                    if (root.TryGetProperty("errors", out var list) && list.ValueKind == JsonValueKind.Array)
                    {
                        errors.AddRange(list.EnumerateArray()
                            .Where(e => e.ValueKind == JsonValueKind.Object)
                            .Select(e => new ApiFieldError(
                                e.TryGetProperty("field", out var f) ? f.GetString() ?? "?" : "?",
                                e.TryGetProperty("message", out var m) ? m.GetString() ?? string.Empty : string.Empty)));
                    }
                }
            }
            catch (JsonException)
            {
                // Not the problem body it claimed to be: the status line says enough.
            }
        }

        return new ApiProblemException(status, title, detail, errors);
    }

    /// <summary>Streams a body and reports how many bytes have gone out.</summary>
    private sealed class ProgressStreamContent(Stream source, IProgress<long>? progress) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            await SerializeToStreamAsync(stream, context, CancellationToken.None).ConfigureAwait(false);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            var buffer = new byte[64 * 1024];
            long sent = 0;
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                sent += read;
                progress?.Report(sent);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            if (source.CanSeek)
            {
                length = source.Length - source.Position;
                return true;
            }

            length = 0;
            return false;
        }
    }
}
