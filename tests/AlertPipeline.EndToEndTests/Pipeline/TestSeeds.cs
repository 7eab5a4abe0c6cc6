namespace AlertPipeline.EndToEndTests.Pipeline;

/// <summary>Seed files (docs/seed.md) for the end-to-end tests. Numbers are from the UK's reserved drama range.</summary>
public static class TestSeeds
{
    public const string Campaign = "justice-kz-oil-workers";

    /// <summary>Aigul: listed in two branches of one union and in a branch of another, her number and email typed differently.</summary>
    public const string AigulPhone = "+447700900201";
    public const string AigulEmail = "aigul.seitkali@example.org";
    public const string AsselPhone = "+447700900202";
    public const string BerikPhone = "+447700900204";
    public const string CallumPhone = "+447700900205";

    /// <summary>In the seed's opt-outs (texted STOP earlier).</summary>
    public const string NurlanPhone = "+447700900203";

    /// <summary>A mistyped number (too short): stored without a number.</summary>
    public const string TomTypedPhone = "07700 90021";

    /// <summary>Every well-formed number and email address in <see cref="Members"/>, for the log scan.</summary>
    public static IReadOnlyList<string> MemberPhones { get; } = [AigulPhone, AsselPhone, NurlanPhone, BerikPhone, CallumPhone];

    public static IReadOnlyList<string> MemberEmails { get; } =
    [
        AigulEmail, "assel.nurzhanova@example.org", "nurlan.zhumabayev@example.org", "callum.fraser@example.org",
        "tom.hughes@example.org", "linh.nguyen@example.org",
    ];

    /// <summary>
    /// Two unions, three branches, 9 listings of 7 people: SMS rows 7 (4 sendable; Nurlan opted out, Tom's number invalid,
    /// Linh email-only), email rows 7 (6 sendable; Berik has no email).
    /// </summary>
    public static string Members { get; } = """
        {
          "unions": [
            { "unionId": "kz-oil-workers", "name": "Mangystau Oil Workers' Solidarity Committee" },
            { "unionId": "uk-energy-workers", "name": "UK Energy Workers' Union" }
          ],
          "branches": [
            { "unionId": "kz-oil-workers", "branchId": "zhanaozen", "name": "Zhanaozen" },
            { "unionId": "kz-oil-workers", "branchId": "aqtau", "name": "Aqtau" },
            { "unionId": "uk-energy-workers", "branchId": "london", "name": "London" }
          ],
          "campaigns": [
            { "campaignId": "justice-kz-oil-workers", "name": "Justice for Kazakhstan's Oil Workers",
              "helpContact": "Justice for Kazakhstan's Oil Workers: help@example.org. Reply STOP to unsubscribe.", "defaultLanguage": "en",
              "ownerUnionId": "kz-oil-workers" }
          ],
          "subscriptions": [
            { "campaignId": "justice-kz-oil-workers", "unionId": "kz-oil-workers" },
            { "campaignId": "justice-kz-oil-workers", "unionId": "uk-energy-workers", "branchId": "london" }
          ],
          "contacts": [
            { "unionId": "kz-oil-workers", "branchId": "zhanaozen", "contactId": "aigul-seitkali", "name": "Айгуль Сейткали",
              "phone": "+44 7700 900201", "email": "aigul.seitkali@example.org", "language": "ru", "timeZone": "Asia/Aqtau", "consent": { "sms": true, "email": true } },
            { "unionId": "kz-oil-workers", "branchId": "zhanaozen", "contactId": "assel-nurzhanova", "name": "Асель Нуржанова",
              "phone": "+447700900202", "email": "assel.nurzhanova@example.org", "language": "ru", "timeZone": "Asia/Aqtau", "consent": { "sms": true, "email": true } },
            { "unionId": "kz-oil-workers", "branchId": "zhanaozen", "contactId": "nurlan-zhumabayev", "name": "Нурлан Жумабаев",
              "phone": "+447700900203", "email": "nurlan.zhumabayev@example.org", "language": "ru", "timeZone": "Asia/Aqtau", "consent": { "sms": true, "email": true } },
            { "unionId": "kz-oil-workers", "branchId": "aqtau", "contactId": "aigul-s", "name": "Aigul Seitkali",
              "phone": "+44-7700-900201", "email": "Aigul.Seitkali@example.org", "language": "ru", "timeZone": "Asia/Aqtau", "consent": { "sms": true, "email": true } },
            { "unionId": "kz-oil-workers", "branchId": "aqtau", "contactId": "berik-ospanov", "name": "Берик Оспанов",
              "phone": "+447700900204", "language": "ru", "timeZone": "Asia/Aqtau", "consent": { "sms": true, "email": true } },
            { "unionId": "uk-energy-workers", "branchId": "london", "contactId": "a-seitkali", "name": "Aigul Seitkali",
              "phone": "07700 900201", "region": "GB", "email": "AIGUL.SEITKALI@example.org", "language": "en", "timeZone": "Europe/London", "consent": { "sms": true, "email": true } },
            { "unionId": "uk-energy-workers", "branchId": "london", "contactId": "callum-fraser", "name": "Callum Fraser",
              "phone": "07700 900205", "region": "GB", "email": "callum.fraser@example.org", "language": "en", "timeZone": "Europe/London", "consent": { "sms": true, "email": true } },
            { "unionId": "uk-energy-workers", "branchId": "london", "contactId": "tom-hughes", "name": "Tom Hughes",
              "phone": "07700 90021", "region": "GB", "email": "tom.hughes@example.org", "language": "en", "timeZone": "Europe/London", "consent": { "sms": true, "email": true } },
            { "unionId": "uk-energy-workers", "branchId": "london", "contactId": "linh-nguyen", "name": "Linh Nguyen",
              "email": "linh.nguyen@example.org", "language": "en", "timeZone": "Europe/London", "consent": { "sms": true, "email": true } }
          ],
          "optOuts": [ { "phone": "+447700900203" } ]
        }
        """;

    /// <summary>
    /// <paramref name="count"/> members of union <c>kz-oil-workers</c> spread over <paramref name="branches"/> branches, all
    /// subscribed, numbers +447700901000 upwards (for volume and crash tests).
    /// </summary>
    public static string Many(int count, int branches)
    {
        var branchList = Enumerable.Range(0, branches).Select(b => $$"""{ "unionId": "kz-oil-workers", "branchId": "b{{b}}", "name": "Branch {{b}}" }""");
        var contacts = Enumerable.Range(0, count).Select(i =>
            $$"""{ "unionId": "kz-oil-workers", "branchId": "b{{i % branches}}", "contactId": "m{{i:D4}}", "name": "Member {{i}}", "phone": "{{ManyPhone(i)}}", "language": "{{(i % 3 == 0 ? "en" : "ru")}}", "timeZone": "Asia/Aqtau", "consent": { "sms": true } }""");
        return $$"""
            {
              "unions": [ { "unionId": "kz-oil-workers", "name": "Mangystau Oil Workers' Solidarity Committee" } ],
              "branches": [ {{string.Join(",\n", branchList)}} ],
              "campaigns": [ { "campaignId": "justice-kz-oil-workers", "name": "Justice for Kazakhstan's Oil Workers", "helpContact": "help@example.org", "defaultLanguage": "en", "ownerUnionId": "kz-oil-workers" } ],
              "subscriptions": [ { "campaignId": "justice-kz-oil-workers", "unionId": "kz-oil-workers" } ],
              "contacts": [ {{string.Join(",\n", contacts)}} ]
            }
            """;
    }

    public static string ManyPhone(int i) => $"+4477009{01000 + i:D5}";
}
