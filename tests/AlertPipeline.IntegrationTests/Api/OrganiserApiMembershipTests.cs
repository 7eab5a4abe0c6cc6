using System.Net;
using System.Text;
using System.Text.Json;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Ports;
using NodaTime;

namespace AlertPipeline.IntegrationTests.Api;

/// <summary>Branches, contacts, CSV import and the audit trail through the organiser API, on Azurite.</summary>
public sealed class OrganiserApiMembershipTests(ApiTestApp app) : IClassFixture<ApiTestApp>
{
    private const string Header = "contactId,name,phone,email,language,timeZone,smsConsent,emailConsent";

    [Fact]
    public async Task Branches_CreateListGetDelete_RoundTrip()
    {
        var union = await app.NewUnionAsync();

        using var created = await app.SendAsync(HttpMethod.Post, union.Base + "/branches", union.AdminKey, ApiTestApp.Json(new { branchId = "north", name = "North" }));
        using var duplicate = await app.SendAsync(HttpMethod.Post, union.Base + "/branches", union.AdminKey, ApiTestApp.Json(new { branchId = "north", name = "Again" }));
        using var list = await app.SendAsync(HttpMethod.Get, union.Base + "/branches", union.AdminKey);
        using var deleted = await app.SendAsync(HttpMethod.Delete, union.Base + "/branches/north", union.AdminKey);
        using var gone = await app.SendAsync(HttpMethod.Get, union.Base + "/branches/north", union.AdminKey);

        created.StatusCode.Should().Be(HttpStatusCode.Created);
        created.Headers.Location!.ToString().Should().Be($"/api/unions/{union.UnionId}/branches/north");
        duplicate.StatusCode.Should().Be(HttpStatusCode.Conflict);
        duplicate.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await ApiTestApp.ReadJsonAsync(list)).GetProperty("items").EnumerateArray().Select(b => b.GetProperty("branchId").GetString())
            .Should().BeEquivalentTo("central", "north");
        deleted.StatusCode.Should().Be(HttpStatusCode.NoContent);
        gone.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task CreateBranch_InvalidIdAndNoName_Answers400NamingBothFields()
    {
        var union = await app.NewUnionAsync();

        using var response = await app.SendAsync(HttpMethod.Post, union.Base + "/branches", union.AdminKey, ApiTestApp.Json(new { branchId = "North Side" }));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await ApiTestApp.ReadJsonAsync(response);
        problem.GetProperty("status").GetInt32().Should().Be(400);
        problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).Should().Equal("branchId", "name");
    }

    [Fact]
    public async Task DeleteBranch_WithContacts_Answers409AndKeepsIt()
    {
        var union = await app.NewUnionAsync();
        await CreateContactAsync(union, "c1", "+447700900123");

        using var response = await app.SendAsync(HttpMethod.Delete, $"{union.Base}/branches/{union.Branch}", union.AdminKey);

        response.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await app.Membership.GetBranchAsync(UnionId.Parse(union.UnionId), BranchId.Parse(union.Branch))).Should().NotBeNull();
    }

    [Fact]
    public async Task Contact_CreateGetUpdateDelete_RoundTrip()
    {
        var union = await app.NewUnionAsync();
        var path = $"{union.Base}/branches/{union.Branch}/contacts/c1";

        using var created = await CreateContactAsync(union, "c1", "+44 7700 900123");
        using var again = await CreateContactAsync(union, "c1", "+447700900123");
        using var got = await app.SendAsync(HttpMethod.Get, path, union.AdminKey);
        using var updated = await app.SendAsync(HttpMethod.Put, path, union.AdminKey, ApiTestApp.Json(new
        {
            name = "Jane Smith", phone = "+77011234567", language = "kk", timeZone = "Asia/Aqtau", smsConsent = true, emailConsent = true,
        }));
        var stored = await app.Membership.GetContactAsync(UnionId.Parse(union.UnionId), BranchId.Parse(union.Branch), ContactId.Parse("c1"));
        using var deleted = await app.SendAsync(HttpMethod.Delete, path, union.AdminKey);
        using var gone = await app.SendAsync(HttpMethod.Get, path, union.AdminKey);

        created.StatusCode.Should().Be(HttpStatusCode.Created);
        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var contact = await ApiTestApp.ReadJsonAsync(got);
        contact.GetProperty("phone").GetString().Should().Be("+447700900123");
        contact.GetProperty("email").GetString().Should().Be("jane@example.org");
        contact.GetProperty("smsConsent").GetBoolean().Should().BeTrue();
        updated.StatusCode.Should().Be(HttpStatusCode.OK);
        stored!.Contact.Name.Should().Be("Jane Smith");
        stored.Contact.Phone!.E164.Should().Be("+77011234567");
        stored.Contact.Email.Should().BeNull();
        stored.Contact.TimeZone.Id.Should().Be("Asia/Aqtau");
        deleted.StatusCode.Should().Be(HttpStatusCode.NoContent);
        gone.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task UpdateContact_KeepsTheUnionsOptOut()
    {
        var union = await app.NewUnionAsync();
        var optedOut = Instant.FromUtc(2026, 1, 2, 3, 4);
        await app.Membership.UpsertContactAsync(new ContactEntry(new Contact
        {
            UnionId = UnionId.Parse(union.UnionId), BranchId = BranchId.Parse(union.Branch), ContactId = ContactId.Parse("c1"), Name = "Jane",
            Phone = PhoneNumber.Parse("+447700900123"), Language = LanguageTag.English, TimeZone = TimeZoneId.Utc,
            OptOut = new OptOutState(optedOut, null),
        }));

        using var updated = await app.SendAsync(HttpMethod.Put, $"{union.Base}/branches/{union.Branch}/contacts/c1", union.AdminKey, ApiTestApp.Json(ApiTestApp.ContactBody("c1")));

        updated.StatusCode.Should().Be(HttpStatusCode.OK);
        (await app.Membership.GetContactAsync(UnionId.Parse(union.UnionId), BranchId.Parse(union.Branch), ContactId.Parse("c1")))!
            .Contact.OptOut.SmsOptedOutAt.Should().Be(optedOut);
    }

    [Fact]
    public async Task CreateContact_BadFields_Answers400NamingEveryFieldWithoutQuotingTheValues()
    {
        var union = await app.NewUnionAsync();

        using var response = await app.SendAsync(HttpMethod.Post, $"{union.Base}/branches/{union.Branch}/contacts", union.AdminKey, ApiTestApp.Json(new
        {
            contactId = "c1", name = "Jane", phone = "+44 12", email = "jane.example.org", language = "en", timeZone = "Mars/Olympus",
        }));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var body = await response.Content.ReadAsStringAsync();
        var problem = JsonDocument.Parse(body).RootElement;
        problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString())
            .Should().Equal("phone", "email", "timeZone", "smsConsent", "emailConsent");
        body.Should().NotContain("jane.example.org").And.NotContain("+44 12");
    }

    [Fact]
    public async Task CreateContact_UnknownFieldOrWrongMediaTypeOrTooLarge_IsRefused()
    {
        var union = await app.NewUnionAsync();
        var path = $"{union.Base}/branches/{union.Branch}/contacts";

        using var unknown = await app.SendAsync(HttpMethod.Post, path, union.AdminKey, ApiTestApp.Json(new { contactId = "c1", nmae = "typo" }));
        using var text = await app.SendAsync(HttpMethod.Post, path, union.AdminKey, new StringContent("{}", Encoding.UTF8, "text/plain"));
        using var large = await app.SendAsync(HttpMethod.Post, path, union.AdminKey, ApiTestApp.Json(new { name = new string('x', 70_000) }));

        unknown.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ApiTestApp.ReadJsonAsync(unknown)).GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("nmae");
        text.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        large.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        large.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task ListContacts_PagesThroughEveryContactOnce()
    {
        var union = await app.NewUnionAsync();
        for (var i = 0; i < 5; i++)
        {
            (await CreateContactAsync(union, $"c{i}", $"+44770090012{i}")).Dispose();
        }

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var query = token is null ? "?pageSize=2" : $"?pageSize=2&continuationToken={Uri.EscapeDataString(token)}";
            using var response = await app.SendAsync(HttpMethod.Get, $"{union.Base}/branches/{union.Branch}/contacts{query}", union.AdminKey);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            var page = await ApiTestApp.ReadJsonAsync(response);
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("contactId").GetString()!));
            token = page.GetProperty("continuationToken").GetString();
            pages++;
        }
        while (token is not null && pages < 10);

        seen.Should().Equal("c0", "c1", "c2", "c3", "c4");
        pages.Should().Be(3);
    }

    [Fact]
    public async Task ListContacts_BadPageSize_Answers400NamingIt()
    {
        var union = await app.NewUnionAsync();

        using var response = await app.SendAsync(HttpMethod.Get, $"{union.Base}/branches/{union.Branch}/contacts?pageSize=5000", union.AdminKey);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ApiTestApp.ReadJsonAsync(response)).GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("pageSize");
    }

    [Fact]
    public async Task Writes_AppendAuditRowsWithKeyIdRouteTargetsAndOutcome_NeverTheKey()
    {
        var union = await app.NewUnionAsync();

        (await CreateContactAsync(union, "c1", "+447700900123")).Dispose();
        (await CreateContactAsync(union, "c1", "+447700900123")).Dispose();
        (await app.SendAsync(HttpMethod.Get, $"{union.Base}/branches/{union.Branch}/contacts/c1", union.AdminKey)).Dispose();
        (await app.SendAsync(HttpMethod.Delete, $"{union.Base}/branches/{union.Branch}/contacts/c1", union.AdminKey)).Dispose();
        (await app.SendAsync(HttpMethod.Delete, $"{union.Base}/branches/{union.Branch}", union.OrganiserKey)).Dispose();

        var audit = await app.Audit.ReadRecentAsync(UnionId.Parse(union.UnionId));

        audit.Select(e => (e.Method, e.Route, e.Targets, e.Status)).Should().Equal(
            ("DELETE", "/api/unions/{union}/branches/{branch}", "branch=central", 403),
            ("DELETE", "/api/unions/{union}/branches/{branch}/contacts/{contact}", "branch=central contact=c1", 204),
            ("POST", "/api/unions/{union}/branches/{branch}/contacts", "branch=central", 409),
            ("POST", "/api/unions/{union}/branches/{branch}/contacts", "branch=central", 201));
        audit.Skip(1).Should().OnlyContain(e => e.Actor == union.AdminKeyId && e.Role == "union-admin");
        audit[0].Role.Should().Be("organiser");
        audit.Should().OnlyContain(e => !e.Actor.Contains(union.AdminKey) && e.At > DateTimeOffset.UtcNow.AddMinutes(-5));
    }

    [Fact]
    public async Task ImportCsv_SprinklingOfBadLines_ImportsEveryGoodLineAndReportsEachBadLineByNumberAndField()
    {
        var union = await app.NewUnionAsync();
        var csv = string.Join('\n',
            Header,
            "a1,Ann,+447700900001,ann@example.org,en,Europe/London,true,true",          // 2 good
            "a2,Bob,+44 12,,en,Europe/London,true,false",                              // 3 phone
            "a3,Cat,,cat@@example.org,en,Europe/London,false,true",                    // 4 email
            "a1,Dup,+447700900004,,en,Europe/London,true,false",                       // 5 duplicate contactId
            "a5,Eve,+44 7700 900001,,en,Europe/London,true,false",                     // 6 duplicate phone (same number as line 2)
            "a6,Fay,+447700900006,,en,Europe/London,,false",                           // 7 missing sms consent
            "a7,Gus,+447700900007,,en,Europe/Londn,true,maybe",                        // 8 time zone + email consent
            "\"a8\",\"Hal, Jr.\",+447700900008,,kk,Asia/Aqtau,yes,no",                // 9 good (quoted comma)
            "a9,Ivy,+447700900009,,en,Europe/London,true",                             // 10 field count
            "",
            "b1,Jo,+77011234567,,ru,Asia/Almaty,1,0");                                  // 12 good after a blank line

        using var response = await app.SendAsync(HttpMethod.Post, $"{union.Base}/branches/{union.Branch}/contacts:import", union.AdminKey, ApiTestApp.Csv(csv));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await response.Content.ReadAsStringAsync();
        var report = JsonDocument.Parse(body).RootElement;
        report.GetProperty("imported").GetInt32().Should().Be(3);
        report.GetProperty("rejected").GetInt32().Should().Be(7);
        report.GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("line").GetInt32(), e.GetProperty("field").GetString(), e.GetProperty("message").GetString()))
            .Should().Equal(
                (3, "phone", "the phone number has too few digits"),
                (4, "email", "is not a valid email address (the email address must contain exactly one '@')"),
                (5, "contactId", "duplicate contactId (first on line 2)"),
                (6, "phone", "duplicate phone number (first on line 2)"),
                (7, "smsConsent", "missing consent (true or false)"),
                (8, "timeZone", "unknown time zone 'Europe/Londn' (expected an IANA id such as 'Asia/Aqtau')"),
                (8, "emailConsent", "is not true or false"),
                (10, "line", "has 7 fields; the header has 8"));
        report.GetProperty("warnings").GetArrayLength().Should().Be(0);
        body.Should().NotContain("+44").And.NotContain("example.org");
        var page = await app.Membership.GetContactsPageAsync(UnionId.Parse(union.UnionId), BranchId.Parse(union.Branch), 100, null);
        page.Contacts.Select(c => c.Contact.ContactId.Value).Should().Equal("a1", "a8", "b1");
        page.Contacts.Single(c => c.Contact.ContactId.Value == "a1").Contact.Name.Should().Be("Ann", "the duplicate line must not overwrite the first");
        page.Contacts.Single(c => c.Contact.ContactId.Value == "a8").Contact.Name.Should().Be("Hal, Jr.");
        (await app.Audit.ReadRecentAsync(UnionId.Parse(union.UnionId))).Should().ContainSingle(e => e.Targets == "branch=central import" && e.Status == 200);
    }

    [Fact]
    public async Task ImportCsv_BadHeader_Answers400NamingTheColumnsAndWritesNothing()
    {
        var union = await app.NewUnionAsync();

        using var response = await app.SendAsync(HttpMethod.Post, $"{union.Base}/branches/{union.Branch}/contacts:import", union.AdminKey,
            ApiTestApp.Csv("contactId,name,phone,mail,language,timeZone,smsConsent,emailConsent\na1,Ann,+447700900001,,en,UTC,true,true\n"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await ApiTestApp.ReadJsonAsync(response);
        problem.GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("header");
        problem.GetProperty("detail").GetString().Should().Contain("missing column(s) email").And.Contain("unknown column(s) mail");
        (await app.Membership.GetContactsPageAsync(UnionId.Parse(union.UnionId), BranchId.Parse(union.Branch), 10, null)).Contacts.Should().BeEmpty();
    }

    [Fact]
    public async Task ImportCsv_UnterminatedAndStrayQuotes_AreReportedAtTheirLinesAndEveryOtherLineIsImported()
    {
        var union = await app.NewUnionAsync();
        var csv = string.Join('\n',
            Header,
            "a1,Ann,+447700900001,,en,UTC,true,true",              // 2 good
            "a2,\"Bob,+447700900002,,en,UTC,true,true",            // 3 quote never closed on its line
            "a3,Cy,+447700900003,,en,UTC,true,true",               // 4 good
            "a4,\"Bo\"b\",+447700900004,,en,UTC,true,true",         // 5 text after a closing quote
            "a5,Bo\"b,+447700900005,,en,UTC,true,true",             // 6 stray quote
            "a6,Di,+447700900006,,en,UTC,true,true",               // 7 good
            "a7,\"Ed,+447700900007,,en,UTC,true,true");            // 8 quote never closed, at the end of the file

        using var response = await app.SendAsync(HttpMethod.Post, $"{union.Base}/branches/{union.Branch}/contacts:import", union.AdminKey, ApiTestApp.Csv(csv));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await response.Content.ReadAsStringAsync();
        var report = JsonDocument.Parse(body).RootElement;
        report.GetProperty("imported").GetInt32().Should().Be(3);
        report.GetProperty("rejected").GetInt32().Should().Be(4);
        report.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("line").GetInt32(), e.GetProperty("field").GetString()))
            .Should().Equal((3, "line"), (5, "line"), (6, "line"), (8, "line"));
        body.Should().NotContain("+44").And.NotContain("Bob");
        var page = await app.Membership.GetContactsPageAsync(UnionId.Parse(union.UnionId), BranchId.Parse(union.Branch), 100, null);
        page.Contacts.Select(c => c.Contact.ContactId.Value).Should().Equal("a1", "a3", "a6");
    }

    [Fact]
    public async Task ImportCsv_InvalidUtf8_IsALineErrorAndNoReplacementCharacterIsStored()
    {
        var union = await app.NewUnionAsync();
        byte[] file = [.. Encoding.UTF8.GetBytes(Header + "\na1,Ren"), 0xE9, .. Encoding.UTF8.GetBytes("e,+447700900001,,fr,UTC,true,true\na2,Zo\u00eb,+447700900002,,en,UTC,true,true\n")];
        using var content = new ByteArrayContent(file);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");

        using var response = await app.SendAsync(HttpMethod.Post, $"{union.Base}/branches/{union.Branch}/contacts:import", union.AdminKey, content);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ApiTestApp.ReadJsonAsync(response)).GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("line").GetInt32(), e.GetProperty("field").GetString(), e.GetProperty("message").GetString()))
            .Should().Equal((2, "name", "is not valid UTF-8 (save the file as UTF-8)"));
        var page = await app.Membership.GetContactsPageAsync(UnionId.Parse(union.UnionId), BranchId.Parse(union.Branch), 100, null);
        page.Contacts.Should().ContainSingle().Which.Contact.Name.Should().Be("Zo\u00eb");
    }

    [Fact]
    public async Task ImportCsv_HeaderRepeatingAColumn_Answers400AndWritesNothing()
    {
        var union = await app.NewUnionAsync();

        using var response = await app.SendAsync(HttpMethod.Post, $"{union.Base}/branches/{union.Branch}/contacts:import", union.AdminKey,
            ApiTestApp.Csv(Header + ",phone\na1,Ann,+447700900001,,en,UTC,true,true,+447700900002\n"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await ApiTestApp.ReadJsonAsync(response);
        problem.GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("header");
        problem.GetProperty("detail").GetString().Should().Contain("repeated column(s) phone");
        (await app.Membership.GetContactsPageAsync(UnionId.Parse(union.UnionId), BranchId.Parse(union.Branch), 10, null)).Contacts.Should().BeEmpty();
    }

    [Fact]
    public async Task ImportCsv_EmptyBody_Answers400BodyIsRequired()
    {
        var union = await app.NewUnionAsync();
        var path = $"{union.Base}/branches/{union.Branch}/contacts:import";

        using var emptyCsv = await app.SendAsync(HttpMethod.Post, path, union.AdminKey, ApiTestApp.Csv(string.Empty));
        using var noBody = await app.SendAsync(HttpMethod.Post, path, union.AdminKey);
        using var blankLines = await app.SendAsync(HttpMethod.Post, path, union.AdminKey, ApiTestApp.Csv("\n\n"));

        foreach (var response in new[] { emptyCsv, noBody })
        {
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            var problem = await ApiTestApp.ReadJsonAsync(response);
            problem.GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("body");
            problem.GetProperty("detail").GetString().Should().StartWith("body: is required");
        }

        blankLines.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ApiTestApp.ReadJsonAsync(blankLines)).GetProperty("detail").GetString().Should().StartWith("header: the file is empty");
    }

    [Fact]
    public async Task ImportCsv_FileWithoutItsHeader_Answers400WithoutRepeatingTheFirstLine()
    {
        var union = await app.NewUnionAsync();

        using var response = await app.SendAsync(HttpMethod.Post, $"{union.Base}/branches/{union.Branch}/contacts:import", union.AdminKey,
            ApiTestApp.Csv("a1,Ann Smith,+447700900001,ann@example.org,en,UTC,true,true\na2,Bob,+447700900002,,en,UTC,true,true\n"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var body = await response.Content.ReadAsStringAsync();
        body.Should().Contain("the first line is not the header").And.NotContainAny("Ann", "+44", "7700900001", "example.org", "a1,");
        (await app.Membership.GetContactsPageAsync(UnionId.Parse(union.UnionId), BranchId.Parse(union.Branch), 10, null)).Contacts.Should().BeEmpty();
    }

    [Fact]
    public async Task ImportCsv_ReimportKeepsOptOutsAndClearsARemovedEmail()
    {
        var union = await app.NewUnionAsync();
        var optedOut = Instant.FromUtc(2026, 1, 2, 3, 4);
        await app.Membership.UpsertContactAsync(new ContactEntry(new Contact
        {
            UnionId = UnionId.Parse(union.UnionId), BranchId = BranchId.Parse(union.Branch), ContactId = ContactId.Parse("a1"), Name = "Ann",
            Phone = PhoneNumber.Parse("+447700900001"), Email = EmailAddress.Parse("ann@example.org"), Language = LanguageTag.English,
            TimeZone = TimeZoneId.Utc, OptOut = new OptOutState(optedOut, null),
        }));

        using var response = await app.SendAsync(HttpMethod.Post, $"{union.Base}/branches/{union.Branch}/contacts:import", union.AdminKey,
            ApiTestApp.Csv(Header + "\na1,Ann B,+447700900001,,en,UTC,true,false\n"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var stored = (await app.Membership.GetContactAsync(UnionId.Parse(union.UnionId), BranchId.Parse(union.Branch), ContactId.Parse("a1")))!.Contact;
        stored.Name.Should().Be("Ann B");
        stored.Email.Should().BeNull();
        stored.OptOut.SmsOptedOutAt.Should().Be(optedOut);
    }

    [Fact]
    public async Task ImportCsv_WrongMediaTypeOrOverFiveMiB_IsRefused()
    {
        var union = await app.NewUnionAsync();
        var path = $"{union.Base}/branches/{union.Branch}/contacts:import";

        using var json = await app.SendAsync(HttpMethod.Post, path, union.AdminKey, ApiTestApp.Json(new { }));
        using var large = await app.SendAsync(HttpMethod.Post, path, union.AdminKey, ApiTestApp.Csv(Header + "\n" + new string('x', (5 * 1024 * 1024) + 1)));

        json.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        large.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await ApiTestApp.ReadJsonAsync(large)).GetProperty("title").GetString().Should().Be("Payload Too Large");
    }

    private Task<HttpResponseMessage> CreateContactAsync(TestUnion union, string contactId, string phone) =>
        app.SendAsync(HttpMethod.Post, $"{union.Base}/branches/{union.Branch}/contacts", union.AdminKey, ApiTestApp.Json(ApiTestApp.ContactBody(contactId, phone)));
}
