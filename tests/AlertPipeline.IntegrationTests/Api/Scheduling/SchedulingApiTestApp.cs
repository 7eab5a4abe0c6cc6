using System.Text.Json;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Scheduling.Ports;
using AlertPipeline.Infrastructure.Api;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Infrastructure.Persistence.Schedules;
using AlertPipeline.Infrastructure.Storage;
using Azure.Storage.Queues;
using AlertPipeline.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AlertPipeline.IntegrationTests.Api.Scheduling;

/// <summary>
/// The function app on Azurite for the unions/campaigns/subscriptions/schedules/send-now endpoints: its own table prefix
/// (the schedule tables included), a settable clock, and the <see cref="IAlertEventPublisher"/> writing to a queue of its
/// own (the contract JSON, base64, exactly as on <c>alert-events</c>) so the tests can count what one call enqueued.
/// </summary>
public sealed class SchedulingApiTestApp : IAsyncLifetime
{
    public const string AdminSecret = "test-bootstrap-admin-secret-scheduling-0123";
    private readonly string _prefix = AzuriteFixture.UniqueName("sched");
    private string _connectionString = null!;

    public TestAppServer Factory { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public SettableClock Clock { get; } = new(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));

    public QueueClient AlertQueue { get; private set; } = null!;

    public ApiKeyService Keys => Factory.Services.GetRequiredService<ApiKeyService>();

    public AuditLog Audit => Factory.Services.GetRequiredService<AuditLog>();

    public MembershipRepository Membership => Factory.Services.GetRequiredService<MembershipRepository>();

    public IScheduleStore Schedules => Factory.Services.GetRequiredService<IScheduleStore>();

    /// <summary>The app's schedule store; <see cref="RacingScheduleStore.BeforeNextReplace"/> plays a concurrent writer.</summary>
    public RacingScheduleStore Racing { get; private set; } = null!;

    public IScheduleOccurrenceStore Occurrences => Factory.Services.GetRequiredService<IScheduleOccurrenceStore>();

    public async Task InitializeAsync()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        _connectionString = azurite.ConnectionString;
        AlertQueue = new QueueServiceClient(_connectionString, StorageServiceCollectionExtensions.QueueOptions()).GetQueueClient(AzuriteFixture.UniqueName("alerts"));
        await AlertQueue.CreateIfNotExistsAsync();
        Factory = TestFunctionApps.Create(
            azurite.ConnectionString,
            _prefix,
            new Dictionary<string, string> { ["Api:AdminKeyHash"] = ApiKeyService.Hash(AdminSecret) },
            services =>
            {
                services.RemoveAll<IScheduleStore>();
                services.AddSingleton<IScheduleStore>(sp => Racing = new RacingScheduleStore(sp.GetRequiredService<TableScheduleStore>()));
                services.RemoveAll<IAlertEventPublisher>();
                services.AddSingleton<IAlertEventPublisher>(new QueuePublisher(AlertQueue));
                services.RemoveAll<TimeProvider>();
                services.AddSingleton<TimeProvider>(Clock);
            });
        Client = Factory.CreateClient();
    }

    public async Task DisposeAsync()
    {
        await TestFunctionApps.DeleteTablesAsync(Factory, _connectionString, _prefix);
        await AlertQueue.DeleteIfExistsAsync();
        Client.Dispose();
        await Factory.DisposeAsync();
    }

    /// <summary>A new union with a union-admin key, an organiser key and one branch.</summary>
    public Task<TestUnion> NewUnionAsync(string branch = "central") => TestFunctionApps.NewUnionAsync(Factory, branch);

    /// <summary>
    /// A new campaign (unique id), subscribed to by each of <paramref name="subscribers"/> as a whole union; the first of
    /// them owns it (none: it has no owner, as a campaign stored before owners).
    /// </summary>
    public async Task<string> NewCampaignAsync(params TestUnion[] subscribers)
    {
        var campaignId = CampaignId.Parse(AzuriteFixture.UniqueName("c"));
        var owner = subscribers.Length > 0 ? UnionId.Parse(subscribers[0].UnionId) : null;
        await Membership.UpsertCampaignAsync(new Campaign(campaignId, "Campaign " + campaignId, "help@example.org", LanguageTag.English) { OwnerUnionId = owner });
        foreach (var union in subscribers)
        {
            await Membership.UpsertSubscriptionAsync(new Subscription(campaignId, UnionId.Parse(union.UnionId)));
        }

        return campaignId.Value;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key, object? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = body is null ? null : ApiTestApp.Json(body) };
        if (key is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("ApiKey", key);
        }

        return await Client.SendAsync(request);
    }

    /// <summary>The Zhanaozen anniversary: 16 December 10:00 Europe/London, reminders P7D and P1D, SMS in English.</summary>
    public static object Anniversary(string scheduleId = "zhanaozen") => new
    {
        kind = "anniversary",
        scheduleId,
        timeZone = "Europe/London",
        date = "12-16",
        time = "10:00",
        reminders = new[] { "P7D", "P1D" },
        firstYear = 2012,
        channels = new[] { "sms" },
        variables = new Dictionary<string, string> { ["place"] = "Zhanaozen" },
        templates = new Dictionary<string, object> { ["en"] = new { sms = "Remember {{place}}: vigil on {{date}} at {{time}}." } },
        expiresAfterEvent = "06:00:00",
    };

    /// <summary>An appeal hearing on 14 March 2027 09:30 Asia/Aqtau, with hearing-moved and hearing-cancelled notices.</summary>
    public static object Trial(string scheduleId = "appeal", bool notices = true) => new
    {
        kind = "trial",
        scheduleId,
        timeZone = "Asia/Aqtau",
        date = "2027-03-14",
        time = "09:30",
        reminders = new[] { "P7D", "P1D@18:00", "P0D@07:00" },
        channels = new[] { "sms" },
        templates = new Dictionary<string, object> { ["en"] = new { sms = "Appeal hearing {{date}} {{time}}: come to court." } },
        movedTemplates = notices ? new Dictionary<string, object> { ["en"] = new { sms = "The hearing of {{previousDate}} moved to {{date}} {{time}}." } } : null,
        cancelledTemplates = notices ? new Dictionary<string, object> { ["en"] = new { sms = "The hearing is cancelled." } } : null,
    };

    /// <summary>Every message now on the test's alert queue, decoded (peeked: they stay).</summary>
    public async Task<IReadOnlyList<JsonElement>> PeekAlertsAsync()
    {
        var messages = (await AlertQueue.PeekMessagesAsync(32)).Value;
        return [.. messages.Select(m => JsonDocument.Parse(m.Body.ToMemory()).RootElement.Clone())];
    }

    /// <summary>Publishes like <c>QueueAlertEventPublisher</c> (validate, contract JSON, the queue's base64 encoding), on the test's queue.</summary>
    private sealed class QueuePublisher(QueueClient queue) : IAlertEventPublisher
    {
        public async Task PublishAsync(AlertEvent alertEvent, CancellationToken cancellationToken = default)
        {
            var errors = AlertEventParser.Validate(alertEvent);
            if (errors.Count > 0)
            {
                throw new ArgumentException(string.Join("; ", errors), nameof(alertEvent));
            }

            await queue.SendMessageAsync(AlertEventSerializer.Serialize(alertEvent), cancellationToken: cancellationToken);
        }
    }
}

/// <summary>The real store, with a hook that runs once just before the next replace (another writer getting in between).</summary>
public sealed class RacingScheduleStore(IScheduleStore inner) : IScheduleStore
{
    public IScheduleStore Inner => inner;

    public Func<Task>? BeforeNextReplace { get; set; }

    public Task<SchedulePage> GetActivePageAsync(NodaTime.Instant firingAfter, int pageSize, string? continuationToken, CancellationToken cancellationToken = default) =>
        inner.GetActivePageAsync(firingAfter, pageSize, continuationToken, cancellationToken);

    public Task<StoredSchedule?> GetAsync(Core.Scheduling.ScheduleId id, CancellationToken cancellationToken = default) => inner.GetAsync(id, cancellationToken);

    public Task<StoredSchedule?> TryAddAsync(Core.Scheduling.ScheduledAlert schedule, CancellationToken cancellationToken = default) => inner.TryAddAsync(schedule, cancellationToken);

    public async Task<StoredSchedule?> TryReplaceAsync(Core.Scheduling.ScheduledAlert schedule, string etag, CancellationToken cancellationToken = default)
    {
        if (BeforeNextReplace is { } hook)
        {
            BeforeNextReplace = null;
            await hook();
        }

        return await inner.TryReplaceAsync(schedule, etag, cancellationToken);
    }
}

/// <summary>A clock the tests set; only <see cref="GetUtcNow"/> is replaced (timers stay real).</summary>
public sealed class SettableClock(DateTimeOffset now) : TimeProvider
{
    private DateTimeOffset _now = now;

    public void Set(DateTimeOffset now) => _now = now;

    public override DateTimeOffset GetUtcNow() => _now;
}
