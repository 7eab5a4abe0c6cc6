using System.Text.Json;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Ports;
using NodaTime;
using NodaTime.Text;

namespace AlertPipeline.Infrastructure.Persistence;

/// <summary>One problem with a seed file: where (<c>contacts[17].phone</c>) and what. Never quotes a number or an address.</summary>
public sealed record SeedIssue(string Path, string Message, bool IsWarning = false)
{
    public override string ToString() => $"{(IsWarning ? "warning" : "error")} {Path}: {Message}";
}

/// <summary>The records of a seed file that passed validation, and every issue found (docs/seed.md).</summary>
public sealed record SeedData(
    IReadOnlyList<Union> Unions,
    IReadOnlyList<Branch> Branches,
    IReadOnlyList<Campaign> Campaigns,
    IReadOnlyList<Subscription> Subscriptions,
    IReadOnlyList<ContactEntry> Contacts,
    IReadOnlyList<(string Address, Channel Channel)> OptOuts,
    IReadOnlyList<SeedIssue> Issues)
{
    public IEnumerable<SeedIssue> Errors => Issues.Where(i => !i.IsWarning);

    public IEnumerable<SeedIssue> Warnings => Issues.Where(i => i.IsWarning);
}

/// <summary>
/// Validates a seed file record by record with Core's value objects. A bad record is reported by its index and field and
/// left out; records that refer to it (a branch of an unknown union) are left out too, naming the reference. A contact
/// whose number cannot be parsed is kept without it, with a warning: their email still works and their SMS deliveries
/// are skipped as <c>InvalidNumber</c>. Unknown properties are errors (a misspelt field must not vanish).
/// </summary>
public static class SeedParser
{
    private static readonly string[] TopLevel = ["unions", "branches", "campaigns", "subscriptions", "contacts", "optOuts"];

    public static SeedData Parse(string json)
    {
        var issues = new List<SeedIssue>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            return Empty([new SeedIssue("$", $"not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})")]);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Empty([new SeedIssue("$", "must be an object")]);
            }

            var root = new Record(document.RootElement, "$", issues);
            root.CheckKnown(TopLevel);
            var unions = root.Each("unions", r => new Union(r.Id<UnionId>("unionId", UnionId.TryParse), r.Text("name")), u => u.UnionId, "unionId");
            var unionIds = unions.Select(u => u.UnionId).ToHashSet();
            var branches = root.Each(
                "branches",
                r => new Branch(r.Ref<UnionId>("unionId", UnionId.TryParse, unionIds, "union"), r.Id<BranchId>("branchId", BranchId.TryParse), r.Text("name")),
                b => (b.UnionId, b.BranchId),
                "branchId");
            var branchIds = branches.Select(b => (b.UnionId, b.BranchId)).ToHashSet();
            var campaigns = root.Each(
                "campaigns",
                r => new Campaign(
                    r.Id<CampaignId>("campaignId", CampaignId.TryParse),
                    r.Text("name"),
                    r.Text("helpContact"),
                    r.Id<LanguageTag>("defaultLanguage", LanguageTag.TryParse))
                {
                    OwnerUnionId = r.Ref<UnionId>("ownerUnionId", UnionId.TryParse, unionIds, "union"),
                    IsOpen = r.Has("open") && r.Bool("open"),
                },
                c => c.CampaignId,
                "campaignId");
            var campaignIds = campaigns.Select(c => c.CampaignId).ToHashSet();
            var subscriptions = root.Each("subscriptions", r => ReadSubscription(r, campaignIds, unionIds, branchIds), s => (s.CampaignId, s.UnionId, s.BranchId), "unionId");
            var contacts = root.Each("contacts", r => ReadContact(r, branchIds), c => (c.Contact.UnionId, c.Contact.BranchId, c.Contact.ContactId), "contactId");
            var optOuts = root.Each("optOuts", ReadOptOut, o => o, "phone");
            return new SeedData(unions, branches, campaigns, subscriptions, contacts, optOuts, issues);
        }
    }

    private static Subscription ReadSubscription(Record r, HashSet<CampaignId> campaigns, HashSet<UnionId> unions, HashSet<(UnionId, BranchId)> branches)
    {
        var campaign = r.Ref<CampaignId>("campaignId", CampaignId.TryParse, campaigns, "campaign");
        var union = r.Ref<UnionId>("unionId", UnionId.TryParse, unions, "union");
        var branch = r.Has("branchId") ? r.Id<BranchId>("branchId", BranchId.TryParse) : null;
        if (branch is not null && !branches.Contains((union, branch)))
        {
            throw r.Fail("branchId", $"unknown branch '{union}/{branch}' (declare it in branches)");
        }

        return new Subscription(campaign, union, branch);
    }

    private static ContactEntry ReadContact(Record r, HashSet<(UnionId, BranchId)> branches)
    {
        r.CheckKnown(["unionId", "branchId", "contactId", "name", "phone", "region", "email", "language", "timeZone", "consent", "optedOutAt"]);
        var union = r.Id<UnionId>("unionId", UnionId.TryParse);
        var branch = r.Id<BranchId>("branchId", BranchId.TryParse);
        if (!branches.Contains((union, branch)))
        {
            throw r.Fail("branchId", $"unknown branch '{union}/{branch}' (declare it in branches)");
        }

        PhoneNumber? phone = null;
        PhoneNumberError? invalidPhone = null;
        if (r.Has("phone") && !PhoneNumber.TryParse(r.Text("phone"), r.Has("region") ? r.Text("region") : null, out phone, out var phoneError))
        {
            invalidPhone = phoneError;
            r.Warn("phone", $"{phoneError.Describe()}; the contact is stored without a number and their SMS will be skipped as InvalidNumber");
        }

        var email = r.Has("email") ? r.Value("email", (string? v, out EmailAddress? e) => EmailAddress.TryParse(v, out e, out _), "a valid email address") : null;
        if (!r.Has("phone") && email is null)
        {
            throw r.Fail("phone", "a contact needs a phone or an email");
        }

        var consent = r.Object("consent");
        var optedOut = r.Object("optedOutAt");
        optedOut?.CheckKnown(["sms", "email"]);
        return new ContactEntry(
            new Contact
            {
                UnionId = union,
                BranchId = branch,
                ContactId = r.Id<ContactId>("contactId", ContactId.TryParse),
                Name = r.Text("name"),
                Phone = phone,
                Email = email,
                Language = r.Id<LanguageTag>("language", LanguageTag.TryParse),
                TimeZone = r.Id<TimeZoneId>("timeZone", TimeZoneId.TryParse),
                Consent = new Consent(consent?.Bool("sms") ?? false, consent?.Bool("email") ?? false),
                OptOut = new OptOutState(optedOut?.Instant("sms"), optedOut?.Instant("email")),
            },
            invalidPhone);
    }

    private static (string Address, Channel Channel) ReadOptOut(Record r)
    {
        r.CheckKnown(["phone", "email"]);
        if (r.Has("phone") == r.Has("email"))
        {
            throw r.Fail("phone", "give exactly one of phone and email");
        }

        return r.Has("phone")
            ? (r.Value("phone", (string? v, out PhoneNumber? p) => PhoneNumber.TryParse(v, null, out p, out _), "an E.164 number such as +447700900123").E164, Channel.Sms)
            : (r.Value("email", (string? v, out EmailAddress? e) => EmailAddress.TryParse(v, out e, out _), "a valid email address").Normalized, Channel.Email);
    }

    private static SeedData Empty(List<SeedIssue> issues) => new([], [], [], [], [], [], issues);

    private delegate bool TryParser<T>(string? text, out T? value);

    /// <summary>One JSON object being read, with its path; failures throw <see cref="SeedRecordException"/> for the record.</summary>
    private sealed class Record(JsonElement element, string path, List<SeedIssue> issues)
    {
        public bool Has(string name) => element.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

        public SeedRecordException Fail(string field, string message) => new(new SeedIssue($"{path}.{field}", message));

        public void Warn(string field, string message) => issues.Add(new SeedIssue($"{path}.{field}", message, IsWarning: true));

        public void CheckKnown(string[] names)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (!names.Contains(property.Name, StringComparer.Ordinal))
                {
                    throw Fail(property.Name, $"unknown property (expected one of {string.Join(", ", names)})");
                }
            }
        }

        public string Text(string field)
        {
            if (!element.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                throw Fail(field, "is required");
            }

            return value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
                ? value.GetString()!
                : throw Fail(field, "must be a non-empty string");
        }

        public T Value<T>(string field, TryParser<T> parse, string expected)
            where T : class =>
            parse(Text(field), out var value) && value is not null ? value : throw Fail(field, $"is not {expected}");

        public T Id<T>(string field, IdParser<T> parse)
            where T : class =>
            parse(Text(field), out var id, out var error) ? id! : throw Fail(field, error!);

        public T Ref<T>(string field, IdParser<T> parse, HashSet<T> known, string what)
            where T : class
        {
            var id = Id(field, parse);
            return known.Contains(id) ? id : throw Fail(field, $"unknown {what} '{id}' (declare it in {what}s)");
        }

        public Record? Object(string field) =>
            !Has(field) ? null
            : element.GetProperty(field).ValueKind == JsonValueKind.Object ? new Record(element.GetProperty(field), $"{path}.{field}", issues)
            : throw Fail(field, "must be an object");

        public bool Bool(string field) =>
            !Has(field) ? false
            : element.GetProperty(field).ValueKind is JsonValueKind.True or JsonValueKind.False ? element.GetProperty(field).GetBoolean()
            : throw Fail(field, "must be true or false");

        public Instant? Instant(string field)
        {
            if (!Has(field))
            {
                return null;
            }

            var parsed = OffsetDateTimePattern.ExtendedIso.Parse(Text(field));
            return parsed.Success ? parsed.Value.ToInstant() : throw Fail(field, "is not an ISO-8601 time with offset, such as 2025-03-01T09:00:00Z");
        }

        /// <summary>Reads every object of an array section; a failing record is reported by index and left out, and so is
        /// a record whose <paramref name="key"/> repeats an earlier one's (the first wins).</summary>
        public List<T> Each<T, TKey>(string section, Func<Record, T> read, Func<T, TKey> key, string keyField)
        {
            var list = new List<T>();
            var seen = new HashSet<TKey>();
            if (!Has(section))
            {
                return list;
            }

            var array = element.GetProperty(section);
            if (array.ValueKind != JsonValueKind.Array)
            {
                issues.Add(new SeedIssue($"{path}.{section}", "must be an array"));
                return list;
            }

            var index = 0;
            foreach (var item in array.EnumerateArray())
            {
                var itemPath = $"{section}[{index++}]";
                try
                {
                    var record = item.ValueKind == JsonValueKind.Object
                        ? read(new Record(item, itemPath, issues))
                        : throw new SeedRecordException(new SeedIssue(itemPath, "must be an object"));
                    if (seen.Add(key(record)))
                    {
                        list.Add(record);
                    }
                    else
                    {
                        issues.Add(new SeedIssue($"{itemPath}.{keyField}", "repeats an earlier record's id; this one is left out"));
                    }
                }
                catch (SeedRecordException ex)
                {
                    issues.Add(ex.Issue);
                }
                catch (ArgumentException ex)
                {
                    issues.Add(new SeedIssue($"{itemPath}.{ex.ParamName?.ToLowerInvariant() ?? "?"}", ex.Message.Split(" (Parameter", 2)[0]));
                }
            }

            return list;
        }
    }

    private delegate bool IdParser<T>(string? text, out T? value, out string? error);

    private sealed class SeedRecordException(SeedIssue issue) : Exception(issue.ToString())
    {
        public SeedIssue Issue { get; } = issue;
    }
}
