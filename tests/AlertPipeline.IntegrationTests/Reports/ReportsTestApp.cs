using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Infrastructure.Api;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace AlertPipeline.IntegrationTests.Reports;

/// <summary>
/// The function app on Azurite (own table prefix, outbox in a temporary folder, 2 contacts per fan-out page, a price per
/// SMS segment) plus helpers to seed unions and contacts and to drive the real Core handlers (fan-out, send, callbacks).
/// </summary>
public sealed class ReportsTestApp : IAsyncLifetime
{
    public const decimal Price = 0.0525m;
    private readonly string _prefix = AzuriteFixture.UniqueName("rep");
    private readonly string _outbox = Path.Combine(Path.GetTempPath(), AzuriteFixture.UniqueName("outbox"));
    private string _connectionString = null!;

    public TestAppServer Factory { get; private set; } = null!;

    /// <summary>The storage (Azurite) and table prefix of this app, for a second app on the same tables.</summary>
    public (string ConnectionString, string Prefix) Storage => (_connectionString, _prefix);

    public HttpClient Client { get; private set; } = null!;

    public MembershipRepository Membership => Service<MembershipRepository>();

    public IDeliveryStore Deliveries => Service<IDeliveryStore>();

    public RecipientHasher Hasher => Service<RecipientHasher>();

    public T Service<T>()
        where T : notnull => Factory.Services.GetRequiredService<T>();

    public async Task InitializeAsync()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        _connectionString = azurite.ConnectionString;
        Factory = TestFunctionApps.Create(azurite.ConnectionString, _prefix, new Dictionary<string, string>
        {
            ["Pipeline:FanOutPageSize"] = "2",
            ["Pipeline:SmsPricePerSegment"] = Price.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Pipeline:SmsPriceCurrency"] = "EUR",
            ["Outbox:Directory"] = _outbox,
        });
        Client = Factory.CreateClient();
    }

    public async Task DisposeAsync()
    {
        await TestFunctionApps.DeleteTablesAsync(Factory, _connectionString, _prefix);
        Client.Dispose();
        await Factory.DisposeAsync();
        if (Directory.Exists(_outbox))
        {
            Directory.Delete(_outbox, recursive: true);
        }
    }

    /// <summary>A union (unique id) with the given branches, an organiser key and a union-admin key.</summary>
    public async Task<ReportsUnion> NewUnionAsync(params string[] branches)
    {
        var unionId = UnionId.Parse(AzuriteFixture.UniqueName("u"));
        await Membership.UpsertUnionAsync(new Union(unionId, "Union " + unionId));
        foreach (var branch in branches)
        {
            await Membership.UpsertBranchAsync(new Branch(unionId, BranchId.Parse(branch), "Branch " + branch));
        }

        var keys = Service<ApiKeyService>();
        var admin = await keys.CreateAsync(unionId, ApiRole.UnionAdmin);
        var organiser = await keys.CreateAsync(unionId, ApiRole.Organiser);
        return new ReportsUnion(unionId, admin.Secret, organiser.Secret);
    }

    /// <summary>A new campaign owned by <paramref name="owner"/> (null: no owner, as a campaign stored before owners).</summary>
    public async Task<CampaignId> NewCampaignAsync(UnionId? owner, string defaultLanguage = "en")
    {
        var campaignId = CampaignId.Parse(AzuriteFixture.UniqueName("camp"));
        await Membership.UpsertCampaignAsync(new Campaign(campaignId, "Free the oil workers", "help@example.org", LanguageTag.Parse(defaultLanguage)) { OwnerUnionId = owner });
        return campaignId;
    }

    public Task SubscribeAsync(CampaignId campaignId, UnionId unionId, string? branch = null) =>
        Membership.UpsertSubscriptionAsync(new Subscription(campaignId, unionId, branch is null ? null : BranchId.Parse(branch)));

    public async Task<Contact> AddContactAsync(
        UnionId unionId, string branch, string contactId, string? phone, string? email, string language = "en",
        bool smsConsent = true, bool emailConsent = true, PhoneNumberError? invalidPhone = null)
    {
        var contact = new Contact
        {
            UnionId = unionId,
            BranchId = BranchId.Parse(branch),
            ContactId = ContactId.Parse(contactId),
            Name = "Member " + contactId,
            Phone = phone is null ? null : PhoneNumber.Parse(phone),
            Email = email is null ? null : EmailAddress.Parse(email),
            Language = LanguageTag.Parse(language),
            TimeZone = TimeZoneId.Parse("Asia/Aqtau"),
            Consent = new Consent(smsConsent, emailConsent),
        };
        await Membership.UpsertContactAsync(new ContactEntry(contact, invalidPhone));
        return contact;
    }

    public Task OptOutAsync(Contact contact, Channel channel) =>
        Service<IOptOutStore>().OptOutAsync(Hasher.HashFor(contact, channel)!, channel, OptOutSource.Keyword, SystemClock.Instance.GetCurrentInstant());

    /// <summary>Runs the real fan-out for <paramref name="eventJson"/>: FanOut, then each chunk and its next pages in order.</summary>
    public async Task<AlertId> FanOutAsync(string eventJson)
    {
        var accepted = await Service<FanOutHandler>().HandleAsync(eventJson, null, default);
        accepted.Outcome.Should().Be(FanOutOutcome.Accepted, string.Join("; ", accepted.Errors));
        var chunks = Service<FanOutChunkHandler>();
        foreach (var first in accepted.Chunks)
        {
            for (FanOutChunk? chunk = first; chunk is not null;)
            {
                chunk = (await chunks.HandleAsync(chunk, default)).Next;
            }
        }

        return accepted.AlertId!;
    }

    /// <summary>Sends every Pending row of the alert through the real senders (outbox gateways).</summary>
    public async Task SendAllAsync(AlertId alertId)
    {
        foreach (var row in (await RowsAsync(alertId)).Where(r => r.Status == DeliveryStatus.Pending))
        {
            _ = row.Channel == Channel.Sms
                ? await Service<SendSmsHandler>().HandleAsync(row.Key, default)
                : await Service<SendEmailHandler>().HandleAsync(row.Key, default);
        }
    }

    /// <summary>A Twilio status callback for the row (e.g. <c>undelivered</c> with <c>30003</c>), about the message the row sent.</summary>
    public async Task CallbackAsync(DeliveryKey key, string status, string? errorCode = null)
    {
        var sid = (await Deliveries.GetAsync(key))?.Record.ProviderId ?? "SM" + new string('0', 32);
        await Service<TwilioStatusCallbackHandler>().HandleAsync(new StatusCallback(key.Value, status, errorCode, sid), default);
    }

    public async Task<List<DeliveryRecord>> RowsAsync(AlertId alertId)
    {
        var rows = new List<DeliveryRecord>();
        string? token = null;
        do
        {
            var page = await Deliveries.GetPageAsync(alertId, 1000, token);
            rows.AddRange(page.Rows);
            token = page.ContinuationToken;
        }
        while (token is not null);

        return rows;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key, HttpContent? content = null, string? accept = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        }

        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        return await Client.SendAsync(request);
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    /// <summary>
    /// A send-now event (no campaignId: it comes from the route) for the campaign, SMS and email, in English (GSM-7) and
    /// Kazakh (Cyrillic: UCS-2), occurring in 2031 so it never expires during a test run.
    /// </summary>
    public static string EventJson(string eventId, CampaignId? campaignId = null) => $$$"""
        {
          "schemaVersion": 1,
          "eventId": "{{{eventId}}}",
          "kind": "trial-date",
          "occurredAt": "2026-01-01T06:00:00Z",
          {{{(campaignId is null ? string.Empty : $"\"campaignId\": \"{campaignId}\",")}}}
          "occurrence": { "localDateTime": "2031-03-10T10:00", "timeZone": "Asia/Aqtau" },
          "reminder": "day-before",
          "channels": ["sms", "email"],
          "variables": { "link": "https://example.org/appeal" },
          "templates": {
            "en": {
              "sms": "{{name}}: the appeal is heard on {{date}} at {{time}}. Support: {{link}}",
              "email": { "subject": "Appeal on {{date}}", "text": "Dear {{name}}, the appeal is heard on {{date}} at {{time}}. {{link}}" }
            },
            "kk": {
              "sms": "{{name}}, {{date}} {{time}}: апелляциялық сот отырысы. Қолдау көрсетіңіз: {{link}}",
              "email": { "subject": "Апелляция {{date}}", "text": "{{name}}, {{date}} {{time}}: апелляция. {{link}}" }
            }
          }
        }
        """;
}

public sealed record ReportsUnion(UnionId UnionId, string AdminKey, string OrganiserKey)
{
    public string Base => $"/api/unions/{UnionId}";
}
