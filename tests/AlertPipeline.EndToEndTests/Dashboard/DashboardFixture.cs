using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AlertPipeline.EndToEndTests.Pipeline;
using AlertPipeline.Testing;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace AlertPipeline.EndToEndTests.Dashboard;

/// <summary>
/// One world for the dashboard's browser tests (one per test class): the real Functions app under the local host on its
/// own Azurite (a bootstrap admin secret to create keys, a price per SMS segment, import jobs from 51 lines), and one headless Debian Chromium driven
/// by Playwright. Each test seeds unions and campaigns of its own (unique ids), so the tests share nothing but the app.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    /// <summary>Debian's chromium: Playwright's own browser downloads are not possible here (scripts/prerequisites.sh installs it).</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly string _adminSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private IPlaywright? _playwright;

    public PipelineEnvironment World { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public string DashboardUrl => $"http://127.0.0.1:{World.HttpPort}/api/dashboard/";

    /// <summary>Where each test's screenshot goes: the test output's artifacts/screenshots.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"The dashboard tests need Debian's chromium at {ChromiumPath}: run ./test.sh (scripts/prerequisites.sh installs it) or apt-get install chromium.");
        }

        World = await PipelineEnvironment.CreateAsync(null);
        World.Settings["Api:AdminKeyHash"] = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(_adminSecret))).ToLowerInvariant();
        World.Settings["Pipeline:SmsPricePerSegment"] = "0.05";
        World.Settings["Pipeline:SmsPriceCurrency"] = "EUR";
        // Imports over 50 lines become background jobs of 100-line slices, so the job test's file stays small and quick.
        World.Settings["Imports:JobThresholdLines"] = "50";
        World.Settings["Imports:SliceLines"] = "100";
        await World.StartHostAsync();
        await Poll.ForAsync(
            async () => { try { using var r = await Http.GetAsync(DashboardUrl); return r.IsSuccessStatusCode; } catch (HttpRequestException) { return false; } },
            ok => ok, "the dashboard to be served", TimeSpan.FromSeconds(60));

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        Http.Dispose();
        if (World is not null)
        {
            await World.DisposeAsync();
        }
    }

    /// <summary>A fresh browser context (no storage shared with other tests), at desktop or phone width.</summary>
    public async Task<IPage> NewPageAsync(bool phone = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1200, Height = 900 },
            Locale = "en-GB",
            TimezoneId = "Europe/London",
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        return page;
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });

    /// <summary>
    /// Runs axe-core's WCAG 2.1 A and AA rules (labels, contrast, roles, names, landmarks…) on the page as it is and fails
    /// naming each violation and the elements it found.
    /// </summary>
    public static async Task AssertAccessibleAsync(IPage page, string screen)
    {
        var results = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        results.Violations.Select(v => $"{v.Id}: {v.Help} — {string.Join(" | ", v.Nodes.Select(n => n.Html))}")
            .Should().BeEmpty($"the {screen} screen meets WCAG 2.1 AA as axe-core checks it");
    }

    /// <summary>A unique id for this run (lowercase slug).</summary>
    public static string Id(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";

    public Task SeedAsync(object seed) => World.SeedAsync(JsonSerializer.Serialize(seed));

    /// <summary>Creates a key of <paramref name="role"/> for <paramref name="union"/> with the bootstrap admin secret.</summary>
    public async Task<string> KeyAsync(string union, string role)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, World.Webhook($"unions/{union}/keys"))
        {
            Content = JsonContent.Create(new { role }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", _adminSecret);
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    /// <summary>Calls the organiser API as <paramref name="key"/> (test set-up and server-side checks).</summary>
    public async Task<(int Status, JsonElement Body)> ApiAsync(HttpMethod method, string route, string key, object? body = null)
    {
        using var request = new HttpRequestMessage(method, World.Webhook(route));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Signs in through the sign-in page (keyboard only: tab to each field, Enter to submit).</summary>
    public async Task SignInAsync(IPage page, string union, string key)
    {
        await page.GotoAsync(DashboardUrl);
        await page.GetByLabel("Union id").FillAsync(union);
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByLabel("API key").PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Campaigns", Exact = true })).ToBeVisibleAsync();
    }
}
