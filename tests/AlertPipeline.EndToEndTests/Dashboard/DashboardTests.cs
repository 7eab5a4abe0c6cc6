using System.Globalization;
using System.Text;
using System.Text.Json;
using AlertPipeline.Core.Messaging;
using AlertPipeline.EndToEndTests.Pipeline;
using AlertPipeline.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AlertPipeline.EndToEndTests.Dashboard;

/// <summary>
/// The organiser dashboard in a real (headless Debian) Chromium against the real app under the local host on Azurite:
/// the pages call the organiser API with the signed-in key, exactly as a campaigner's browser would. Every test saves a
/// screenshot under the test output's artifacts/screenshots (docs/dashboard.md shows some of them).
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class DashboardTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private static readonly string[] OneDayBefore = ["P1D"];
    private static readonly string[] SmsOnly = ["sms"];
    private static int _nextNumber = 100 + Random.Shared.Next(0, 400);

    [Fact]
    public async Task SignIn_WithTheKeyboard_WrongKeyIsRefusedInWordsThenTheOrganiserSeesItsCampaigns()
    {
        var world = await SeedAsync();
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(fixture.DashboardUrl);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();

        // Keyboard only: the union field has focus, Tab moves to the key, Enter submits.
        await Expect(page.GetByLabel("Union id")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(world.Union);
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByLabel("API key")).ToBeFocusedAsync();
        (await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).boxShadow")).Should().NotBe("none", "focus is visible");
        await page.Keyboard.TypeAsync("apk_not-a-key");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The union id and key do not match a current key");
        await DashboardFixture.AssertAccessibleAsync(page, "sign-in");
        await DashboardFixture.ScreenshotAsync(page, "signin-refused");

        await page.GetByLabel("API key").FillAsync(world.OrganiserKey);
        await page.GetByLabel("API key").PressAsync("Enter");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Campaigns", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = world.CampaignName })).ToBeVisibleAsync();
        await Expect(page.Locator("#who")).ToContainTextAsync($"{world.Union} · organiser");
        await Expect(page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Contacts" })).ToHaveCountAsync(0, new() { Timeout = 1000 });
        (await page.EvaluateAsync<int>("() => localStorage.length")).Should().Be(0, "the key is kept in session storage only");
        (await page.Context.CookiesAsync()).Should().BeEmpty();
        await DashboardFixture.AssertAccessibleAsync(page, "campaigns");
        await DashboardFixture.ScreenshotAsync(page, "campaigns");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Trial_ScheduledWithABadZoneThenFixed_ThenPostponed_CalendarShowsTheNewDate()
    {
        var world = await SeedAsync();
        var page = await fixture.NewPageAsync();
        await fixture.SignInAsync(page, world.Union, world.OrganiserKey);
        await page.GetByRole(AriaRole.Link, new() { Name = "Calendar" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = world.CampaignName })).ToBeVisibleAsync();

        var hearing = DateTime.UtcNow.Date.AddDays(30);
        var form = page.Locator("form", new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "New schedule" }) });
        await form.GetByLabel("Kind").SelectOptionAsync("trial");
        await form.GetByLabel("Schedule id").FillAsync("appeal");
        await form.GetByLabel("Date", new() { Exact = true }).FillAsync(hearing.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await form.GetByLabel("Time", new() { Exact = true }).FillAsync("09:30");
        await form.GetByLabel("Time zone").FillAsync("Asia/Aktau-typo");
        await form.GetByLabel("Reminders").FillAsync("P7D, P1D@18:00");
        await form.Locator("[data-field='templates.en.sms']").FillAsync("Appeal hearing {{date}} {{time}}: come to court.");
        await form.GetByText("Texts for a moved or cancelled hearing").ClickAsync();
        await form.Locator("[data-field='movedTemplates.en.sms']").FillAsync("The hearing of {{previousDate}} moved to {{date}} {{time}}.");
        await form.GetByRole(AriaRole.Button, new() { Name = "Create schedule" }).ClickAsync();

        // The API's refusal, in words, next to the field it names.
        await Expect(form.Locator(".error-summary")).ToContainTextAsync("Time zone: unknown time zone 'Asia/Aktau-typo'");
        await Expect(form.GetByLabel("Time zone")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(form.Locator(".field-error:visible").First).ToContainTextAsync("unknown time zone");
        await DashboardFixture.AssertAccessibleAsync(page, "schedule form with errors");
        await DashboardFixture.ScreenshotAsync(page, "schedule-error");

        await form.GetByLabel("Time zone").FillAsync("Asia/Aqtau");
        await form.GetByRole(AriaRole.Button, new() { Name = "Create schedule" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Trial: appeal" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("hearing")).ToHaveTextAsync($"{hearing:yyyy-MM-dd} 09:30 (Asia/Aqtau)");

        var moved = hearing.AddDays(14);
        await page.GetByLabel("New date", new() { Exact = true }).FillAsync(moved.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await page.GetByLabel("New time").FillAsync("11:00");
        await page.GetByLabel("Tell members the new date now").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Postpone" }).ClickAsync(); // the confirm() dialog is accepted
        await Expect(page.GetByTestId("hearing")).ToHaveTextAsync($"{moved:yyyy-MM-dd} 11:00 (Asia/Aqtau)");
        await Expect(page.Locator("dl.facts")).ToContainTextAsync($"Moved from {hearing:yyyy-MM-dd}T09:30");

        var (status, stored) = await fixture.ApiAsync(HttpMethod.Get, $"unions/{world.Union}/campaigns/{world.Campaign}/schedules/appeal", world.OrganiserKey);
        status.Should().Be(200);
        stored.GetProperty("date").GetString().Should().Be(moved.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "the server holds what the page shows");
        stored.GetProperty("revision").GetInt32().Should().Be(1);

        await page.GetByRole(AriaRole.Link, new() { Name = world.CampaignName }).ClickAsync();
        await Expect(page.Locator("li.agenda-event")).ToContainTextAsync("Hearing: appeal (Asia/Aqtau)");
        await Expect(page.Locator("section[aria-labelledby='cal-h']")).ToContainTextAsync("Notice: appeal hearing moved");
        await Expect(page.Locator("section[aria-labelledby='cal-h'] time").Last).ToHaveAttributeAsync("datetime", $"{moved:yyyy-MM-dd}T11:00");
        (await page.Locator("main").InnerTextAsync()).Should().NotContainAny(["null", "undefined", "[object"]);
        await DashboardFixture.AssertAccessibleAsync(page, "calendar");
        await DashboardFixture.ScreenshotAsync(page, "calendar");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Compose_RussianText_CountsUcs2SegmentsAsYouTypeAndInThePreview()
    {
        var world = await SeedAsync();
        var page = await fixture.NewPageAsync(phone: true);
        await fixture.SignInAsync(page, world.Union, world.OrganiserKey);
        await page.GotoAsync(fixture.DashboardUrl + $"#/campaigns/{world.Campaign}/compose");
        await page.GetByLabel("Event id").FillAsync("court-vigil");
        await page.GetByLabel("Time zone").FillAsync("Europe/Moscow");
        await page.Locator("[data-field='templates.en']").FillAsync("ru");
        var text = "{{name}}, суд над нашими товарищами {{date}} в {{time}}. Приходите к зданию суда и поддержите их!";
        var sms = page.Locator("[data-field='templates.ru.sms']");
        await sms.PressSequentiallyAsync(text[..40]);
        await Expect(page.Locator("[data-counter]")).ToHaveTextAsync($"UCS-2 · 40 characters · 40 UTF-16 units · 1 segment");
        await sms.PressSequentiallyAsync(text[40..]);
        var typed = SmsEncoder.Analyze(text);
        typed.Segments.Should().Be(2);
        await Expect(page.Locator("[data-counter]")).ToHaveTextAsync($"UCS-2 · {typed.Characters} characters · {typed.Units} UTF-16 units · 2 segments");

        await page.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        var sample = page.Locator("article[data-language='ru']");
        await Expect(sample.GetByTestId("server-segments")).ToContainTextAsync("As sent: UCS-2");
        var rendered = await sample.Locator(".sms-sample").TextContentAsync();
        rendered.Should().StartWith("Sample Member, суд над нашими товарищами", "Cyrillic text round-trips to the page");
        var server = SmsEncoder.Analyze(rendered!);
        await Expect(sample.GetByTestId("server-segments")).ToHaveTextAsync($"As sent: UCS-2 · {server.Characters} characters · {server.Units} units · {server.Segments} segments");
        server.Segments.Should().Be(2);
        await Expect(page.GetByTestId("audience")).ToHaveTextAsync("3 people in 2 branches");
        await Expect(page.GetByTestId("cost")).ToContainTextAsync("6 segments × 0.05 EUR");
        (await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth")).Should().BeTrue("nothing overflows at phone width");
        var shown = await page.Locator("main").InnerTextAsync();
        shown.Should().NotContainAny(["null", "undefined", "[object"]).And.NotContain(world.CampaignName + "\ncampaign-", "only the compose page is shown");
        await DashboardFixture.AssertAccessibleAsync(page, "compose (phone)");
        await DashboardFixture.ScreenshotAsync(page, "compose-preview-phone");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task SegmentCounter_InTheBrowser_AgreesWithTheServersSmsEncoder()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(fixture.DashboardUrl);
        string[] texts =
        [
            string.Empty, "Hello", new('a', 160), new('a', 161), new string('a', 152) + "€" + new string('a', 10), "{[]}~^|\\\f€",
            new('д', 70), new('д', 71), new string('д', 66) + "😀" + "д", string.Concat(Enumerable.Repeat("😀", 35)), "café ü Ñ ç", "Zhanaozen — 16 December",
            new string('a', 1000) + "ж",
        ];

        var browser = await page.EvaluateAsync<JsonElement>(
            "async ([url, texts]) => { const m = await import(url); return texts.map(t => m.analyze(t)); }",
            new object[] { fixture.DashboardUrl + "js/sms.js", texts });

        for (var i = 0; i < texts.Length; i++)
        {
            var expected = SmsEncoder.Analyze(texts[i]);
            var actual = browser[i];
            (actual.GetProperty("encoding").GetString(), actual.GetProperty("characters").GetInt32(), actual.GetProperty("units").GetInt32(), actual.GetProperty("segments").GetInt32())
                .Should().Be((expected.Encoding == SmsEncodingKind.Gsm7 ? "GSM-7" : "UCS-2", expected.Characters, expected.Units, expected.Segments), $"text #{i}");
        }

        await DashboardFixture.ScreenshotAsync(page, "signin");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task SendNow_ConfirmationNamesPeopleAndBranches_ReportRefreshesToItsFinalCounts()
    {
        var world = await SeedAsync();
        var page = await fixture.NewPageAsync();
        await fixture.SignInAsync(page, world.Union, world.OrganiserKey);
        await page.GetByRole(AriaRole.Link, new() { Name = "Compose and send" }).ClickAsync();
        await page.GetByLabel("Event id").FillAsync("vigil");
        await page.GetByLabel("Time zone").FillAsync("Europe/London");
        await page.Locator("[data-field='templates.en.sms']").FillAsync("Vigil for {{campaign}} on {{date}} at {{time}}. Please come.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        await Expect(page.GetByTestId("audience")).ToHaveTextAsync("3 people in 2 branches");
        await Expect(page.Locator("table").First).ToContainTextAsync("1 no consent");

        await page.GetByRole(AriaRole.Button, new() { Name = "Send now…" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Send to 3 people in 2 branches?");
        await Expect(dialog).ToContainTextAsync("3 SMS (3 segments");
        await DashboardFixture.AssertAccessibleAsync(page, "send confirmation");
        await DashboardFixture.ScreenshotAsync(page, "send-confirm");
        // The send is one POST; on a loaded 2-core CI machine it can take longer than the page's 20 s default, and if it
        // is refused the page stays put, so wait for the answer itself and name it when it is not the 202.
        var answer = await page.RunAndWaitForResponseAsync(
            () => dialog.GetByRole(AriaRole.Button, new() { Name = "Send now" }).ClickAsync(),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/alerts", StringComparison.Ordinal),
            new() { Timeout = 60_000 });
        answer.Status.Should().Be(202, "the send is accepted: {0}", await answer.TextAsync());
        await page.WaitForURLAsync("**#/reports/*");
        var alertId = Core.Alerts.AlertId.Parse(page.Url.Split("#/reports/")[1]);
        var sent = await Poll.ForAsync(() => Task.FromResult(fixture.World.SmsOf(alertId)), m => m.Count == 3, "three SMS at the fake Twilio", TimeSpan.FromSeconds(60));
        await Expect(page.GetByTestId("report-state")).ToContainTextAsync("waiting for 3 delivery reports", new() { Timeout = 30_000 });

        foreach (var (message, i) in sent.Select((m, i) => (m, i)))
        {
            using var response = i == 0
                ? await fixture.World.Twilio.SendStatusCallbackAsync(new Uri(message.StatusCallback!), message.Sid, "undelivered", 30003)
                : await fixture.World.Twilio.SendStatusCallbackAsync(new Uri(message.StatusCallback!), message.Sid, "delivered");
            response.IsSuccessStatusCode.Should().BeTrue();
        }

        await Expect(page.GetByTestId("report-state")).ToHaveTextAsync("Final: every message has its outcome.", new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("report-as-of")).ToContainTextAsync("Counts as of ");
        var table = page.GetByTestId("status-table");
        await Expect(table.Locator("tr[data-status='delivered'] td")).ToHaveTextAsync("2");
        await Expect(table.Locator("tr[data-status='undelivered'] td")).ToHaveTextAsync("1");
        await Expect(table.Locator("tr[data-status='skipped'] td")).ToHaveTextAsync("1");
        await Expect(table.Locator("tr.total td")).ToHaveTextAsync("4");
        await Expect(page.GetByTestId("failures-sms")).ToContainTextAsync("(error 30003)");
        await Expect(page.Locator("section[aria-labelledby='why-h']")).ToContainTextAsync("SMS skipped: 1 no consent");
        await Expect(page.Locator("svg.chart path.line-sms")).ToHaveCountAsync(1);
        await Expect(page.Locator("#chart-d")).ToContainTextAsync("3 SMS in");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Export CSV" }).ClickAsync());
        download.SuggestedFilename.Should().Be($"alert-{alertId.Value}.csv");
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        csv.Should().StartWith("channel,unionId,branchId,contactId,status,reason,errorCode,segments");
        csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(5);
        csv.Should().Contain("Undelivered").And.Contain("30003").And.NotContain("+4477");
        (await page.ContentAsync()).Should().NotContain("+4477", "no number is shown on the report");
        await DashboardFixture.AssertAccessibleAsync(page, "report");
        await DashboardFixture.ScreenshotAsync(page, "report");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Import_CsvWithBadLines_ShowsEachLineAndFieldWhileNumbersStayMaskedOutsideTheEditForm()
    {
        var world = await SeedAsync();
        var page = await fixture.NewPageAsync();
        await fixture.SignInAsync(page, world.Union, world.AdminKey);
        await Expect(page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Reports" })).ToHaveCountAsync(0, new() { Timeout = 1000 });
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Contacts" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "North" }).ClickAsync();

        var anna = NextNumber();
        var csv = string.Join('\n',
            "contactId,name,phone,email,language,timeZone,smsConsent,emailConsent",
            $"anna,Анна Петрова,{anna},anna@example.org,ru,Europe/Moscow,true,true",
            "bob,Bob,+4477,bob@example.org,en,Europe/London,true,false",
            $"cat,Cat,{NextNumber()},,en,Europe/Londn,yes,no",
            $"dan,Dan,{NextNumber()},dan@example.org,en,Europe/London,1,maybe",
            $"eve,Eve,{NextNumber()},eve@example.org,en,Europe/London,1,0");
        await page.GetByLabel("CSV file", new() { Exact = true }).SetInputFilesAsync(new FilePayload { Name = "members.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv) });
        await page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();

        await Expect(page.GetByTestId("import-summary")).ToHaveTextAsync("2 imported, 3 rejected.");
        var errors = page.GetByTestId("import-errors").Locator("tbody tr");
        await Expect(errors).ToHaveCountAsync(3);
        await Expect(errors.Nth(0)).ToContainTextAsync("3phone");
        await Expect(errors.Nth(1)).ToContainTextAsync("4timeZoneunknown time zone 'Europe/Londn'");
        await Expect(errors.Nth(2)).ToContainTextAsync("5emailConsent");
        await Expect(page.GetByRole(AriaRole.Rowheader, new() { Name = "Анна Петрова" })).ToBeVisibleAsync();
        var content = await page.ContentAsync();
        content.Should().NotContain(anna).And.NotContain(anna[3..], "numbers are masked in the list").And.NotContain("anna@example.org");
        await DashboardFixture.AssertAccessibleAsync(page, "contacts");
        await DashboardFixture.ScreenshotAsync(page, "import-report");

        await page.GetByRole(AriaRole.Link, new() { Name = "Edit Анна Петрова" }).ClickAsync();
        await Expect(page.GetByLabel("Phone")).ToHaveValueAsync(anna, new() { Timeout = 10_000 });
        await page.GetByLabel("Time zone").FillAsync("Mars/Olympus");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator(".error-summary")).ToContainTextAsync("Time zone: unknown time zone 'Mars/Olympus'");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Import_CsvOverTheJobThreshold_ShowsProgressThenTheJobsFinalCountsAndEveryBadLine()
    {
        var world = await SeedAsync();
        var page = await fixture.NewPageAsync();
        await fixture.SignInAsync(page, world.Union, world.AdminKey);
        await page.GotoAsync(fixture.DashboardUrl + "#/contacts/north");

        // 250 lines (header included; the fixture's threshold is 50, slices of 100): lines 7 and 201 are bad, line 120 is imported with a change.
        var lines = new List<string> { "contactId,name,phone,email,language,timeZone,smsConsent,emailConsent" };
        for (var line = 2; line <= 250; line++)
        {
            var phone = NextNumber();
            lines.Add(line switch
            {
                7 => "m7,Member 7,+4477,,en,Europe/London,true,false",
                201 => $"m201,Член 201,{phone},,en,Europe/Londn,true,false",
                120 => $"m120,Member 120,{phone} ext 12,,en,Europe/London,true,false",
                _ => $"m{line},Member {line},{phone},,en,Europe/London,true,false",
            });
        }

        await page.GetByLabel("CSV file", new() { Exact = true }).SetInputFilesAsync(new FilePayload { Name = "big.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(string.Join('\n', lines)) });
        await page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();

        // The 202's job first: a named progress bar and "N of 250 lines" (the job's own counts as it goes).
        var progress = page.GetByRole(AriaRole.Progressbar, new() { Name = "Import progress" });
        await Expect(progress).ToBeVisibleAsync();
        await Expect(page.GetByTestId("import-progress-text")).ToContainTextAsync(" of 250 lines");
        (await page.GetByTestId("import-summary").CountAsync()).Should().Be(0, "the report waits for the job to finish");

        // Then the final report: the job's counts, and each bad line with its field and message.
        await Expect(page.GetByTestId("import-summary")).ToHaveTextAsync("247 imported, 2 rejected.", new() { Timeout = 60_000 });
        await Expect(page.GetByTestId("import-progress-text")).ToContainTextAsync("250 of 250 lines (finished)");
        (await progress.EvaluateAsync<double>("p => p.value / p.max")).Should().Be(1);
        var errors = page.GetByTestId("import-errors").Locator("tbody tr");
        await Expect(errors).ToHaveCountAsync(2);
        await Expect(errors.Nth(0)).ToContainTextAsync("7phone");
        await Expect(errors.Nth(1)).ToContainTextAsync("201timeZoneunknown time zone 'Europe/Londn'");
        await Expect(page.GetByTestId("import-warnings").Locator("tbody tr")).ToContainTextAsync("120phone");
        await Expect(page.GetByTestId("import-jobs").Locator("tbody tr").First).ToContainTextAsync("finished");
        await Expect(page.GetByRole(AriaRole.Rowheader, new() { Name = "Member 10", Exact = true })).ToHaveCountAsync(1);
        await DashboardFixture.AssertAccessibleAsync(page, "import job");
        await DashboardFixture.ScreenshotAsync(page, "import-job");
        await page.GetByRole(AriaRole.Form, new() { Name = "Import a CSV file" }).ScreenshotAsync(new() { Path = Path.Combine(DashboardFixture.ScreenshotFolder, "import-job-form.png") });

        var (status, job) = await fixture.ApiAsync(HttpMethod.Get, $"unions/{world.Union}/imports?limit=1", world.AdminKey);
        status.Should().Be(200);
        job.GetProperty("items")[0].GetProperty("state").GetString().Should().Be("succeeded");
        job.GetProperty("items")[0].GetProperty("imported").GetInt32().Should().Be(247);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task UnionAdmin_CreatesAKeyShownOnce_AndSeesTheWriteInTheAuditLog()
    {
        var world = await SeedAsync();
        var page = await fixture.NewPageAsync();
        await fixture.SignInAsync(page, world.Union, world.AdminKey);
        await page.GetByRole(AriaRole.Link, new() { Name = "API keys" }).ClickAsync();
        await page.GetByLabel("Role").SelectOptionAsync("organiser");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var key = await page.GetByTestId("new-key").TextContentAsync();
        key.Should().StartWith("apk_");
        var (status, _) = await fixture.ApiAsync(HttpMethod.Get, $"unions/{world.Union}/campaigns", key!);
        status.Should().Be(200, "the key the page showed works");
        await DashboardFixture.AssertAccessibleAsync(page, "keys");
        await DashboardFixture.ScreenshotAsync(page, "keys");

        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        await Expect(page.Locator("tbody tr").First).ToContainTextAsync("POST api/unions/{union}/keys");
        await Expect(page.Locator("tbody tr").First).ToContainTextAsync("Succeeded (201)");
        await DashboardFixture.AssertAccessibleAsync(page, "audit");
        await DashboardFixture.ScreenshotAsync(page, "audit");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AnotherUnionsCampaign_IsNotListedAndItsUrlsShowNotFound()
    {
        var world = await SeedAsync();
        var other = await SeedAsync();
        var (created, _) = await fixture.ApiAsync(HttpMethod.Post, $"unions/{other.Union}/campaigns/{other.Campaign}/schedules", other.OrganiserKey, new
        {
            kind = "trial", scheduleId = "secret-hearing", timeZone = "Europe/London", date = DateTime.UtcNow.Date.AddDays(20).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            time = "10:00", reminders = OneDayBefore, channels = SmsOnly, templates = new { en = new { sms = "Secret hearing {{date}}." } },
        });
        created.Should().Be(201);

        var page = await fixture.NewPageAsync();
        var answers = new List<(string Url, int Status)>();
        page.Response += (_, response) => { lock (answers) { answers.Add((response.Url, response.Status)); } };
        await fixture.SignInAsync(page, world.Union, world.OrganiserKey);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = world.CampaignName })).ToBeVisibleAsync();
        (await page.ContentAsync()).Should().NotContain(other.Campaign).And.NotContain(other.CampaignName);

        foreach (var route in new[] { $"#/campaigns/{other.Campaign}", $"#/campaigns/{other.Campaign}/schedules/secret-hearing", $"#/campaigns/{other.Campaign}/compose" })
        {
            await page.GotoAsync(fixture.DashboardUrl + route);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("No such campaign for your union");
            (await page.ContentAsync()).Should().NotContain("secret-hearing").And.NotContain("Secret hearing").And.NotContain(other.CampaignName);
        }

        await DashboardFixture.AssertAccessibleAsync(page, "not found");
        await DashboardFixture.ScreenshotAsync(page, "not-found");
        lock (answers)
        {
            answers.Should().Contain(a => a.Url.Contains($"/api/unions/{world.Union}/campaigns", StringComparison.Ordinal) && a.Status == 200, "the pages asked the API");
            answers.Should().NotContain(a => a.Url.Contains(other.Campaign, StringComparison.Ordinal) && a.Status < 400, "nothing of the other union's campaign was ever answered");
        }

        var (status, _) = await fixture.ApiAsync(HttpMethod.Get, $"unions/{world.Union}/campaigns/{other.Campaign}/schedules/secret-hearing", world.OrganiserKey);
        status.Should().Be(404, "the API refuses it too, whatever a page does");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task SignOut_ClearsTheKeyAndNoPageShowsDataAfterwards()
    {
        var world = await SeedAsync();
        var page = await fixture.NewPageAsync();
        await fixture.SignInAsync(page, world.Union, world.OrganiserKey);
        (await page.EvaluateAsync<string>("() => sessionStorage.getItem('alertpipeline.session')")).Should().Contain(world.OrganiserKey);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        (await page.EvaluateAsync<int>("() => sessionStorage.length + localStorage.length")).Should().Be(0);
        await page.GoBackAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await page.GotoAsync(fixture.DashboardUrl + $"#/campaigns/{world.Campaign}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        (await page.ContentAsync()).Should().NotContain(world.CampaignName).And.NotContain(world.OrganiserKey);
        await DashboardFixture.ScreenshotAsync(page, "signed-out");
        await page.Context.CloseAsync();
    }

    private static string NextNumber() => "+447700900" + Interlocked.Increment(ref _nextNumber).ToString("000", CultureInfo.InvariantCulture);

    /// <summary>
    /// A union of its own owning a campaign, with branches North (an English and a Russian member, and the Russian one's
    /// duplicate listing) and South (one member, one without SMS consent), and an organiser and a union-admin key.
    /// </summary>
    private async Task<TestWorld> SeedAsync()
    {
        var union = DashboardFixture.Id("union");
        var campaign = DashboardFixture.Id("campaign");
        var name = "Justice " + campaign[^6..];
        var (n1, n2, s1, s2) = (NextNumber(), NextNumber(), NextNumber(), NextNumber());
        object Contact(string branch, string id, string who, string phone, string language, bool sms) => new
        {
            unionId = union, branchId = branch, contactId = id, name = who, phone, language, timeZone = "Europe/London",
            consent = new { sms, email = false },
        };
        await fixture.SeedAsync(new
        {
            unions = new[] { new { unionId = union, name = "Union " + union } },
            branches = new[] { new { unionId = union, branchId = "north", name = "North" }, new { unionId = union, branchId = "south", name = "South" } },
            campaigns = new[] { new { campaignId = campaign, name, helpContact = "Help: help@example.org. Reply STOP to stop.", defaultLanguage = "en", ownerUnionId = union } },
            subscriptions = new[] { new { campaignId = campaign, unionId = union } },
            contacts = new[]
            {
                Contact("north", "ann", "Ann Smith", n1, "en", true),
                Contact("north", "olga", "Ольга Иванова", n2, "ru", true),
                Contact("south", "olga-again", "Ольга Иванова", n2, "ru", true),
                Contact("south", "sam", "Sam Jones", s1, "en", true),
                Contact("south", "tom", "Tom Brown", s2, "en", false),
            },
        });
        return new TestWorld(union, campaign, name, await fixture.KeyAsync(union, "organiser"), await fixture.KeyAsync(union, "union-admin"));
    }

    private sealed record TestWorld(string Union, string Campaign, string CampaignName, string OrganiserKey, string AdminKey);
}
