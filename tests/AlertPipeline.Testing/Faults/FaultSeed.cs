using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AlertPipeline.Testing.Faults;

/// <summary>One person of the fault run's seed (listed in one branch, some in a second one too).</summary>
public sealed record FaultPerson(int Index, string Phone, string? Email, bool SmsConsent, bool PhoneOptedOut, bool EmailOptedOut, IReadOnlyList<(string Union, string Branch)> Listings);

/// <summary>One alert of the fault run: its event body, campaign, channels and audience.</summary>
public sealed record FaultAlert(string EventId, string CampaignId, string Body, IReadOnlyList<string> Channels, Func<string, string, bool> InAudience);

/// <summary>
/// The fault run's data: three unions of four branches, <c>n</c> people numbered from +447700910000 (the tests' fictional
/// block), 80 % with an email, 5 % listed a second time in another union (the number typed nationally, the email in
/// capitals), 2 % without SMS consent, 3 % of numbers and 2.5 % of emails opted out; two campaigns and two alerts
/// (SMS + email to most of it, SMS only to a smaller audience that overlaps the first).
/// </summary>
public sealed class FaultSeed
{
    public static readonly string[] Unions = ["kz-oil-workers", "uk-energy-workers", "us-refinery-workers"];
    private const int BranchesPerUnion = 4;

    private FaultSeed(IReadOnlyList<FaultPerson> people, string json, IReadOnlyList<FaultAlert> alerts)
    {
        People = people;
        Json = json;
        Alerts = alerts;
    }

    public IReadOnlyList<FaultPerson> People { get; }

    /// <summary>The seed file (docs/seed.md).</summary>
    public string Json { get; }

    public IReadOnlyList<FaultAlert> Alerts { get; }

    public int Listings => People.Sum(p => p.Listings.Count);

    public static string PhoneOf(int index) => "+447700" + (910_000 + index).ToString(CultureInfo.InvariantCulture);

    public static FaultSeed Create(int people)
    {
        if (people is < 1 or > 89_999)
        {
            throw new ArgumentOutOfRangeException(nameof(people), people, "1..89,999 people fit the fictional block above +447700910000.");
        }

        var list = new List<FaultPerson>(people);
        for (var p = 0; p < people; p++)
        {
            var union = p % 3;
            var branch = p / 3 % BranchesPerUnion;
            var listings = new List<(string, string)> { (Unions[union], $"b{branch}") };
            if (p % 20 == 3)
            {
                listings.Add((Unions[(union + 1) % 3], $"b{(branch + 1) % BranchesPerUnion}"));
            }

            list.Add(new FaultPerson(
                p,
                PhoneOf(p),
                p % 5 == 0 ? null : $"member{p}@union{union}.example.org",
                SmsConsent: p % 50 != 7,
                PhoneOptedOut: p % 33 == 5,
                EmailOptedOut: p % 40 == 9,
                listings));
        }

        var alerts = new List<FaultAlert>
        {
            // Union 0 and 1 whole, union 2's branches b0 and b1.
            Alert("fault-run-hearing", "c-main", ["sms", "email"], (u, b) => u != Unions[2] || b is "b0" or "b1"),
            // Union 2 whole and union 1's branch b0: overlaps the first alert's audience.
            Alert("fault-run-verdict", "c-second", ["sms"], (u, b) => u == Unions[2] || (u == Unions[1] && b == "b0")),
        };
        return new FaultSeed(list, BuildJson(list), alerts);
    }

    /// <summary>The rows the pipeline should write for one alert: per channel, the address (E.164 or lowercased email) and whether it should be sent.</summary>
    public IReadOnlyList<(string Channel, string Address, bool Sendable)> Expected(FaultAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var expected = new List<(string, string, bool)>();
        foreach (var person in People.Where(p => p.Listings.Any(l => alert.InAudience(l.Union, l.Branch))))
        {
            if (alert.Channels.Contains("sms"))
            {
                expected.Add(("sms", person.Phone, person.SmsConsent && !person.PhoneOptedOut));
            }

            if (alert.Channels.Contains("email") && person.Email is not null)
            {
                expected.Add(("email", person.Email.ToLowerInvariant(), !person.EmailOptedOut));
            }
        }

        return expected;
    }

    private static FaultAlert Alert(string eventId, string campaignId, string[] channels, Func<string, string, bool> inAudience)
    {
        var channelList = string.Join(", ", channels.Select(c => $"\"{c}\""));
        var body = HearingEvent.Json($"{eventId}-{DateTime.UtcNow:yyyyMMddHHmmss}", campaignId, channelList);
        return new FaultAlert(eventId, campaignId, body, channels, inAudience);
    }

    private static string BuildJson(List<FaultPerson> people)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteStartArray("unions");
            foreach (var union in Unions)
            {
                json.WriteStartObject();
                json.WriteString("unionId", union);
                json.WriteString("name", $"Union {union}");
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("branches");
            foreach (var union in Unions)
            {
                for (var b = 0; b < BranchesPerUnion; b++)
                {
                    json.WriteStartObject();
                    json.WriteString("unionId", union);
                    json.WriteString("branchId", $"b{b}");
                    json.WriteString("name", $"Branch {b}");
                    json.WriteEndObject();
                }
            }

            json.WriteEndArray();
            json.WriteStartArray("campaigns");
            WriteCampaign(json, "c-main", Unions[0]);
            WriteCampaign(json, "c-second", Unions[1]);
            json.WriteEndArray();
            json.WriteStartArray("subscriptions");
            WriteSubscription(json, "c-main", Unions[0], null);
            WriteSubscription(json, "c-main", Unions[1], null);
            WriteSubscription(json, "c-main", Unions[2], "b0");
            WriteSubscription(json, "c-main", Unions[2], "b1");
            WriteSubscription(json, "c-second", Unions[2], null);
            WriteSubscription(json, "c-second", Unions[1], "b0");
            json.WriteEndArray();
            json.WriteStartArray("contacts");
            foreach (var person in people)
            {
                for (var i = 0; i < person.Listings.Count; i++)
                {
                    var (union, branch) = person.Listings[i];
                    json.WriteStartObject();
                    json.WriteString("unionId", union);
                    json.WriteString("branchId", branch);
                    json.WriteString("contactId", (i == 0 ? "m" : "d") + person.Index.ToString("D6", CultureInfo.InvariantCulture));
                    json.WriteString("name", person.Index % 3 == 0 ? $"Member {person.Index}" : $"Участник {person.Index}");
                    if (i == 0)
                    {
                        json.WriteString("phone", person.Phone);
                    }
                    else
                    {
                        // The same number typed as people type it at home: +44 7700 9xxxxx → 07700 9xxxxx.
                        json.WriteString("phone", "0" + person.Phone[3..7] + " " + person.Phone[7..]);
                        json.WriteString("region", "GB");
                    }

                    if (person.Email is not null)
                    {
                        json.WriteString("email", i == 0 ? person.Email : person.Email.ToUpperInvariant());
                    }

                    json.WriteString("language", person.Index % 3 == 0 ? "en" : "ru");
                    json.WriteString("timeZone", "Asia/Aqtau");
                    json.WriteStartObject("consent");
                    json.WriteBoolean("sms", person.SmsConsent);
                    json.WriteBoolean("email", true);
                    json.WriteEndObject();
                    json.WriteEndObject();
                }
            }

            json.WriteEndArray();
            json.WriteStartArray("optOuts");
            foreach (var person in people)
            {
                if (person.PhoneOptedOut)
                {
                    json.WriteStartObject();
                    json.WriteString("phone", person.Phone);
                    json.WriteEndObject();
                }

                if (person.EmailOptedOut && person.Email is not null)
                {
                    json.WriteStartObject();
                    json.WriteString("email", person.Email);
                    json.WriteEndObject();
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteCampaign(Utf8JsonWriter json, string id, string owner)
    {
        json.WriteStartObject();
        json.WriteString("campaignId", id);
        json.WriteString("name", $"Campaign {id}");
        json.WriteString("helpContact", "help@example.org. Reply STOP to unsubscribe.");
        json.WriteString("defaultLanguage", "en");
        json.WriteString("ownerUnionId", owner);
        json.WriteEndObject();
    }

    private static void WriteSubscription(Utf8JsonWriter json, string campaign, string union, string? branch)
    {
        json.WriteStartObject();
        json.WriteString("campaignId", campaign);
        json.WriteString("unionId", union);
        if (branch is not null)
        {
            json.WriteString("branchId", branch);
        }

        json.WriteEndObject();
    }
}
