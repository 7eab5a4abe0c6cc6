using System.Net;
using System.Net.Http.Json;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Messaging;
using AlertPipeline.Core.Scheduling;
using AlertPipeline.EndToEndTests.Pipeline;
using AlertPipeline.Infrastructure.Persistence.Schedules;
using AlertPipeline.Infrastructure.Storage.Tables;
using AlertPipeline.Testing;
using NodaTime;
using Xunit.Abstractions;

namespace AlertPipeline.EndToEndTests.Scheduling;

/// <summary>
/// ScheduleTick through the local host and the real app. The timer stays disabled (<c>AzureWebJobs.ScheduleTick.Disabled</c>,
/// so the real clock never fires it); the tests run it when they choose with the Functions host's admin API,
/// <c>POST /admin/functions/ScheduleTick</c>, as one would in Azure with the master key.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class ScheduleTickEndToEndTests(ITestOutputHelper output)
{
    private const string Campaign = "tick-campaign";
    private const string DanaPhone = "+447700900301";

    [Fact]
    public async Task ScheduleTick_ScheduleDueNow_FansOutAndSendsOneSms_AndASecondTickSendsNothing()
    {
        await using var world = await PipelineEnvironment.CreateAsync(output);
        await world.SeedAsync(Seed("Europe/London"));
        var now = SystemClock.Instance.GetCurrentInstant();
        var hearing = Instant.FromUnixTimeSeconds(now.ToUnixTimeSeconds() / 60 * 60).InUtc().LocalDateTime; // this minute: P0D is due now
        var schedule = new ScheduledAlert(
            CampaignId.Parse(Campaign),
            new TrialSchedule(new ScheduleId("hearing-now"), hearing, DateTimeZone.Utc, ReminderSet.Parse("P0D"), now - Duration.FromHours(1)),
            new ScheduledAlertContent(
                [Channel.Sms],
                AlertTemplates.Inline([new MessageTemplate(LanguageTag.English, "{{name}}: the hearing starts now ({{time}}).", null)]),
                expiresAfterEvent: Duration.FromHours(6)));
        var schedules = new TableScheduleStore(new TableServiceClient(world.Azurite.ConnectionString).GetTableClient("Schedules"));
        (await schedules.TryAddAsync(schedule)).Should().NotBeNull();
        await world.StartHostAsync();

        (await RunScheduleTickAsync(world)).Should().Be(HttpStatusCode.Accepted);
        await Poll.UntilAsync(() => world.Twilio.SentMessages.Count >= 1, "the scheduled SMS reaching Twilio", TimeSpan.FromSeconds(45));
        await WaitForTicksAsync(world, 1);

        (await RunScheduleTickAsync(world)).Should().Be(HttpStatusCode.Accepted);
        await WaitForTicksAsync(world, 2);
        var occurrence = schedule.Schedule.OccurrencesBetween(now - Duration.FromHours(1), now + Duration.FromHours(1)).Single();
        var alertId = AlertId.For(schedule.EventFor(occurrence, Duration.FromMinutes(15)));
        var rows = await world.WaitForSettledRowsAsync(alertId, 1);

        rows.Single().Status.Should().Be(DeliveryStatus.Sent);
        world.Twilio.SentMessages.Should().ContainSingle("the second tick finds the occurrence fired").Which.To.Should().Be(DanaPhone);
        TickSummaries(world).Last().Should().Contain("0 emitted", "the second tick emitted nothing");
    }

    [Fact]
    public async Task QuietHours_ContactAtNightNow_GetsADeferredRowAndNoSms()
    {
        var zone = ZoneAtNight(SystemClock.Instance.GetCurrentInstant());
        output.WriteLine($"Contact's time zone (night now): {zone.Id}");
        await using var world = await PipelineEnvironment.CreateAsync(output);
        world.Settings["Pipeline:QuietHours"] = "21:00-08:00";
        await world.SeedAsync(Seed(zone.Id));
        await world.StartHostAsync();

        var alert = TestEvents.Hearing("night-appeal", Campaign);
        await world.EnqueueAsync(alert.Body);
        var rows = await Poll.ForAsync(() => world.RowsAsync(alert.AlertId), r => r.Count == 1, "the delivery row", TimeSpan.FromSeconds(45));
        (await RunScheduleTickAsync(world)).Should().Be(HttpStatusCode.Accepted);
        await WaitForTicksAsync(world, 1);

        var row = (await world.RowsAsync(alert.AlertId)).Single();
        row.Status.Should().Be(DeliveryStatus.Pending);
        row.NotBefore.Should().NotBeNull();
        (row.NotBefore!.Value > SystemClock.Instance.GetCurrentInstant()).Should().BeTrue("the morning is still ahead");
        row.NotBefore!.Value.InZone(zone).TimeOfDay.Should().Be(new LocalTime(8, 0), "deferred to 08:00 on the contact's clock");
        rows.Single().Key.Should().Be(row.Key);
        world.Twilio.SentMessages.Should().BeEmpty("nobody is texted at night, and the tick releases nothing before the morning");
    }

    [Fact]
    public async Task AdminApi_UnknownFunctionIs404_NonTimerIs400_AndTheBodyMustBeAnObject()
    {
        await using var world = await PipelineEnvironment.CreateAsync(output);
        await world.StartHostAsync();
        using var http = new HttpClient();

        using var unknown = await http.PostAsJsonAsync(Admin(world, "NoSuchFunction"), new { input = "" });
        using var queue = await http.PostAsJsonAsync(Admin(world, "FanOut"), new { input = "{}" });
        using var noBody = await http.PostAsync(Admin(world, "ScheduleTick"), new StringContent(string.Empty));

        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        queue.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await queue.Content.ReadAsStringAsync()).Should().Contain("FanOut").And.Contain("queueTrigger");
        noBody.StatusCode.Should().Be(HttpStatusCode.BadRequest, "Azure wants at least {} as the body");
        TickSummaries(world).Should().BeEmpty("nothing ran");
    }

    /// <summary>A zone whose clock now reads between 22:00 and 06:00 (well inside 21:00–08:00, so it stays night for the test).</summary>
    private static DateTimeZone ZoneAtNight(Instant now)
    {
        string[] candidates =
        [
            "Pacific/Kiritimati", "Pacific/Auckland", "Asia/Tokyo", "Asia/Shanghai", "Asia/Kolkata", "Asia/Aqtau", "Europe/Moscow",
            "Europe/Berlin", "Europe/London", "Atlantic/Azores", "America/Sao_Paulo", "America/New_York", "America/Chicago",
            "America/Denver", "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "Pacific/Pago_Pago",
        ];
        return candidates.Select(id => DateTimeZoneProviders.Tzdb[id])
            .First(z => now.InZone(z).TimeOfDay is var t && (t >= new LocalTime(22, 0) || t < new LocalTime(6, 0)));
    }

    private static Uri Admin(PipelineEnvironment world, string function) => new($"http://127.0.0.1:{world.HttpPort}/admin/functions/{function}");

    private static async Task<HttpStatusCode> RunScheduleTickAsync(PipelineEnvironment world)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsJsonAsync(Admin(world, "ScheduleTick"), new { input = "" });
        return response.StatusCode;
    }

    /// <summary>The tick's summary log lines ("ScheduleTick at …: n emitted, …"), one per completed tick.</summary>
    private static List<string> TickSummaries(PipelineEnvironment world) =>
        [.. world.Logs.Lines.Where(l => l.Contains("ScheduleTick at ", StringComparison.Ordinal))];

    private static Task WaitForTicksAsync(PipelineEnvironment world, int ticks) =>
        Poll.UntilAsync(() => TickSummaries(world).Count >= ticks, $"{ticks} completed ScheduleTick run(s)", TimeSpan.FromSeconds(30));

    private static string Seed(string zone) => $$"""
        {
          "unions": [{ "unionId": "uk-energy-workers", "name": "UK Energy Workers' Union" }],
          "branches": [{ "unionId": "uk-energy-workers", "branchId": "london", "name": "London" }],
          "campaigns": [{ "campaignId": "{{Campaign}}", "name": "Tick campaign", "helpContact": "help@example.org", "defaultLanguage": "en", "ownerUnionId": "uk-energy-workers" }],
          "subscriptions": [{ "campaignId": "{{Campaign}}", "unionId": "uk-energy-workers" }],
          "contacts": [
            { "unionId": "uk-energy-workers", "branchId": "london", "contactId": "dana", "name": "Dana", "phone": "{{DanaPhone}}",
              "language": "en", "timeZone": "{{zone}}", "consent": { "sms": true, "email": false } }
          ]
        }
        """;
}
