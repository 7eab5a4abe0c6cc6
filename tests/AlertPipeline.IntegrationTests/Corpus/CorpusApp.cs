using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.IntegrationTests.Api;
using AlertPipeline.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AlertPipeline.IntegrationTests.Corpus;

/// <summary>
/// One function app per corpus class on the shared Azurite (its own table prefix), with the Twilio webhook settings, the
/// outbox gateways and a <see cref="LogSink"/> capturing every log line; one union with a branch, admin and organiser
/// keys, and a campaign the union owns and subscribes to.
/// </summary>
public sealed class CorpusApp : IAsyncLifetime
{
    public const string AuthToken = "corpus-auth-token";
    public const string WebhookBase = "https://alerts.example.org";
    private readonly string _prefix = AzuriteFixture.UniqueName("cor");
    private readonly string _outbox = Path.Combine(Path.GetTempPath(), AzuriteFixture.UniqueName("outbox"));
    private string _connectionString = null!;

    public LogSink Logs { get; } = new();

    public TestAppServer Factory { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public TestUnion Union { get; private set; } = null!;

    public CampaignId Campaign { get; private set; } = null!;

    public T Service<T>()
        where T : notnull => Factory.Services.GetRequiredService<T>();

    /// <summary>A function class built as the worker builds it: constructor arguments from the app's services.</summary>
    public T Function<T>() => ActivatorUtilities.CreateInstance<T>(Factory.Services);

    public async Task InitializeAsync()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        _connectionString = azurite.ConnectionString;
        Factory = TestFunctionApps.Create(
            azurite.ConnectionString,
            _prefix,
            new Dictionary<string, string>
            {
                ["Twilio:AuthToken"] = AuthToken,
                ["Twilio:WebhookBaseUrl"] = WebhookBase,
                ["Outbox:Directory"] = _outbox,
            },
            services => services.AddLogging(logging => logging.AddProvider(Logs)));
        Client = Factory.CreateClient();
        Union = await TestFunctionApps.NewUnionAsync(Factory, "central");
        var membership = Service<Infrastructure.Persistence.MembershipRepository>();
        Campaign = CampaignId.Parse(AzuriteFixture.UniqueName("camp"));
        var union = UnionId.Parse(Union.UnionId);
        await membership.UpsertCampaignAsync(new Campaign(Campaign, "Free the oil workers", "help@example.org", LanguageTag.Parse("en")) { OwnerUnionId = union });
        await membership.UpsertSubscriptionAsync(new Subscription(Campaign, union, null));
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

    /// <summary>The log lines written since <paramref name="mark"/> (a count of <see cref="LogSink.Lines"/> taken before).</summary>
    public IReadOnlyList<string> LinesSince(int mark) => [.. Logs.Lines.Skip(mark)];

    /// <summary>
    /// Adds <paramref name="phones"/> as contacts of the union's branch, fans out one SMS alert to them and sends it
    /// through the outbox: their rows are Sent, each with its provider id.
    /// </summary>
    public async Task<IReadOnlyList<DeliveryRecord>> SentSmsRowsAsync(IReadOnlyList<string> phones)
    {
        var membership = Service<Infrastructure.Persistence.MembershipRepository>();
        var union = UnionId.Parse(Union.UnionId);
        for (var i = 0; i < phones.Count; i++)
        {
            await membership.UpsertContactAsync(new ContactEntry(
                new Contact
                {
                    UnionId = union,
                    BranchId = BranchId.Parse(Union.Branch),
                    ContactId = ContactId.Parse($"w{i}"),
                    Name = $"Member {i}",
                    Phone = PhoneNumber.Parse(phones[i]),
                    Language = LanguageTag.Parse("en"),
                    TimeZone = TimeZoneId.Parse("Asia/Aqtau"),
                    Consent = new Consent(true, false),
                },
                null));
        }

        var accepted = await Service<FanOutHandler>().HandleAsync(EventJson("webhook-rows", ["sms"]), null, default);
        accepted.Outcome.Should().Be(FanOutOutcome.Accepted, string.Join("; ", accepted.Errors));
        foreach (var first in accepted.Chunks)
        {
            for (FanOutChunk? chunk = first; chunk is not null;)
            {
                chunk = (await Service<FanOutChunkHandler>().HandleAsync(chunk, default)).Next;
            }
        }

        var rows = (await Service<IDeliveryStore>().GetPageAsync(accepted.AlertId!, 1000, null)).Rows;
        foreach (var row in rows)
        {
            await Service<SendSmsHandler>().HandleAsync(row.Key, default);
        }

        var sent = new List<DeliveryRecord>();
        foreach (var row in rows)
        {
            sent.Add((await Service<IDeliveryStore>().GetAsync(row.Key))!.Record);
        }

        sent.Should().OnlyContain(r => r.Status == DeliveryStatus.Sent && r.ProviderId != null);
        return sent;
    }

    public async Task<bool> IsOptedOutAsync(string phone) =>
        await Service<IOptOutStore>().IsOptedOutAsync(Service<RecipientHasher>().Hash(PhoneNumber.Parse(phone)), Channel.Sms);

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        }

        return await Client.SendAsync(request);
    }

    /// <summary>A valid event for the campaign (occurring in 2031, so it never expires during a run).</summary>
    public string EventJson(string eventId, IReadOnlyList<string> channels) =>
        new JsonObject
        {
            ["schemaVersion"] = 1, ["eventId"] = eventId, ["kind"] = "trial-date", ["occurredAt"] = "2026-01-01T06:00:00Z",
            ["campaignId"] = Campaign.Value,
            ["occurrence"] = new JsonObject { ["localDateTime"] = "2031-03-10T10:00", ["timeZone"] = "Asia/Aqtau" },
            ["reminder"] = "day-before",
            ["channels"] = new JsonArray([.. channels.Select(c => JsonValue.Create(c))]),
            ["templates"] = new JsonObject
            {
                ["en"] = new JsonObject
                {
                    ["sms"] = "{{name}}: the appeal is heard on {{date}}.",
                    ["email"] = new JsonObject { ["subject"] = "Appeal", ["text"] = "Dear {{name}}" },
                },
            },
        }.ToJsonString();
}
