using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Ports;
using AlertPipeline.Core.Scheduling.Ports;
using AlertPipeline.IntegrationTests.Api;
using AlertPipeline.Infrastructure.Api;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.Infrastructure.Persistence.Schedules;
using AlertPipeline.Infrastructure.Pipeline;
using AlertPipeline.Infrastructure.Storage;
using AlertPipeline.Functions.Functions;
using Azure.Storage.Queues;
using Azure.Data.Tables;
using AlertPipeline.Testing;
using AlertPipeline.Functions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using AlertPipeline.Functions.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AlertPipeline.IntegrationTests;

/// <summary>
/// The function app's HTTP handlers in-process on Azurite for the API, report, scheduling and CLI fixtures. The isolated
/// worker itself needs a Functions host (the end-to-end tests run it under ours), so these tests serve the same handlers
/// that the thin <c>[Function]</c> methods call (<see cref="AppEndpoints.All"/>, at the same routes and methods as the
/// built functions.metadata says) from an ASP.NET Core <see cref="TestServer"/>, with the app's own registration
/// (<see cref="AlertPipelineServiceCollectionExtensions.AddAlertPipeline"/>) and settings, as docs/functions.md explains.
/// Every table lives under the fixture's own prefix (the schedule tables included), and quiet hours are off, because these
/// tests run on the real clock and SMS must go at once whatever the hour. Reports and previews wait up to a minute for their reads
/// (and answer 503 only after two).
/// </summary>
internal static class TestFunctionApps
{
    private static readonly string[] OtherTables = [ApiKeyService.TableName, AuditLog.TableName, "Schedules", "FiredOccurrences"];

    /// <summary>Settings that point the app's Twilio client at a <see cref="FakeTwilioServer"/>: pacing off, a 2 s network
    /// timeout (so a hung send fails fast), status callbacks under a fixed public base URL.</summary>
    public static Dictionary<string, string> TwilioFakeSettings(FakeTwilioServer twilio)
    {
        var settings = twilio.ConfigurationValues().ToDictionary(p => p.Key, p => p.Value ?? string.Empty);
        settings["Twilio:StatusCallbackBaseUrl"] = "https://alerts.example.org/api";
        settings["Twilio:NetworkTimeout"] = "00:00:02";
        settings["Twilio:SegmentsPerSecond"] = "0";
        return settings;
    }

    public static TestAppServer Create(
        string connectionString, string prefix, IReadOnlyDictionary<string, string>? settings = null, Action<IServiceCollection>? services = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = connectionString,
            ["Pipeline:Storage:TablePrefix"] = prefix,
            ["Pipeline:QuietHours"] = "off",
            // Reports are exact whenever their count finishes within the budget; on a loaded test machine even a small
            // count may take seconds, so these tests wait for it, and previews read for up to a minute (the budget tests in
            // AlertReportTests and PreviewTests set their own).
            ["Reports:ExactBudget"] = "00:01:00",
            ["Reports:PreviewBudget"] = "00:01:00",
            ["Reports:AnswerWithin"] = "00:02:00",
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            all[name] = value;
        }

        return TestAppServer.Start(all, collection =>
        {
            collection.RemoveAll<TableScheduleStore>();
            collection.RemoveAll<IScheduleStore>();
            collection.RemoveAll<IScheduleCatalog>();
            collection.RemoveAll<IScheduleTickStore>();
            collection.RemoveAll<IScheduleOccurrenceStore>();
            collection.AddScheduleStorage(configure: o =>
            {
                o.SchedulesTable = prefix + "Schedules";
                o.OccurrencesTable = prefix + "FiredOccurrences";
            });
            services?.Invoke(collection);
        });
    }

    /// <summary>A new union (unique id) with one branch, a union-admin key and an organiser key, in the app's storage.</summary>
    public static async Task<TestUnion> NewUnionAsync(TestAppServer factory, string branch)
    {
        var membership = factory.Services.GetRequiredService<MembershipRepository>();
        var keys = factory.Services.GetRequiredService<ApiKeyService>();
        var unionId = UnionId.Parse(AzuriteFixture.UniqueName("u"));
        await membership.UpsertUnionAsync(new Union(unionId, "Union " + unionId));
        await membership.UpsertBranchAsync(new Branch(unionId, BranchId.Parse(branch), "Central"));
        var admin = await keys.CreateAsync(unionId, ApiRole.UnionAdmin);
        var organiser = await keys.CreateAsync(unionId, ApiRole.Organiser);
        return new TestUnion(unionId.Value, branch, admin.Secret, admin.Record.KeyId, organiser.Secret);
    }

    /// <summary>A new campaign (unique id) that <paramref name="owner"/> owns, with the whole union subscribed.</summary>
    public static async Task<CampaignId> NewOwnedCampaignAsync(TestAppServer factory, UnionId owner)
    {
        var membership = factory.Services.GetRequiredService<MembershipRepository>();
        var campaign = CampaignId.Parse(AzuriteFixture.UniqueName("camp"));
        await membership.UpsertCampaignAsync(new Campaign(campaign, "Free the oil workers", "help@example.org", LanguageTag.Parse("en")) { OwnerUnionId = owner });
        await membership.UpsertSubscriptionAsync(new Subscription(campaign, owner, null));
        return campaign;
    }

    /// <summary>
    /// A contact of the branch in English and Aqtau time, consenting to the channels it has an address for
    /// (<paramref name="phone"/> for SMS, <paramref name="email"/> for email).
    /// </summary>
    public static Task AddContactAsync(
        TestAppServer factory, UnionId unionId, BranchId branchId, string contactId, string name, string? phone = null, string? email = null) =>
        factory.Services.GetRequiredService<MembershipRepository>().UpsertContactAsync(new ContactEntry(
            new Contact
            {
                UnionId = unionId,
                BranchId = branchId,
                ContactId = ContactId.Parse(contactId),
                Name = name,
                Phone = phone is null ? null : PhoneNumber.Parse(phone),
                Email = email is null ? null : EmailAddress.Parse(email),
                Language = LanguageTag.Parse("en"),
                TimeZone = TimeZoneId.Parse("Asia/Aqtau"),
                Consent = new Consent(phone is not null, email is not null),
            },
            null));

    /// <summary>
    /// Runs <paramref name="eventJson"/> through FanOut and every one of its chunks (continuations included), as the queue
    /// triggers would; asserts the alert was accepted and returns FanOut's result.
    /// </summary>
    public static async Task<AlertPipeline.Core.Pipeline.FanOutResult> FanOutFullyAsync(TestAppServer factory, string eventJson)
    {
        var accepted = await factory.Services.GetRequiredService<AlertPipeline.Core.Pipeline.FanOutHandler>().HandleAsync(eventJson, null, default);
        accepted.Outcome.Should().Be(AlertPipeline.Core.Pipeline.FanOutOutcome.Accepted, string.Join("; ", accepted.Errors));
        var chunks = factory.Services.GetRequiredService<AlertPipeline.Core.Pipeline.FanOutChunkHandler>();
        foreach (var chunk in accepted.Chunks)
        {
            for (AlertPipeline.Core.Pipeline.FanOutChunk? next = chunk; next is not null;)
            {
                next = (await chunks.HandleAsync(next, default)).Next;
            }
        }

        return accepted;
    }

    /// <summary>Sends <paramref name="method"/> <paramref name="path"/> with <paramref name="apiKey"/> (<c>Authorization: ApiKey …</c>).</summary>
    public static async Task<HttpResponseMessage> SendWithKeyAsync(HttpClient client, string apiKey, HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("ApiKey", apiKey);
        return await client.SendAsync(request);
    }

    /// <summary>GETs <paramref name="path"/> with <paramref name="apiKey"/>, asserts 200 and returns the JSON.</summary>
    public static async Task<System.Text.Json.JsonElement> GetJsonWithKeyAsync(HttpClient client, string apiKey, string path)
    {
        using var response = await SendWithKeyAsync(client, apiKey, HttpMethod.Get, path);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK, text);
        return System.Text.Json.JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Deletes every table the app made under <paramref name="prefix"/>.</summary>
    public static async Task DeleteTablesAsync(TestAppServer factory, string connectionString, string prefix)
    {
        await factory.Services.GetRequiredService<PipelineTables>().DeleteAllAsync();
        var service = new TableServiceClient(connectionString);
        foreach (var table in OtherTables)
        {
            await service.DeleteTableAsync(prefix + table);
        }
    }
}

/// <summary>
/// The app's HTTP handlers on a <see cref="TestServer"/>: settings as app settings, <see cref="AlertPipelineServiceCollectionExtensions.AddAlertPipeline"/>,
/// then the test's own service changes, and every endpoint of <see cref="AppEndpoints.All"/> mapped at <c>/api/{route}</c>.
/// </summary>
public sealed class TestAppServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestAppServer(WebApplication app) => _app = app;

    public IServiceProvider Services => _app.Services;

    public TestServer Server => _app.GetTestServer();

    public static TestAppServer Start(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = typeof(AppEndpoints).Assembly.GetName().Name });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // As Program.cs: the Azure SDK's per-request lines (and its 404/409/412 warnings, answered in code) are noise here
        // too, and writing them costs the shared machine more than the requests themselves.
        builder.Logging.AddFilter("Azure.Core", LogLevel.Error);
        builder.Services.AddAlertPipeline(builder.Configuration);
        // Status callbacks wait on a queue of this app's own (tests share Azurite's sms-status otherwise); nothing triggers on
        // it here: a test applies what it holds with ApplyQueuedStatusCallbacksAsync, as ApplySmsStatus would.
        var statusQueue = AzuriteFixture.UniqueName("status");
        builder.Services.AddSingleton(sp => new StatusCallbackQueue(sp.QueueService(), sp.GetRequiredService<TimeProvider>(), statusQueue));
        builder.Services.AddSingleton(sp => new StatusCallbackRedriver(
            sp.QueueService(), sp.GetRequiredService<PipelineTables>(), sp.GetRequiredService<Core.Pipeline.PipelineOptions>(), sp.GetRequiredService<TimeProvider>(), statusQueue));
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapHttpEndpoints(AppEndpoints.All);
        app.StartAsync().GetAwaiter().GetResult();
        return new TestAppServer(app);
    }

    public HttpClient CreateClient() => Server.CreateClient();

    /// <summary>This app's <c>sms-status</c> queue (a unique name per app).</summary>
    public QueueClient StatusQueue => Services.QueueService().GetQueueClient(Services.GetRequiredService<StatusCallbackQueue>().Name);

    /// <summary>This app's <c>sms-status-poison</c> queue.</summary>
    public QueueClient StatusPoisonQueue => Services.QueueService().GetQueueClient(Services.GetRequiredService<StatusCallbackQueue>().PoisonName);

    /// <summary>
    /// Applies every status callback waiting on <see cref="StatusQueue"/> as the <c>ApplySmsStatus</c> queue trigger would:
    /// the message text and its dequeue count to <see cref="StatusCallbackConsumer"/>, deleted once it returns (a throw is
    /// the test's failure). Returns how many it applied.
    /// </summary>
    public async Task<int> ApplyQueuedStatusCallbacksAsync()
    {
        var queue = StatusQueue;
        if (!await queue.ExistsAsync())
        {
            return 0;
        }

        var consumer = Services.GetRequiredService<StatusCallbackConsumer>();
        var applied = 0;
        while ((await queue.ReceiveMessagesAsync(32)).Value is { Length: > 0 } messages)
        {
            foreach (var message in messages)
            {
                await consumer.RunAsync(message.Body.ToString(), (int)message.DequeueCount, default);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                applied++;
            }
        }

        return applied;
    }

    public async ValueTask DisposeAsync()
    {
        await StatusQueue.DeleteIfExistsAsync();
        await StatusPoisonQueue.DeleteIfExistsAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
