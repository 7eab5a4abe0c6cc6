using AlertPipeline.Core.Common;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Messaging;
using NodaTime;

namespace AlertPipeline.Core.Events;

/// <summary>
/// What every event message carries: which event, what kind, the schema version of the message, and when the producer
/// raised it. In JSON these are top-level fields next to the body's (see <c>docs/events.md</c>).
/// </summary>
public abstract record EventEnvelope
{
    public required EventId EventId { get; init => field = value ?? throw new ArgumentNullException(nameof(EventId)); }

    public required EventKind Kind { get; init; }

    public abstract int SchemaVersion { get; }

    public required Instant OccurredAt { get; init; }
}

/// <summary>
/// Version 1 of a message on the <c>alert-events</c> queue: one reminder of one occurrence of an event, to send to a
/// campaign's audience. Build it with <see cref="AlertEventParser.Parse"/> (which validates) or an object initializer
/// followed by <see cref="AlertEventParser.Validate"/>; write it with <see cref="AlertEventSerializer.Serialize"/>.
/// </summary>
public sealed record AlertEvent : EventEnvelope
{
    public const int CurrentSchemaVersion = 1;

    public override int SchemaVersion => CurrentSchemaVersion;

    public required CampaignId CampaignId { get; init => field = value ?? throw new ArgumentNullException(nameof(CampaignId)); }

    public required Occurrence Occurrence { get; init => field = value ?? throw new ArgumentNullException(nameof(Occurrence)); }

    public required Reminder Reminder { get; init => field = value ?? throw new ArgumentNullException(nameof(Reminder)); }

    public Audience Audience { get; init => field = value ?? throw new ArgumentNullException(nameof(Audience)); } = Audience.Everyone;

    public required ValueList<Channel> Channels { get; init => field = value ?? throw new ArgumentNullException(nameof(Channels)); }

    /// <summary>Inline templates, one per language, in the producer's order; empty when <see cref="TemplateRef"/> is set.</summary>
    public ValueList<MessageTemplate> Templates { get; init => field = value ?? throw new ArgumentNullException(nameof(Templates)); } = ValueList.Empty<MessageTemplate>();

    /// <summary>A stored template set to use instead of inline <see cref="Templates"/>.</summary>
    public TemplateRef? TemplateRef { get; init; }

    /// <summary>Event-wide template variables (e.g. <c>place</c>); per-recipient ones are in <see cref="TemplateVariables.PerRecipient"/>.</summary>
    public ValueDictionary Variables { get; init => field = value ?? throw new ArgumentNullException(nameof(Variables)); } = ValueDictionary.Empty;

    /// <summary>Explicit expiry; null means the occurrence's instant. Use <see cref="ExpiresAt"/>.</summary>
    public Instant? ExplicitExpiry { get; init; }

    /// <summary>After this instant nothing more is sent (deliveries not yet sent are skipped as expired).</summary>
    public Instant ExpiresAt => ExplicitExpiry ?? Occurrence.Instant;

    public bool IsExpiredAt(Instant now) => now >= ExpiresAt;
}
