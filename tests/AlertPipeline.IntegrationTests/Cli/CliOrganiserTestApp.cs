using System.Collections.Concurrent;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.Ports;
using AlertPipeline.Core.Scheduling.Ports;
using AlertPipeline.Infrastructure.Api;
using AlertPipeline.Infrastructure.Persistence;
using AlertPipeline.IntegrationTests.Api;
using AlertPipeline.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AlertPipeline.IntegrationTests.Cli;

/// <summary>
/// The function app on Azurite for the CLI's organiser commands: its own table prefix (schedule tables included), the
/// real clock with quiet hours off (SMS go at once), a price per SMS segment, a bootstrap admin secret, an outbox in a
/// temporary folder, and an <see cref="IAlertEventPublisher"/> that keeps what send-now published so a test can drive
/// the real fan-out and senders with it (as <c>ReportsTestApp</c> does).
/// </summary>
public sealed class CliOrganiserTestApp : IAsyncLifetime
{
    public const string AdminSecret = "test-bootstrap-admin-secret-cli-0123456789";
    public const decimal Price = 0.0525m;
    private readonly string _prefix = AzuriteFixture.UniqueName("cli");
    private readonly string _outbox = Path.Combine(Path.GetTempPath(), AzuriteFixture.UniqueName("cliout"));
    private string _connectionString = null!;

    public TestAppServer Factory { get; private set; } = null!;

    public ConcurrentQueue<AlertEvent> Published { get; } = new();

    public MembershipRepository Membership => Service<MembershipRepository>();

    public T Service<T>()
        where T : notnull => Factory.Services.GetRequiredService<T>();

    public async Task InitializeAsync()
    {
        var azurite = await AzuriteFixture.SharedAsync();
        _connectionString = azurite.ConnectionString;
        Factory = TestFunctionApps.Create(
            azurite.ConnectionString,
            _prefix,
            new Dictionary<string, string>
            {
                ["Pipeline:SmsPricePerSegment"] = Price.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Pipeline:SmsPriceCurrency"] = "EUR",
                ["Outbox:Directory"] = _outbox,
                ["Api:AdminKeyHash"] = ApiKeyService.Hash(AdminSecret),
            },
            services =>
            {
                services.RemoveAll<IAlertEventPublisher>();
                services.AddSingleton<IAlertEventPublisher>(new KeepingPublisher(Published));
            });
    }

    public async Task DisposeAsync()
    {
        await TestFunctionApps.DeleteTablesAsync(Factory, _connectionString, _prefix);
        await Factory.DisposeAsync();
        if (Directory.Exists(_outbox))
        {
            Directory.Delete(_outbox, recursive: true);
        }
    }

    /// <summary>Runs the CLI against this app as <paramref name="key"/> of <paramref name="union"/> (no union: admin commands).</summary>
    public Task<CliResult> RunAsync(string? union, string key, params string[] args) =>
        CliHarness.RunAsync(
            () => Factory.Server.CreateHandler(),
            environment: null,
            [.. args, "--api-url", "http://localhost", "--key", key, .. (union is null ? Array.Empty<string>() : ["--union", union])]);

    /// <summary>A union (unique id) with one branch, an organiser key and a union-admin key.</summary>
    public Task<TestUnion> NewUnionAsync(string branch = "central") => TestFunctionApps.NewUnionAsync(Factory, branch);

    /// <summary>A new campaign (unique id) the union owns and subscribes to as a whole.</summary>
    public async Task<string> NewCampaignAsync(TestUnion subscriber)
    {
        var campaignId = CampaignId.Parse(AzuriteFixture.UniqueName("c"));
        await Membership.UpsertCampaignAsync(new Campaign(campaignId, "Free the oil workers", "help@example.org", LanguageTag.English) { OwnerUnionId = UnionId.Parse(subscriber.UnionId) });
        await Membership.UpsertSubscriptionAsync(new Subscription(campaignId, UnionId.Parse(subscriber.UnionId)));
        return campaignId.Value;
    }

    public Task AddContactAsync(TestUnion union, string contactId, string? phone, string? email, string language = "en") =>
        Membership.UpsertContactAsync(new ContactEntry(
            new Contact
            {
                UnionId = UnionId.Parse(union.UnionId),
                BranchId = BranchId.Parse(union.Branch),
                ContactId = ContactId.Parse(contactId),
                Name = "Member " + contactId,
                Phone = phone is null ? null : PhoneNumber.Parse(phone),
                Email = email is null ? null : EmailAddress.Parse(email),
                Language = LanguageTag.Parse(language),
                TimeZone = TimeZoneId.Parse("Asia/Aqtau"),
                Consent = new Consent(true, true),
            },
            null));

    /// <summary>What the FanOut function would do with the published event: FanOut, every chunk, then the real senders (outbox).</summary>
    public async Task<AlertId> FanOutAndSendAsync(AlertEvent alertEvent)
    {
        var accepted = await Service<FanOutHandler>().HandleAsync(AlertEventSerializer.Serialize(alertEvent), null, default);
        accepted.Outcome.Should().Be(FanOutOutcome.Accepted, string.Join("; ", accepted.Errors));
        var chunks = Service<FanOutChunkHandler>();
        foreach (var first in accepted.Chunks)
        {
            for (FanOutChunk? chunk = first; chunk is not null;)
            {
                chunk = (await chunks.HandleAsync(chunk, default)).Next;
            }
        }

        var alertId = accepted.AlertId!;
        var page = await Service<IDeliveryStore>().GetPageAsync(alertId, 1000, null);
        page.ContinuationToken.Should().BeNull("a test alert has few rows");
        foreach (var row in page.Rows.Where(r => r.Status == DeliveryStatus.Pending))
        {
            _ = row.Channel == Channel.Sms
                ? await Service<SendSmsHandler>().HandleAsync(row.Key, default)
                : await Service<SendEmailHandler>().HandleAsync(row.Key, default);
        }

        return alertId;
    }

    /// <summary>Keeps every event send-now publishes (after the same validation as the queue publisher).</summary>
    private sealed class KeepingPublisher(ConcurrentQueue<AlertEvent> published) : IAlertEventPublisher
    {
        public Task PublishAsync(AlertEvent alertEvent, CancellationToken cancellationToken = default)
        {
            var errors = AlertEventParser.Validate(alertEvent);
            if (errors.Count > 0)
            {
                throw new ArgumentException(string.Join("; ", errors), nameof(alertEvent));
            }

            published.Enqueue(alertEvent);
            return Task.CompletedTask;
        }
    }
}

