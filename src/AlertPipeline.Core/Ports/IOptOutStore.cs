using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.OptOut;
using NodaTime;

namespace AlertPipeline.Core.Ports;

/// <summary>
/// Opt-outs by recipient hash and channel. An opt-out applies to the address across every union (docs/storage.md):
/// we send from one Twilio Messaging Service, which blocks a number that replied STOP for all our traffic.
/// </summary>
public interface IOptOutStore
{
    Task<bool> IsOptedOutAsync(RecipientHash recipient, Channel channel, CancellationToken cancellationToken = default);

    /// <summary>Those of <paramref name="recipients"/> that are opted out of <paramref name="channel"/>.</summary>
    Task<IReadOnlySet<RecipientHash>> FindOptedOutAsync(
        IReadOnlyCollection<RecipientHash> recipients, Channel channel, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every recipient opted out of <paramref name="channel"/> now, in one read (a preview's snapshot: cheaper than asking
    /// per page once a read covers many pages, since each page's <see cref="FindOptedOutAsync"/> reads most of the set).
    /// </summary>
    Task<IReadOnlySet<RecipientHash>> GetOptedOutAsync(Channel channel, CancellationToken cancellationToken = default);

    /// <summary>Records an opt-out; an existing one keeps its original time and source.</summary>
    Task OptOutAsync(RecipientHash recipient, Channel channel, OptOutSource source, Instant at, CancellationToken cancellationToken = default);

    /// <summary>Lifts an opt-out (START); nothing happens when there is none.</summary>
    Task OptInAsync(RecipientHash recipient, Channel channel, CancellationToken cancellationToken = default);
}

public enum OptOutSource
{
    /// <summary>The member replied STOP (or another opt-out keyword).</summary>
    Keyword,

    /// <summary>Twilio refused a send with 21610: the number had replied STOP to our sender.</summary>
    Twilio21610,

    /// <summary>An organiser recorded it.</summary>
    Organiser,

    /// <summary>The member used an email unsubscribe link.</summary>
    Unsubscribe,
}

/// <summary>Which campaign last messaged a recipient: so HELP can answer with that campaign's help line.</summary>
public interface IRecipientIndex
{
    Task RecordLastCampaignAsync(RecipientHash recipient, CampaignId campaignId, Instant at, CancellationToken cancellationToken = default);

    /// <summary>Records <paramref name="campaignId"/> for every recipient (one dispatch batch: distinct hashes of one bucket).</summary>
    Task RecordLastCampaignAsync(IReadOnlyList<RecipientHash> recipients, CampaignId campaignId, Instant at, CancellationToken cancellationToken = default);

    Task<CampaignId?> GetLastCampaignAsync(RecipientHash recipient, CancellationToken cancellationToken = default);
}

/// <summary>
/// The inbound SMS whose STOP or START was applied, by Twilio MessageSid: a replay of the same signed request (the same
/// MessageSid) is recognised and changes nothing, so a STOP replayed after a START cannot opt the member out again.
/// </summary>
public interface IInboundMessageLog
{
    /// <summary>Whether the message with <paramref name="messageSid"/> was handled already.</summary>
    Task<bool> WasHandledAsync(string messageSid, CancellationToken cancellationToken = default);

    /// <summary>Records that the message was handled (idempotent: the first record stands).</summary>
    Task RecordHandledAsync(string messageSid, InboundKeyword keyword, Instant at, CancellationToken cancellationToken = default);
}
