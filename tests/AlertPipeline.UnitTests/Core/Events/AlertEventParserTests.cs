using System.Text.Json.Nodes;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Messaging;
using NodaTime;

namespace AlertPipeline.UnitTests.Core.Events;

public class AlertEventParserTests
{
    private const string Valid = """
        {
          "schemaVersion": 1,
          "eventId": "trial-aqtau-activists",
          "kind": "trial-date",
          "occurredAt": "2025-03-01T09:00:00Z",
          "campaignId": "free-the-oil-workers",
          "occurrence": { "localDateTime": "2025-03-10T10:00", "timeZone": "Asia/Aqtau" },
          "reminder": "day-before",
          "audience": { "unionIds": ["kz-oil"], "branches": [{ "unionId": "uk-unite", "branchId": "london" }] },
          "channels": ["sms", "email"],
          "variables": { "place": "Aqtau city court" },
          "templates": {
            "en": {
              "sms": "{{name}}, the trial is tomorrow {{date}} {{time}} at {{place}}.",
              "email": { "subject": "Trial tomorrow", "text": "Dear {{name}}, {{place}}", "html": "<p>{{place}}</p>" }
            },
            "ru": {
              "sms": "{{name}}, суд завтра в {{time}}: {{place}}.",
              "email": { "subject": "Суд завтра", "text": "{{place}}" }
            }
          }
        }
        """;

    private static JsonObject ValidNode() => JsonNode.Parse(Valid)!.AsObject();

    private static IEnumerable<string> ErrorsOf(string json) =>
        AlertEventParser.Parse(json).Errors.Select(e => e.ToString());

    private static IEnumerable<string> ErrorsOf(JsonObject node) => ErrorsOf(node.ToJsonString());

    [Fact]
    public void Parse_ValidEvent_ReadsEveryField()
    {
        var result = AlertEventParser.Parse(Valid);

        result.IsSuccess.Should().BeTrue(string.Join("\n", result.Errors));
        var e = result.Value;
        e.EventId.Value.Should().Be("trial-aqtau-activists");
        e.Kind.Should().Be(EventKind.TrialDate);
        e.SchemaVersion.Should().Be(1);
        e.OccurredAt.Should().Be(Instant.FromUtc(2025, 3, 1, 9, 0));
        e.CampaignId.Value.Should().Be("free-the-oil-workers");
        e.Occurrence.Local.Should().Be(new LocalDateTime(2025, 3, 10, 10, 0));
        e.Occurrence.TimeZone.Id.Should().Be("Asia/Aqtau");
        e.Occurrence.Instant.Should().Be(Instant.FromUtc(2025, 3, 10, 5, 0));   // Aqtau is UTC+5
        e.Reminder.Should().Be(Reminder.Parse("P1D"));
        e.Audience.UnionIds.Should().Equal(UnionId.Parse("kz-oil"));
        e.Audience.Branches.Should().Equal(new BranchRef(UnionId.Parse("uk-unite"), BranchId.Parse("london")));
        e.Channels.Should().Equal(Channel.Sms, Channel.Email);
        e.Variables.Should().Contain("place", "Aqtau city court");
        e.Templates.Select(t => t.Language.Value).Should().Equal("en", "ru");
        e.Templates[0].Email!.Html.Should().Be("<p>{{place}}</p>");
        e.Templates[1].Email!.Html.Should().BeNull();
        e.TemplateRef.Should().BeNull();
        e.ExpiresAt.Should().Be(e.Occurrence.Instant);
    }

    [Fact]
    public void Serialize_ThenParse_RoundTripsToAnEqualEvent()
    {
        var original = AlertEventParser.Parse(Valid).Value with { ExplicitExpiry = Instant.FromUtc(2025, 3, 10, 4, 0) };

        var json = AlertEventSerializer.Serialize(original);
        var again = AlertEventParser.Parse(json);

        again.IsSuccess.Should().BeTrue(string.Join("\n", again.Errors));
        again.Value.Should().Be(original);
        json.Should().Contain("суд завтра").And.Contain("\"expiresAt\":\"2025-03-10T04:00:00Z\"");
    }

    [Fact]
    public void Serialize_UsesCamelCaseAndNoReservedTopLevelNames()
    {
        var json = AlertEventSerializer.Serialize(AlertEventParser.Parse(Valid).Value, indented: true);

        var names = JsonNode.Parse(json)!.AsObject().Select(p => p.Key).ToList();
        names.Should().OnlyContain(n => char.IsLower(n[0]));
        names.Should().NotContain(n => AlertEventParser.ReservedTopLevelNames.Contains(n));
    }

    [Fact]
    public void TopLevelNames_NeverCollideWithAnyTriggerMetadataKey()
    {
        // Queue and Service Bus trigger metadata keys listed in /work/shared/reference/custom-handler.md.
        string[] metadata =
        [
            "DequeueCount", "Id", "InsertionTime", "ExpirationTime", "NextVisibleTime", "PopReceipt", "sys",
            "DeliveryCount", "MessageId", "SequenceNumber", "EnqueuedTimeUtc", "ApplicationProperties",
        ];
        var json = AlertEventSerializer.Serialize(AlertEventParser.Parse(Valid).Value with
        {
            ExplicitExpiry = Instant.FromUtc(2025, 3, 10, 4, 0),
        });

        var names = JsonNode.Parse(json)!.AsObject().Select(p => p.Key);

        names.Should().NotIntersectWith(metadata.Select(m => m.ToLowerInvariant()).Concat(metadata))
            .And.OnlyContain(n => !metadata.Contains(n, StringComparer.OrdinalIgnoreCase));
    }

    [Fact]
    public void Result_ToString_NeverPrintsTheValue()
    {
        var result = AlertEventParser.Parse(Valid);

        result.ToString().Should().Be("Success");
        AlertEventParser.Parse("{}").ToString().Should().Be("Failure($.schemaVersion: is required)");
    }

    [Theory]
    [InlineData(null, "$: the message is empty")]
    [InlineData("  ", "$: the message is empty")]
    [InlineData("{\"schemaVersion\":1,", "$: not valid JSON*")]
    [InlineData("[1,2]", "$: must be a JSON object, not an array")]
    [InlineData("\"{}\"", "$: must be a JSON object, not a string")]
    [InlineData("{}", "$.schemaVersion: is required")]
    [InlineData("{\"schemaVersion\":\"1\"}", "$.schemaVersion: must be the number 1")]
    [InlineData("{\"schemaVersion\":1.5}", "$.schemaVersion: must be the number 1")]
    public void Parse_Garbage_ReturnsErrorsAndNeverThrows(string? json, string expected)
    {
        ErrorsOf(json!).Should().ContainSingle().Which.Should().Match(expected);
    }

    [Fact]
    public void Parse_UnknownSchemaVersion_IsTheOnlyErrorReported()
    {
        var node = ValidNode();
        node["schemaVersion"] = 2;
        node["somethingNew"] = "v2 field";

        ErrorsOf(node).Should().Equal("$.schemaVersion: unsupported schema version 2; this build reads version 1");
    }

    [Fact]
    public void Parse_UnknownTimeZone_NamesThePath()
    {
        var node = ValidNode();
        node["occurrence"]!["timeZone"] = "Europe/Londn";

        ErrorsOf(node).Should().ContainSingle().Which.Should().StartWith("$.occurrence.timeZone: unknown time zone 'Europe/Londn'");
    }

    [Theory]
    [InlineData("Id")]
    [InlineData("id")]
    [InlineData("DequeueCount")]
    [InlineData("DeliveryCount")]
    [InlineData("MessageId")]
    public void Parse_ReservedTopLevelName_IsAnError(string name)
    {
        var node = ValidNode();
        node[name] = "x";

        ErrorsOf(node).Should().ContainSingle().Which.Should().StartWith($"$.{name}: '{name}' is reserved");
    }

    [Fact]
    public void Parse_UnknownOrMiscasedProperties_AreErrors()
    {
        var node = ValidNode();
        node["expiresAT"] = "2025-03-10T04:00:00Z";
        node["occurrence"]!["zone"] = "UTC";

        ErrorsOf(node).Should().BeEquivalentTo(
            "$.expiresAT: unknown property (names are case-sensitive: did you mean 'expiresAt'?)",
            "$.occurrence.zone: unknown property (expected localDateTime, timeZone)");
    }

    [Fact]
    public void Parse_DuplicateProperty_IsAnError()
    {
        var json = Valid.Replace("\"kind\": \"trial-date\",", "\"kind\": \"trial-date\", \"kind\": \"anniversary\",", StringComparison.Ordinal);

        ErrorsOf(json).Should().Equal("$.kind: duplicate property");
    }

    [Fact]
    public void Parse_EveryFieldWrong_ReportsEachWithItsPath()
    {
        var node = ValidNode();
        node["eventId"] = "Trial 1";
        node["kind"] = "hearing";
        node["occurredAt"] = "yesterday";
        node["campaignId"] = 5;
        node["occurrence"]!["localDateTime"] = "2025-03-10T10:00+05:00";
        node["reminder"] = "-P1D";
        node["channels"] = new JsonArray("sms", "fax", "sms");
        node["audience"]!["unionIds"] = new JsonArray("KZ");
        node["audience"]!["branches"]![0]!["branchId"] = null;
        node["variables"]!["place"] = 12;

        ErrorsOf(node).Should().BeEquivalentTo(
            "$.eventId: event id contains 'T' at position 0; only lowercase letters a-z, digits and '-' are allowed",
            "$.kind: unknown kind 'hearing' (expected one of anniversary, trial-date, trial-postponed, trial-cancelled)",
            "$.occurredAt: 'yesterday' is not an ISO-8601 date and time with an offset, such as 2025-12-09T06:00:00Z",
            "$.campaignId: must be a string, not a number",
            "$.occurrence.localDateTime: '2025-03-10T10:00+05:00' is not a local date and time such as 2025-12-16T11:00 (no offset: the zone goes in timeZone)",
            "$.reminder: reminder '-P1D' is neither 'immediate', 'on-the-day', 'day-before', 'week-before' nor an ISO-8601 period such as 'P7D' or 'PT2H'",
            "$.channels[1]: unknown channel 'fax' (expected 'sms' or 'email')",
            "$.channels[2]: channel 'sms' is listed twice",
            "$.audience.unionIds[0]: union id contains 'K' at position 0; only lowercase letters a-z, digits and '-' are allowed",
            "$.audience.branches[0].branchId: is required",
            "$.variables.place: must be a string, not a number");
    }

    [Fact]
    public void Parse_MissingRequiredFields_ListsEach()
    {
        var errors = ErrorsOf("{\"schemaVersion\":1}");

        errors.Should().BeEquivalentTo(
            "$.eventId: is required", "$.kind: is required", "$.occurredAt: is required", "$.campaignId: is required",
            "$.reminder: is required", "$.occurrence: is required", "$.channels: is required");
    }

    [Fact]
    public void Parse_TemplateUsingUnknownVariable_NamesVariableAndPath()
    {
        var node = ValidNode();
        node["templates"]!["en"]!["sms"] = "At {{plcae}} on {{date}}";

        ErrorsOf(node).Should().ContainSingle().Which.Should().StartWith("$.templates.en.sms: unknown variable 'plcae'");
    }

    [Fact]
    public void Parse_TemplateSyntaxErrors_AreReported()
    {
        var node = ValidNode();
        node["templates"]!["en"]!["sms"] = "At {{place";
        node["templates"]!["ru"]!["email"]!["subject"] = "{{ 1st }}";

        ErrorsOf(node).Should().BeEquivalentTo(
            "$.templates.en.sms: unterminated placeholder at position 3: '{{' without '}}'",
            "$.templates.ru.email.subject: invalid placeholder '{{ 1st }}' at position 0: a name is a letter followed by letters, digits or '_'");
    }

    [Fact]
    public void Parse_TemplateMissingARequestedChannel_IsAnError()
    {
        var node = ValidNode();
        node["templates"]!["ru"]!.AsObject().Remove("email");

        ErrorsOf(node).Should().Equal("$.templates.ru.email: is required because channels include 'email'");
    }

    [Fact]
    public void Parse_TemplateForUnrequestedChannel_IsAllowed()
    {
        var node = ValidNode();
        node["channels"] = new JsonArray("sms");

        AlertEventParser.Parse(node.ToJsonString()).IsSuccess.Should().BeTrue();
    }

    [Fact]
    public void Parse_EmptySmsTemplate_IsAnError()
    {
        var node = ValidNode();
        node["templates"]!["en"]!["sms"] = "  ";

        ErrorsOf(node).Should().Equal("$.templates.en.sms: must not be empty");
    }

    [Fact]
    public void Parse_BadTemplateLanguages_AreErrors()
    {
        var json = Valid.Replace("\"ru\": {", "\"EN\": {", StringComparison.Ordinal);
        ErrorsOf(json).Should().Equal("$.templates.EN: language 'en' appears twice");

        var node = ValidNode();
        node["templates"]!["english"] = new JsonObject { ["sms"] = "x" };
        ErrorsOf(node).Should().ContainSingle().Which.Should().StartWith("$.templates.english: language tag 'english'");
    }

    [Fact]
    public void Parse_TemplateWithNeitherSmsNorEmail_IsAnError()
    {
        var node = ValidNode();
        node["templates"]!["kk"] = new JsonObject();

        ErrorsOf(node).Should().Equal("$.templates.kk: needs 'sms', 'email' or both");
    }

    [Fact]
    public void Parse_EmailWithoutSubject_IsAnError()
    {
        var node = ValidNode();
        node["templates"]!["en"]!["email"]!.AsObject().Remove("subject");

        ErrorsOf(node).Should().Equal("$.templates.en.email.subject: is required");
    }

    [Fact]
    public void Parse_TemplateRefInsteadOfTemplates_IsAccepted()
    {
        var node = ValidNode();
        node.Remove("templates");
        node["templateRef"] = "trial-reminder";

        var result = AlertEventParser.Parse(node.ToJsonString());

        result.IsSuccess.Should().BeTrue(string.Join("\n", result.Errors));
        result.Value.TemplateRef!.Name.Should().Be("trial-reminder");
        result.Value.Templates.Should().BeEmpty();
    }

    [Fact]
    public void Parse_BothOrNeitherTemplatesAndTemplateRef_IsAnError()
    {
        var both = ValidNode();
        both["templateRef"] = "trial-reminder";
        ErrorsOf(both).Should().Equal("$.templateRef: give either templates or templateRef, not both");

        var neither = ValidNode();
        neither.Remove("templates");
        ErrorsOf(neither).Should().Equal("$.templates: is required (at least one language), unless templateRef is given");
    }

    [Fact]
    public void Parse_EmptyChannels_IsAnError()
    {
        var node = ValidNode();
        node["channels"] = new JsonArray();

        ErrorsOf(node).Should().Equal("$.channels: at least one channel is required ('sms', 'email')");
    }

    [Theory]
    [InlineData("name")]
    [InlineData("date")]
    [InlineData("campaign")]
    public void Parse_VariableNamedLikeAPerRecipientOne_IsAnError(string name)
    {
        var node = ValidNode();
        node["variables"]![name] = "x";

        ErrorsOf(node).Should().Equal($"$.variables.{name}: '{name}' is filled per recipient and cannot be set by the event");
    }

    [Fact]
    public void Parse_InvalidVariableName_UsesBracketPath()
    {
        var node = ValidNode();
        node["variables"]!["court room"] = "3";

        ErrorsOf(node).Should().Equal("$.variables['court room']: invalid variable name: a letter followed by letters, digits or '_'");
    }

    [Fact]
    public void Parse_OverlongVariable_IsAnError()
    {
        var node = ValidNode();
        node["variables"]!["place"] = new string('x', 1001);

        ErrorsOf(node).Should().Equal("$.variables.place: is 1001 characters long; at most 1000 are allowed");
    }

    [Fact]
    public void Parse_ExpiryNotAfterOccurredAt_IsAnError()
    {
        var node = ValidNode();
        node["expiresAt"] = "2025-03-01T09:00:00Z";
        ErrorsOf(node).Should().Equal("$.expiresAt: must be after occurredAt");

        var past = ValidNode();
        past["occurrence"]!["localDateTime"] = "2011-12-16T11:00";
        ErrorsOf(past).Should().Equal("$.occurrence: is not after occurredAt; without expiresAt the alert would expire before it was raised");
    }

    [Fact]
    public void Parse_OffsetsInInstants_AreAccepted()
    {
        var node = ValidNode();
        node["occurredAt"] = "2025-03-01T14:00:00+05:00";
        node["expiresAt"] = "2025-03-10T04:30:00.5Z";

        var e = AlertEventParser.Parse(node.ToJsonString()).Value;

        e.OccurredAt.Should().Be(Instant.FromUtc(2025, 3, 1, 9, 0));
        e.ExpiresAt.Should().Be(Instant.FromUtc(2025, 3, 10, 4, 30).PlusNanoseconds(500_000_000));
    }

    [Fact]
    public void Parse_AudienceOmitted_IsEveryoneSubscribed()
    {
        var node = ValidNode();
        node.Remove("audience");

        AlertEventParser.Parse(node.ToJsonString()).Value.Audience.IsEveryone.Should().BeTrue();
    }

    [Fact]
    public void Parse_NullOptionalField_IsTreatedAsAbsent()
    {
        var node = ValidNode();
        node["audience"] = null;
        node["expiresAt"] = null;

        AlertEventParser.Parse(node.ToJsonString()).IsSuccess.Should().BeTrue();
    }

    [Fact]
    public void Parse_WrongJsonTypes_AreNamed()
    {
        var node = ValidNode();
        node["occurrence"] = "2025-03-10";
        node["channels"] = "sms";
        node["templates"] = new JsonArray();

        ErrorsOf(node).Should().BeEquivalentTo(
            "$.occurrence: must be an object, not a string",
            "$.channels: must be an array, not a string",
            "$.templates: must be an object, not an array");
    }

    [Fact]
    public void Validate_EventBuiltInCode_AppliesTheSameRules()
    {
        var e = new AlertEvent
        {
            EventId = EventId.Parse("e"),
            Kind = EventKind.Anniversary,
            OccurredAt = Instant.FromUtc(2025, 12, 1, 0, 0),
            CampaignId = CampaignId.Parse("c"),
            Occurrence = new Occurrence(new LocalDateTime(2025, 12, 16, 11, 0), TimeZoneId.Parse("Asia/Aqtau")),
            Reminder = Reminder.Immediate,
            Channels = new([Channel.Sms]),
            Templates = new([new MessageTemplate(LanguageTag.English, "Remember {{who}}", null)]),
        };

        AlertEventParser.Validate(e).Select(x => x.ToString()).Should().ContainSingle()
            .Which.Should().StartWith("$.templates.en.sms: unknown variable 'who'");
    }

    [Fact]
    public void Parse_SmsTemplateOverTwiliosBodyLimit_NamesTheTemplateAndTheLimit()
    {
        var node = ValidNode();
        node["templates"]!["en"]!["sms"] = new string('x', 30_000);

        ErrorsOf(node).Should().ContainSingle().Which.Should().Be(
            "$.templates.en.sms: is 30000 characters long; an SMS may be at most 1600 characters (Twilio's limit for one message)");
    }

    [Fact]
    public void Parse_SmsUnderTheLimitThatTheEventsVariablesPushOver_IsRefused()
    {
        var node = ValidNode();
        node["variables"]!["place"] = new string('p', 1000);
        node["templates"]!["en"]!["sms"] = new string('x', 700) + " {{place}}";

        ErrorsOf(node).Should().ContainSingle().Which.Should().StartWith("$.templates.en.sms: is at least 1701 characters long with the event's variables");
    }

    [Fact]
    public void Parse_SmsOfExactly1600CharactersWithPerRecipientPlaceholders_IsAccepted()
    {
        var node = ValidNode();
        node["templates"]!["en"]!["sms"] = new string('x', 1590) + "{{name}}{{date}}";

        ErrorsOf(node).Should().BeEmpty("per-recipient values are only known at send time; the renderer checks the final text");
    }

    [Fact]
    public void MinimumLength_CountsKnownVariablesAndNotPerRecipientOnes() =>
        TemplateText.MinimumLength("Hi {{name}}, {{ place }}!", new Dictionary<string, string> { ["place"] = "Aqtau" }).Should().Be("Hi , Aqtau!".Length);
}
