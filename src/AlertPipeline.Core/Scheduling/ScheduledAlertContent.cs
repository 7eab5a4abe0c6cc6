using AlertPipeline.Core.Common;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Messaging;
using NodaTime;
using EventReminder = AlertPipeline.Core.Events.Reminder;

namespace AlertPipeline.Core.Scheduling;

/// <summary>
/// The texts of one kind of scheduled alert: inline templates per language (the <c>templates</c> of the alert-event
/// contract) or the name of a template set stored with the campaign (<c>templateRef</c>).
/// </summary>
public sealed record AlertTemplates
{
    private AlertTemplates(ValueList<MessageTemplate> templates, TemplateRef? reference)
    {
        Templates = templates;
        Reference = reference;
    }

    /// <summary>Inline templates, in the order given; empty when <see cref="Reference"/> is set.</summary>
    public ValueList<MessageTemplate> Templates { get; }

    public TemplateRef? Reference { get; }

    /// <summary>Inline templates, at least one language.</summary>
    public static AlertTemplates Inline(IEnumerable<MessageTemplate> templates)
    {
        ArgumentNullException.ThrowIfNull(templates);
        var list = ValueList.From(templates);
        return list.Count == 0
            ? throw new ArgumentException("Inline templates need at least one language.", nameof(templates))
            : new AlertTemplates(list, null);
    }

    /// <summary>A template set stored with the campaign.</summary>
    public static AlertTemplates Stored(TemplateRef reference) =>
        new(ValueList.Empty<MessageTemplate>(), reference ?? throw new ArgumentNullException(nameof(reference)));
}

/// <summary>
/// What the alerts of a schedule carry besides the occurrence: channels, audience narrowing, event-wide variables, the
/// templates of reminders and (for trials) of the hearing-moved and hearing-cancelled notices, and how long after the
/// event a reminder may still be delivered. Validated once, with the alert-event contract's own rules
/// (<see cref="AlertEventParser.Validate"/>), so every occurrence of a stored schedule makes a valid event.
/// </summary>
public sealed record ScheduledAlertContent
{
    /// <summary>Event-wide variable set on hearing-moved notices: the previous hearing date (<c>2025-03-14</c>, court's zone).</summary>
    public const string PreviousDateVariable = "previousDate";

    /// <summary>Event-wide variable set on hearing-moved notices: the previous hearing time (<c>09:30</c>, court's zone).</summary>
    public const string PreviousTimeVariable = "previousTime";

    /// <summary>The longest <see cref="ExpiresAfterEvent"/> accepted.</summary>
    public static readonly Duration MaxExpiresAfterEvent = Duration.FromDays(7);

    public ScheduledAlertContent(
        IEnumerable<Channel> channels,
        AlertTemplates reminders,
        Audience? audience = null,
        ValueDictionary? variables = null,
        AlertTemplates? hearingMoved = null,
        AlertTemplates? hearingCancelled = null,
        Duration? expiresAfterEvent = null)
    {
        ArgumentNullException.ThrowIfNull(channels);
        Channels = ValueList.From(channels);
        Reminders = reminders ?? throw new ArgumentNullException(nameof(reminders));
        Audience = audience ?? Audience.Everyone;
        Variables = variables ?? ValueDictionary.Empty;
        HearingMoved = hearingMoved;
        HearingCancelled = hearingCancelled;
        ExpiresAfterEvent = expiresAfterEvent ?? Duration.Zero;

        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("The scheduled alert content is not valid: " + string.Join("; ", errors));
        }
    }

    public ValueList<Channel> Channels { get; }

    public Audience Audience { get; }

    /// <summary>Event-wide template variables (per-recipient ones are filled at fan-out).</summary>
    public ValueDictionary Variables { get; }

    /// <summary>Templates of every reminder (anniversary or hearing).</summary>
    public AlertTemplates Reminders { get; }

    /// <summary>Templates of the hearing-moved notice; may use <c>{{previousDate}}</c> and <c>{{previousTime}}</c>. Null: a trial cannot be postponed with notification.</summary>
    public AlertTemplates? HearingMoved { get; }

    /// <summary>Templates of the hearing-cancelled notice. Null: a trial cannot be cancelled with notification.</summary>
    public AlertTemplates? HearingCancelled { get; }

    /// <summary>How long after the event instant a reminder may still be delivered (0 = until the event).</summary>
    public Duration ExpiresAfterEvent { get; }

    /// <summary>The templates for an occurrence kind, or null when the content has none for it.</summary>
    public AlertTemplates? TemplatesFor(OccurrenceKind kind) => kind switch
    {
        OccurrenceKind.Reminder => Reminders,
        OccurrenceKind.HearingMoved => HearingMoved,
        OccurrenceKind.HearingCancelled => HearingCancelled,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown occurrence kind."),
    };

    /// <summary>The variables of an occurrence of <paramref name="kind"/>: the content's, plus the previous hearing for a move.</summary>
    internal ValueDictionary VariablesFor(OccurrenceKind kind, LocalDateTime? previousHearing) =>
        kind == OccurrenceKind.HearingMoved && previousHearing is { } previous
            ? Variables.With(
            [
                new(PreviousDateVariable, previous.Date.ToString("uuuu-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
                new(PreviousTimeVariable, previous.TimeOfDay.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture)),
            ])
            : Variables;

    private List<string> Validate()
    {
        var errors = new List<string>();
        if (ExpiresAfterEvent < Duration.Zero || ExpiresAfterEvent > MaxExpiresAfterEvent)
        {
            errors.Add($"expiresAfterEvent: must be between 0 and {MaxExpiresAfterEvent.TotalDays} days");
        }

        foreach (var reserved in new[] { PreviousDateVariable, PreviousTimeVariable })
        {
            if (Variables.ContainsKey(reserved))
            {
                errors.Add($"$.variables.{reserved}: is set by hearing-moved notices and cannot be given");
            }
        }

        Check("reminders", Reminders, OccurrenceKind.Reminder, errors);
        Check("hearingMoved", HearingMoved, OccurrenceKind.HearingMoved, errors);
        Check("hearingCancelled", HearingCancelled, OccurrenceKind.HearingCancelled, errors);
        return errors;
    }

    private void Check(string name, AlertTemplates? templates, OccurrenceKind kind, List<string> errors)
    {
        if (templates is null)
        {
            return;
        }

        // The contract's cross-field rules on a probe event: channels, audience, variables and these templates.
        var probe = new AlertEvent
        {
            EventId = EventId.Parse("probe"),
            Kind = EventKind.Anniversary,
            OccurredAt = Instant.FromUnixTimeSeconds(0),
            CampaignId = CampaignId.Parse("probe"),
            Occurrence = new Occurrence(new LocalDateTime(2000, 1, 1, 0, 0), TimeZoneId.Utc),
            Reminder = EventReminder.Immediate,
            Audience = Audience,
            Channels = Channels,
            Templates = templates.Templates,
            TemplateRef = templates.Reference,
            Variables = VariablesFor(kind, new LocalDateTime(2000, 1, 1, 0, 0)),
            ExplicitExpiry = Instant.FromUnixTimeSeconds(1),
        };
        errors.AddRange(AlertEventParser.Validate(probe).Select(e => $"{name}: {e}"));
    }
}
