using System.Text.Json;
using AlertPipeline.Core.Common;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Messaging;
using NodaTime;
using NodaTime.Text;

namespace AlertPipeline.Core.Events;

/// <summary>
/// Reads version 1 of the <c>alert-events</c> message (see <c>docs/events.md</c>). Never throws on bad input: it
/// returns every problem it finds, each naming the JSON path of the field
/// (<c>$.occurrence.timeZone: unknown time zone 'Europe/Londn'</c>). Property names are case-sensitive camelCase;
/// unknown properties are errors (a misspelt optional field must not vanish silently), and so are top-level names the
/// Functions host would merge into trigger metadata (<see cref="ReservedTopLevelNames"/>).
/// </summary>
public static class AlertEventParser
{
    /// <summary>Top-level names the Functions host merges into trigger metadata (compared case-insensitively).</summary>
    public static IReadOnlySet<string> ReservedTopLevelNames { get; } =
        new HashSet<string>(["Id", "DequeueCount", "DeliveryCount", "MessageId"], StringComparer.OrdinalIgnoreCase);

    /// <summary>The longest value an event variable may have.</summary>
    public const int MaxVariableLength = 1000;

    private static readonly OffsetDateTimePattern InstantInput = OffsetDateTimePattern.ExtendedIso;
    private static readonly LocalDateTimePattern LocalWithSeconds = LocalDateTimePattern.ExtendedIso;
    private static readonly LocalDateTimePattern LocalWithoutSeconds = LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm");

    private static readonly string[] TopLevel =
    [
        "schemaVersion", "eventId", "kind", "occurredAt", "campaignId", "occurrence", "reminder", "audience",
        "channels", "expiresAt", "variables", "templates", "templateRef", TraceParentProperty,
    ];

    /// <summary>
    /// The optional W3C trace context of the producer (docs/observability.md): the alert's trace continues from it. Only
    /// its type is checked (a string); a value that is not a valid traceparent starts a new trace, it never rejects an alert.
    /// </summary>
    public const string TraceParentProperty = PipelineTelemetry.TraceParentField;

    /// <summary>
    /// The event's top-level <c>traceparent</c> string, or null (absent, not a string, or the body is not a JSON object).
    /// Reads only the top level, without building a document; the trace is the FanOut function's business, the event's
    /// validity the parser's.
    /// </summary>
    public static string? TraceParentOf(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json), new JsonReaderOptions { MaxDepth = 16 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isTrace = reader.ValueTextEquals(TraceParentProperty);
                if (!reader.Read())
                {
                    return null;
                }

                if (isTrace && reader.TokenType == JsonTokenType.String)
                {
                    return reader.GetString();
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    public static Result<AlertEvent> Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return Result.Failure<AlertEvent>(JsonPath.Root, "the message is empty");
        }

        // A NUL is never in JSON text (it is escaped as \u0000): raw NULs are a UTF-16 (or binary) body read as UTF-8.
        if (json.Contains('\0', StringComparison.Ordinal))
        {
            return Result.Failure<AlertEvent>(
                JsonPath.Root, "is not UTF-8 text (it holds NUL characters, as UTF-16 does): send the event as UTF-8 JSON");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException ex)
        {
            return Result.Failure<AlertEvent>(JsonPath.Root, IsTooDeep(json)
                ? $"nests deeper than {MaxDepth} levels of objects and arrays (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})"
                : $"not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})");
        }

        using (document)
        {
            var undecodable = new List<ValidationError>();
            FindReplacementCharacters(document.RootElement, JsonPath.Root, undecodable);
            var result = Read(document.RootElement);
            return undecodable.Count == 0 ? result : Result.Failure<AlertEvent>([.. undecodable, .. result.Errors]);
        }
    }

    /// <summary>How deep objects and arrays may nest in an event (its own shape needs 4).</summary>
    public const int MaxDepth = 16;

    private static bool IsTooDeep(string json)
    {
        try
        {
            using var _ = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 4096 });
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Every string (name or value) holding U+FFFD, the character a decoder puts for bytes that were not UTF-8 (a producer
    /// that wrote Latin-1 or Windows-1251): such text would reach members garbled, so the event is refused instead.
    /// </summary>
    private static void FindReplacementCharacters(JsonElement element, string path, List<ValidationError> errors)
    {
        const string problem = "contains U+FFFD, the replacement character: the message was not valid UTF-8 (was it written as Latin-1 or Windows-1251?); send the event as UTF-8";
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var propertyPath = JsonPath.Property(path, property.Name);
                    if (property.Name.Contains('\uFFFD', StringComparison.Ordinal))
                    {
                        errors.Add(new(propertyPath, "the name " + problem));
                    }

                    FindReplacementCharacters(property.Value, propertyPath, errors);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    FindReplacementCharacters(item, $"{path}[{index++}]", errors);
                }

                break;
            case JsonValueKind.String when element.GetString()!.Contains('\uFFFD', StringComparison.Ordinal):
                errors.Add(new(path, problem));
                break;
        }
    }

    /// <summary>
    /// The cross-field rules, for events built in code (the parser applies them too): templates xor templateRef; at
    /// least one channel; every inline template covers every channel, with valid placeholder syntax and only known
    /// variables, and an SMS text no longer than <see cref="SmsEncoder.MaxBodyLength"/> characters once the event's own
    /// variables are filled in; variable names valid and not per-recipient; expiry after <see cref="EventEnvelope.OccurredAt"/>.
    /// Paths are those of the JSON form.
    /// </summary>
    public static IReadOnlyList<ValidationError> Validate(AlertEvent alertEvent)
    {
        ArgumentNullException.ThrowIfNull(alertEvent);
        var errors = new List<ValidationError>();
        var root = JsonPath.Root;

        if (alertEvent.Channels.Count == 0)
        {
            errors.Add(new(Path(root, "channels"), "at least one channel is required ('sms', 'email')"));
        }
        else if (alertEvent.Channels.Distinct().Count() != alertEvent.Channels.Count)
        {
            errors.Add(new(Path(root, "channels"), "lists a channel twice"));
        }

        foreach (var (name, value) in alertEvent.Variables)
        {
            var path = Path(Path(root, "variables"), name);
            if (!TemplateText.IsValidName(name))
            {
                errors.Add(new(path, "invalid variable name: a letter followed by letters, digits or '_'"));
            }
            else if (TemplateVariables.PerRecipient.Contains(name))
            {
                errors.Add(new(path, $"'{name}' is filled per recipient and cannot be set by the event"));
            }

            if (value.Length > MaxVariableLength)
            {
                errors.Add(new(path, $"is {value.Length} characters long; at most {MaxVariableLength} are allowed"));
            }
        }

        if (alertEvent.TemplateRef is not null && alertEvent.Templates.Count > 0)
        {
            errors.Add(new(Path(root, "templateRef"), "give either templates or templateRef, not both"));
        }
        else if (alertEvent.TemplateRef is null && alertEvent.Templates.Count == 0)
        {
            errors.Add(new(Path(root, "templates"), "is required (at least one language), unless templateRef is given"));
        }

        var known = new HashSet<string>(alertEvent.Variables.Keys, StringComparer.Ordinal);
        known.UnionWith(TemplateVariables.PerRecipient);
        var seen = new HashSet<LanguageTag>();
        foreach (var template in alertEvent.Templates)
        {
            var path = Path(Path(root, "templates"), template.Language.Value);
            if (!seen.Add(template.Language))
            {
                errors.Add(new(path, "the language appears twice"));
                continue;
            }

            foreach (var channel in alertEvent.Channels.Distinct())
            {
                if (!template.Covers(channel))
                {
                    errors.Add(new(Path(path, channel.ToWireName()), $"is required because channels include '{channel.ToWireName()}'"));
                }
            }

            CheckText(template.Sms, Path(path, "sms"), known, errors);
            if (template.Sms is { } sms && TemplateText.MinimumLength(sms, alertEvent.Variables) is var smsLength && smsLength > SmsEncoder.MaxBodyLength)
            {
                errors.Add(new(Path(path, "sms"), TemplateText.MinimumLength(sms, ValueDictionary.Empty) == smsLength
                    ? $"is {smsLength} characters long; an SMS may be at most {SmsEncoder.MaxBodyLength} characters (Twilio's limit for one message)"
                    : $"is at least {smsLength} characters long with the event's variables; an SMS may be at most {SmsEncoder.MaxBodyLength} characters (Twilio's limit for one message)"));
            }
            if (template.Email is { } email)
            {
                var emailPath = Path(path, "email");
                CheckText(email.Subject, Path(emailPath, "subject"), known, errors);
                CheckText(email.Text, Path(emailPath, "text"), known, errors);
                CheckText(email.Html, Path(emailPath, "html"), known, errors, allowEmpty: false);
            }
        }

        if (alertEvent.ExpiresAt <= alertEvent.OccurredAt)
        {
            errors.Add(alertEvent.ExplicitExpiry is null
                ? new(Path(root, "occurrence"), "is not after occurredAt; without expiresAt the alert would expire before it was raised")
                : new(Path(root, "expiresAt"), "must be after occurredAt"));
        }

        return errors;
    }

    /// <summary>C0 controls but tab and line breaks, DEL, and C1 controls: nothing a member's phone should be sent.</summary>
    private static readonly System.Buffers.SearchValues<char> ControlCharacters = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0, 0xA0).Select(i => (char)i).Where(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t')]);

    private static void CheckText(string? text, string path, HashSet<string> known, List<ValidationError> errors, bool allowEmpty = false)
    {
        if (text is null)
        {
            return;
        }

        if (!allowEmpty && string.IsNullOrWhiteSpace(text))
        {
            errors.Add(new(path, "must not be empty"));
            return;
        }

        var control = text.AsSpan().IndexOfAny(ControlCharacters);
        if (control >= 0)
        {
            errors.Add(new(path, $"contains a control character (U+{(int)text[control]:X4}); only line breaks and tabs are allowed"));
        }

        var placeholders = TemplateText.Placeholders(text, path);
        if (!placeholders.IsSuccess)
        {
            errors.AddRange(placeholders.Errors);
            return;
        }

        foreach (var name in placeholders.Value.Where(n => !known.Contains(n)))
        {
            errors.Add(new(path, $"unknown variable '{name}': not in variables and not a per-recipient variable ({string.Join(", ", TemplateVariables.PerRecipient.Order(StringComparer.Ordinal))})"));
        }
    }

    private static Result<AlertEvent> Read(JsonElement root)
    {
        var errors = new List<ValidationError>();
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Result.Failure<AlertEvent>(JsonPath.Root, $"must be a JSON object, not {Describe(root.ValueKind)}");
        }

        var top = new ObjectReader(root, JsonPath.Root, errors, TopLevel, ReservedTopLevelNames);

        // The version decides how to read everything else: an unknown version is the only error reported.
        if (!top.TryGet("schemaVersion", required: true, out var versionElement))
        {
            return Result.Failure<AlertEvent>(errors);
        }

        if (versionElement.ValueKind != JsonValueKind.Number || !versionElement.TryGetInt32(out var version))
        {
            return Result.Failure<AlertEvent>(top.PathOf("schemaVersion"), $"must be the number {AlertEvent.CurrentSchemaVersion}");
        }

        if (version != AlertEvent.CurrentSchemaVersion)
        {
            return Result.Failure<AlertEvent>(
                top.PathOf("schemaVersion"), $"unsupported schema version {version}; this build reads version {AlertEvent.CurrentSchemaVersion}");
        }

        var eventId = top.Parse<EventId>("eventId", required: true, (string s, out EventId? v, out string? e) => EventId.TryParse(s, out v, out e));
        var kind = top.Parse<EventKind?>("kind", required: true, ParseKind);
        var occurredAt = top.Parse<Instant?>("occurredAt", required: true, ParseInstant);
        var campaignId = top.Parse<CampaignId>("campaignId", required: true, (string s, out CampaignId? v, out string? e) => CampaignId.TryParse(s, out v, out e));
        var reminder = top.Parse<Reminder>("reminder", required: true, (string s, out Reminder? v, out string? e) => Reminder.TryParse(s, out v, out e));
        var expiresAt = top.Parse<Instant?>("expiresAt", required: false, ParseInstant);
        var templateRef = top.Parse<TemplateRef>("templateRef", required: false, (string s, out TemplateRef? v, out string? e) => TemplateRef.TryParse(s, out v, out e));
        var occurrence = top.TryGet("occurrence", required: true, out var o) ? ReadOccurrence(o, top.PathOf("occurrence"), errors) : null;
        var audience = top.TryGet("audience", required: false, out var a) ? ReadAudience(a, top.PathOf("audience"), errors) : Audience.Everyone;
        var channels = top.TryGet("channels", required: true, out var c) ? ReadChannels(c, top.PathOf("channels"), errors) : null;
        var variables = top.TryGet("variables", required: false, out var v) ? ReadVariables(v, top.PathOf("variables"), errors) : ValueDictionary.Empty;
        var templates = top.TryGet("templates", required: false, out var t) ? ReadTemplates(t, top.PathOf("templates"), errors) : ValueList.Empty<MessageTemplate>();
        if (top.TryGet(TraceParentProperty, required: false, out var trace))
        {
            _ = ObjectReader.String(trace, top.PathOf(TraceParentProperty), errors);
        }

        if (errors.Count > 0 || eventId is null || kind is null || occurredAt is null || campaignId is null
            || reminder is null || occurrence is null || audience is null || channels is null || variables is null || templates is null)
        {
            return Result.Failure<AlertEvent>(errors);
        }

        var alertEvent = new AlertEvent
        {
            EventId = eventId,
            Kind = kind.Value,
            OccurredAt = occurredAt.Value,
            CampaignId = campaignId,
            Occurrence = occurrence,
            Reminder = reminder,
            Audience = audience,
            Channels = channels,
            Templates = templates,
            TemplateRef = templateRef,
            Variables = variables,
            ExplicitExpiry = expiresAt,
        };

        var ruleErrors = Validate(alertEvent);
        return ruleErrors.Count == 0 ? Result.Success(alertEvent) : Result.Failure<AlertEvent>(ruleErrors);
    }

    private static Occurrence? ReadOccurrence(JsonElement element, string path, List<ValidationError> errors)
    {
        if (!ObjectReader.RequireObject(element, path, errors))
        {
            return null;
        }

        var reader = new ObjectReader(element, path, errors, ["localDateTime", "timeZone"]);
        var local = reader.Parse<LocalDateTime?>("localDateTime", required: true, ParseLocal);
        var zone = reader.Parse<TimeZoneId>("timeZone", required: true, (string s, out TimeZoneId? z, out string? e) => TimeZoneId.TryParse(s, out z, out e));
        return local is null || zone is null ? null : new Occurrence(local.Value, zone);
    }

    private static Audience? ReadAudience(JsonElement element, string path, List<ValidationError> errors)
    {
        if (!ObjectReader.RequireObject(element, path, errors))
        {
            return null;
        }

        var before = errors.Count;
        var reader = new ObjectReader(element, path, errors, ["unionIds", "branches"]);
        var unions = new List<UnionId>();
        var branches = new List<BranchRef>();
        if (reader.TryGet("unionIds", required: false, out var unionIds) && ObjectReader.RequireArray(unionIds, reader.PathOf("unionIds"), errors))
        {
            var i = 0;
            foreach (var item in unionIds.EnumerateArray())
            {
                var itemPath = JsonPath.Index(reader.PathOf("unionIds"), i++);
                if (ObjectReader.String(item, itemPath, errors) is { } s)
                {
                    if (UnionId.TryParse(s, out var id, out var error))
                    {
                        unions.Add(id);
                    }
                    else
                    {
                        errors.Add(new(itemPath, error));
                    }
                }
            }
        }

        if (reader.TryGet("branches", required: false, out var branchArray) && ObjectReader.RequireArray(branchArray, reader.PathOf("branches"), errors))
        {
            var i = 0;
            foreach (var item in branchArray.EnumerateArray())
            {
                var itemPath = JsonPath.Index(reader.PathOf("branches"), i++);
                if (!ObjectReader.RequireObject(item, itemPath, errors))
                {
                    continue;
                }

                var branchReader = new ObjectReader(item, itemPath, errors, ["unionId", "branchId"]);
                var unionId = branchReader.Parse<UnionId>("unionId", required: true, (string s, out UnionId? x, out string? e) => UnionId.TryParse(s, out x, out e));
                var branchId = branchReader.Parse<BranchId>("branchId", required: true, (string s, out BranchId? x, out string? e) => BranchId.TryParse(s, out x, out e));
                if (unionId is not null && branchId is not null)
                {
                    branches.Add(new BranchRef(unionId, branchId));
                }
            }
        }

        return errors.Count == before ? new Audience(unions, branches) : null;
    }

    private static ValueList<Channel>? ReadChannels(JsonElement element, string path, List<ValidationError> errors)
    {
        if (!ObjectReader.RequireArray(element, path, errors))
        {
            return null;
        }

        var before = errors.Count;
        var channels = new List<Channel>();
        var i = 0;
        foreach (var item in element.EnumerateArray())
        {
            var itemPath = JsonPath.Index(path, i++);
            if (ObjectReader.String(item, itemPath, errors) is not { } s)
            {
                continue;
            }

            if (!ChannelNames.TryParse(s, out var channel))
            {
                errors.Add(new(itemPath, $"unknown channel '{s}' (expected 'sms' or 'email')"));
            }
            else if (channels.Contains(channel))
            {
                errors.Add(new(itemPath, $"channel '{s}' is listed twice"));
            }
            else
            {
                channels.Add(channel);
            }
        }

        return errors.Count == before ? ValueList.From(channels) : null;
    }

    private static ValueDictionary? ReadVariables(JsonElement element, string path, List<ValidationError> errors)
    {
        if (!ObjectReader.RequireObject(element, path, errors))
        {
            return null;
        }

        var before = errors.Count;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var itemPath = JsonPath.Property(path, property.Name);
            if (values.ContainsKey(property.Name))
            {
                errors.Add(new(itemPath, "duplicate property"));
            }
            else if (ObjectReader.String(property.Value, itemPath, errors) is { } s)
            {
                values[property.Name] = s;
            }
        }

        return errors.Count == before ? new ValueDictionary(values) : null;
    }

    private static ValueList<MessageTemplate>? ReadTemplates(JsonElement element, string path, List<ValidationError> errors)
    {
        if (!ObjectReader.RequireObject(element, path, errors))
        {
            return null;
        }

        var before = errors.Count;
        var templates = new List<MessageTemplate>();
        foreach (var property in element.EnumerateObject())
        {
            var itemPath = JsonPath.Property(path, property.Name);
            if (!LanguageTag.TryParse(property.Name, out var language, out var languageError))
            {
                errors.Add(new(itemPath, languageError));
                continue;
            }

            if (templates.Any(t => t.Language == language))
            {
                errors.Add(new(itemPath, $"language '{language}' appears twice"));
                continue;
            }

            if (!ObjectReader.RequireObject(property.Value, itemPath, errors))
            {
                continue;
            }

            var reader = new ObjectReader(property.Value, itemPath, errors, ["sms", "email"]);
            var sms = reader.TryGet("sms", required: false, out var smsElement) ? ObjectReader.String(smsElement, reader.PathOf("sms"), errors) : null;
            EmailTemplate? email = null;
            if (reader.TryGet("email", required: false, out var emailElement) && ObjectReader.RequireObject(emailElement, reader.PathOf("email"), errors))
            {
                var emailReader = new ObjectReader(emailElement, reader.PathOf("email"), errors, ["subject", "text", "html"]);
                var subject = emailReader.TryGet("subject", required: true, out var s) ? ObjectReader.String(s, emailReader.PathOf("subject"), errors) : null;
                var text = emailReader.TryGet("text", required: true, out var x) ? ObjectReader.String(x, emailReader.PathOf("text"), errors) : null;
                var html = emailReader.TryGet("html", required: false, out var h) ? ObjectReader.String(h, emailReader.PathOf("html"), errors) : null;
                if (subject is not null && text is not null)
                {
                    email = new EmailTemplate(subject, text, html);
                }
            }

            if (sms is null && email is null && errors.Count == before)
            {
                errors.Add(new(itemPath, "needs 'sms', 'email' or both"));
            }

            templates.Add(new MessageTemplate(language, sms, email));
        }

        return errors.Count == before ? ValueList.From(templates) : null;
    }

    private static bool ParseKind(string value, out EventKind? kind, out string? error)
    {
        kind = null;
        error = null;
        if (EventKindNames.TryParse(value, out var parsed))
        {
            kind = parsed;
            return true;
        }

        error = $"unknown kind '{value}' (expected one of {string.Join(", ", EventKindNames.WireNames)})";
        return false;
    }

    private static bool ParseInstant(string value, out Instant? instant, out string? error)
    {
        var result = InstantInput.Parse(value);
        instant = result.Success ? result.Value.ToInstant() : null;
        error = result.Success ? null : $"'{value}' is not an ISO-8601 date and time with an offset, such as 2025-12-09T06:00:00Z";
        return result.Success;
    }

    private static bool ParseLocal(string value, out LocalDateTime? local, out string? error)
    {
        var result = LocalWithSeconds.Parse(value);
        if (!result.Success)
        {
            result = LocalWithoutSeconds.Parse(value);
        }

        local = result.Success ? result.Value : null;
        error = result.Success ? null : $"'{value}' is not a local date and time such as 2025-12-16T11:00 (no offset: the zone goes in timeZone)";
        return result.Success;
    }

    private static string Path(string parent, string name) => JsonPath.Property(parent, name);

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };

    internal delegate bool TryParser<T>(string value, out T? result, out string? error);

    /// <summary>Reads one JSON object: reports duplicate, unknown and reserved properties once, then serves lookups.</summary>
    private sealed class ObjectReader
    {
        private readonly Dictionary<string, JsonElement> properties = new(StringComparer.Ordinal);
        private readonly string path;
        private readonly List<ValidationError> errors;

        public ObjectReader(JsonElement element, string path, List<ValidationError> errors, string[] known, IReadOnlySet<string>? reserved = null)
        {
            this.path = path;
            this.errors = errors;
            foreach (var property in element.EnumerateObject())
            {
                var propertyPath = PathOf(property.Name);
                if (reserved is not null && reserved.Contains(property.Name))
                {
                    errors.Add(new(propertyPath, $"'{property.Name}' is reserved: the Functions host merges top-level message fields into trigger metadata"));
                }
                else if (!known.Contains(property.Name, StringComparer.Ordinal))
                {
                    var hint = known.FirstOrDefault(k => string.Equals(k, property.Name, StringComparison.OrdinalIgnoreCase));
                    errors.Add(new(propertyPath, hint is null
                        ? $"unknown property (expected {string.Join(", ", known)})"
                        : $"unknown property (names are case-sensitive: did you mean '{hint}'?)"));
                }
                else if (!properties.TryAdd(property.Name, property.Value))
                {
                    errors.Add(new(propertyPath, "duplicate property"));
                }
            }
        }

        public string PathOf(string name) => JsonPath.Property(path, name);

        /// <summary>A present, non-null property; a missing (or null) required one is reported.</summary>
        public bool TryGet(string name, bool required, out JsonElement value)
        {
            if (properties.TryGetValue(name, out value) && value.ValueKind != JsonValueKind.Null)
            {
                return true;
            }

            if (required)
            {
                errors.Add(new(PathOf(name), "is required"));
            }

            return false;
        }

        public T? Parse<T>(string name, bool required, TryParser<T> parse)
        {
            if (!TryGet(name, required, out var element) || String(element, PathOf(name), errors) is not { } text)
            {
                return default;
            }

            if (parse(text, out var result, out var error))
            {
                return result;
            }

            errors.Add(new(PathOf(name), error ?? "is not valid"));
            return default;
        }

        public static string? String(JsonElement element, string path, List<ValidationError> errors)
        {
            if (element.ValueKind == JsonValueKind.String)
            {
                return element.GetString();
            }

            errors.Add(new(path, $"must be a string, not {Describe(element.ValueKind)}"));
            return null;
        }

        public static bool RequireObject(JsonElement element, string path, List<ValidationError> errors)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                return true;
            }

            errors.Add(new(path, $"must be an object, not {Describe(element.ValueKind)}"));
            return false;
        }

        public static bool RequireArray(JsonElement element, string path, List<ValidationError> errors)
        {
            if (element.ValueKind == JsonValueKind.Array)
            {
                return true;
            }

            errors.Add(new(path, $"must be an array, not {Describe(element.ValueKind)}"));
            return false;
        }
    }
}
