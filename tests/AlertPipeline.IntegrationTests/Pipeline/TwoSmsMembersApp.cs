using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.IntegrationTests.Api;
using AlertPipeline.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AlertPipeline.IntegrationTests.Pipeline;

/// <summary>
/// The app on the shared Azurite with the real Twilio SDK against <see cref="FakeTwilioServer"/>, quiet hours off, one
/// re-drive budget set to 1, the tests' own clock, and one union whose branch holds two members with SMS (aigul, bota)
/// and owns a campaign: what the poison re-drive tests start from.
/// </summary>
internal sealed class TwoSmsMembersApp : IAsyncDisposable
{
    private TwoSmsMembersApp(string prefix, ManualTimeProvider time, FakeTwilioServer twilio, TestAppServer app, TestUnion union, CampaignId campaign, string connectionString)
    {
        (Prefix, Time, Twilio, App, Union, Campaign, ConnectionString) = (prefix, time, twilio, app, union, campaign, connectionString);
        Client = app.CreateClient();
    }

    public string Prefix { get; }

    public ManualTimeProvider Time { get; }

    public FakeTwilioServer Twilio { get; }

    public TestAppServer App { get; }

    public HttpClient Client { get; }

    public TestUnion Union { get; }

    public CampaignId Campaign { get; }

    public string ConnectionString { get; }

    /// <param name="prefix">The tables' prefix stem (made unique).</param>
    /// <param name="phones">Aigul's and Bota's numbers.</param>
    /// <param name="budgetSetting">The re-drive budget the tests spend (set to 1), e.g. <c>Pipeline:DispatchRedriveBudget</c>.</param>
    public static async Task<TwoSmsMembersApp> StartAsync(string prefix, IReadOnlyList<string> phones, string budgetSetting)
    {
        var unique = AzuriteFixture.UniqueName(prefix);
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var connectionString = (await AzuriteFixture.SharedAsync()).ConnectionString;
        var twilio = await FakeTwilioServer.StartAsync();
        var settings = TestFunctionApps.TwilioFakeSettings(twilio);
        settings["Pipeline:QuietHours"] = "off";
        settings[budgetSetting] = "1";
        var app = TestFunctionApps.Create(connectionString, unique, settings, services => services.AddSingleton<TimeProvider>(time));
        var union = await TestFunctionApps.NewUnionAsync(app, "central");
        var unionId = UnionId.Parse(union.UnionId);
        var campaign = await TestFunctionApps.NewOwnedCampaignAsync(app, unionId);
        foreach (var (person, phone) in new[] { ("aigul", phones[0]), ("bota", phones[1]) })
        {
            await TestFunctionApps.AddContactAsync(app, unionId, BranchId.Parse(union.Branch), person, person, phone: phone);
        }

        return new TwoSmsMembersApp(unique, time, twilio, app, union, campaign, connectionString);
    }

    public T Service<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        await TestFunctionApps.DeleteTablesAsync(App, ConnectionString, Prefix);
        Client.Dispose();
        await App.DisposeAsync();
        await Twilio.DisposeAsync();
    }
}
