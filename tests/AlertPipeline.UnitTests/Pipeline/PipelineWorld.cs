using System.Globalization;
using AlertPipeline.Core.Alerts;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Deliveries;
using AlertPipeline.Core.Events;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Core.OptOut;
using AlertPipeline.Core.Ports;
using AlertPipeline.Testing;
using Moq;
using NodaTime;

namespace AlertPipeline.UnitTests.Pipeline;

/// <summary>
/// The pipeline's handlers over strict mocks of every port, backed by in-memory data: an unexpected call (a send nobody
/// set up) fails the test. Numbers are from Ofcom's drama range (07700 900xxx) and the US 555-01xx range.
/// </summary>
internal sealed class PipelineWorld
{
    public static readonly DateTimeOffset Start = new(2025, 12, 9, 6, 1, 0, TimeSpan.Zero);
    public static readonly CampaignId CampaignId = CampaignId.Parse("zhanaozen-solidarity");
    public static readonly UnionId Kz = UnionId.Parse("kz-oil");
    public static readonly UnionId Uk = UnionId.Parse("uk-energy");
    public static readonly BranchId Zhanaozen = BranchId.Parse("zhanaozen");
    public static readonly BranchId Aqtau = BranchId.Parse("aqtau");
    public static readonly BranchId London = BranchId.Parse("london");

    private readonly Dictionary<RecipientHash, CampaignId> _lastCampaign = [];

    public PipelineWorld()
    {
        Campaigns.Add(new Campaign(CampaignId, "Justice for Kazakhstan's Oil Workers", "Zhanaozen solidarity: help@example.org", LanguageTag.English));
        Unions.AddRange([new Union(Kz, "Mangystau Oil Workers"), new Union(Uk, "UK Energy Workers")]);
        Branches.AddRange([new Branch(Kz, Zhanaozen, "Zhanaozen"), new Branch(Kz, Aqtau, "Aqtau"), new Branch(Uk, London, "London")]);
        Subscriptions.AddRange([new Subscription(CampaignId, Kz), new Subscription(CampaignId, Uk, London)]);
        SetUpMembership();
        SetUpCounts();
        SetUpAlerts();
        SetUpOptOuts();
        SetUpRecipients();
        SetUpProviderIds();
        Dispatch.Setup(d => d.SendAsync(It.IsAny<IReadOnlyList<DispatchBatch>>(), It.IsAny<CancellationToken>()))
            .Callback((IReadOnlyList<DispatchBatch> batches, CancellationToken _) =>
            {
                lock (Dispatched)
                {
                    Dispatched.AddRange(batches);
                }
            })
            .Returns(Task.CompletedTask);
        InboundLog.Setup(l => l.WasHandledAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((string sid, CancellationToken _) => HandledInbound.Contains(sid));
        InboundLog.Setup(l => l.RecordHandledAsync(It.IsAny<string>(), It.IsAny<InboundKeyword>(), It.IsAny<Instant>(), It.IsAny<CancellationToken>()))
            .Callback((string sid, InboundKeyword _, Instant _, CancellationToken _) => HandledInbound.Add(sid))
            .Returns(Task.CompletedTask);
        Rejections.Setup(r => r.RecordAsync(It.IsAny<RejectedEvent>(), It.IsAny<CancellationToken>()))
            .Callback((RejectedEvent e, CancellationToken _) => Rejected.Add(e)).Returns(Task.CompletedTask);
    }

    public ManualTimeProvider Time { get; } = new(Start);

    // Quiet hours are off here (06:01 UTC is night in London); QuietHoursTests turn them on.
    // One page per chunk unless a test says otherwise (FanOutPagesPerChunk), so chunks and pages are the same here.
    public PipelineOptions Options { get; } = new() { FanOutPageSize = 2, FanOutPagesPerChunk = 1, MaxBusyWait = TimeSpan.Zero, QuietHours = "off" };

    public RecipientHasher Hasher { get; } = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    public List<Campaign> Campaigns { get; } = [];

    public List<Union> Unions { get; } = [];

    public List<Branch> Branches { get; } = [];

    public List<Subscription> Subscriptions { get; } = [];

    public List<ContactEntry> Contacts { get; } = [];

    public Dictionary<AlertId, AlertRecord> Alerts { get; } = [];

    public HashSet<(RecipientHash, Channel)> OptedOut { get; } = [];

    public List<RejectedEvent> Rejected { get; } = [];

    public DeliveryTable Deliveries { get; } = new();

    public Mock<IMembershipReader> Membership { get; } = new(MockBehavior.Strict);

    /// <summary>The stored contact counts port, over <see cref="StoredCounts"/>.</summary>
    public Mock<IContactCountStore> Counts { get; } = new(MockBehavior.Strict);

    /// <summary>What <see cref="Counts"/> holds per branch (absent: no count stored).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<(UnionId, BranchId), BranchContactCount> StoredCounts { get; } = [];

    public Mock<IAlertStore> AlertStore { get; } = new(MockBehavior.Strict);

    public Mock<IOptOutStore> OptOuts { get; } = new(MockBehavior.Strict);

    public Mock<IDeferredDispatchStore> Deferred { get; } = new(MockBehavior.Strict);

    public Mock<IRecipientIndex> Recipients { get; } = new(MockBehavior.Strict);

    public Mock<IInboundMessageLog> InboundLog { get; } = new(MockBehavior.Strict);

    /// <summary>The provider-id index; <see cref="ProviderIdOwners"/> holds what it recorded (SID → delivery key).</summary>
    public Mock<IProviderIdIndex> ProviderIds { get; } = new(MockBehavior.Strict);

    public Dictionary<string, string> ProviderIdOwners { get; } = [];

    /// <summary>The MessageSids <see cref="InboundLog"/> recorded as handled.</summary>
    public HashSet<string> HandledInbound { get; } = [];

    public Mock<IRejectedEventLog> Rejections { get; } = new(MockBehavior.Strict);

    public Mock<ISmsGateway> Sms { get; } = new(MockBehavior.Strict);

    public Mock<IEmailGateway> Email { get; } = new(MockBehavior.Strict);

    /// <summary>The dispatch port; every batch sent lands in <see cref="Dispatched"/>.</summary>
    public Mock<IDispatchQueue> Dispatch { get; } = new(MockBehavior.Strict);

    private HandoverGate? _gate;

    public List<DispatchBatch> Dispatched { get; } = [];

    public PipelineLookups Lookups => new(AlertStore.Object, Membership.Object, Options, Time);

    public DeliveryClaims Claims => new(Deliveries.Object, Options, Time, Lookups);

    public FanOutHandler FanOut => new(Membership.Object, Counts.Object, AlertStore.Object, Rejections.Object, new AudienceResolver(Membership.Object), Options, Time);

    public FanOutChunkHandler Chunks => new(Membership.Object, Counts.Object, Lookups, Deliveries.Object, Deferred.Object, OptOuts.Object, Dispatch.Object, Hasher, Options, Time);

    public SendSmsHandler SendSms => new(Claims, Lookups, new MessageComposer(Membership.Object, Lookups), OptOuts.Object, Recipients.Object, Sms.Object, ProviderIds.Object, Options);

    /// <summary>The worker's one handover gate (shared by every <see cref="SendEmail"/>), sized by <see cref="Options"/> when first used.</summary>
    public HandoverGate Gate => _gate ??= new HandoverGate(Options);

    public SendEmailHandler SendEmail => new(Claims, Lookups, new MessageComposer(Membership.Object, Lookups), OptOuts.Object, Email.Object, Options, Gate);

    public DispatchBatchHandler Batches => new(SendSms, SendEmail, Options, Time);

    public DeferredDispatchReleaser Releaser => new(Deferred.Object, Deliveries.Object, Dispatch.Object, Options, Time);

    public TwilioStatusCallbackHandler Callbacks => new(Deliveries.Object, Claims, OptOuts.Object, ProviderIds.Object);

    public InboundSmsHandler Inbound => new(OptOuts.Object, Recipients.Object, InboundLog.Object, Lookups, Hasher, Options, Time);

    public IReadOnlyDictionary<RecipientHash, CampaignId> LastCampaign => _lastCampaign;

    public Contact AddContact(
        UnionId union, BranchId branch, string id, string? phone = null, string? email = null, string language = "en",
        Consent? consent = null, OptOutState? optOut = null, PhoneNumberError? invalidPhone = null, string name = "Aigul")
    {
        var contact = new Contact
        {
            UnionId = union,
            BranchId = branch,
            ContactId = ContactId.Parse(id),
            Name = name,
            Phone = phone is null ? null : PhoneNumber.Parse(phone),
            Email = email is null ? null : EmailAddress.Parse(email),
            Language = LanguageTag.Parse(language),
            TimeZone = TimeZoneId.Parse(union == Kz ? "Asia/Aqtau" : "Europe/London"),
            Consent = consent ?? Consent.All,
            OptOut = optOut ?? OptOutState.None,
        };
        Contacts.Add(new ContactEntry(contact, invalidPhone));
        return contact;
    }

    public static string EventJson(string channels = """["sms","email"]""", string? expiresAt = "2025-12-16T18:00:00Z", string campaignId = "zhanaozen-solidarity") =>
        $$$"""
        {
          "schemaVersion": 1,
          "eventId": "zhanaozen-massacre",
          "kind": "anniversary",
          "occurredAt": "2025-12-09T06:00:00Z",
          "campaignId": "{{{campaignId}}}",
          "occurrence": { "localDateTime": "2025-12-16T11:00:00", "timeZone": "Asia/Aqtau" },
          "reminder": "week-before",
          "channels": {{{channels}}},
          {{{(expiresAt is null ? "" : $"\"expiresAt\": \"{expiresAt}\",")}}}
          "variables": { "years": "14" },
          "templates": {
            "en": {
              "sms": "{{name}}: on {{date}} at {{time}} we remember the Zhanaozen oil workers, {{years}} years on.",
              "email": { "subject": "Zhanaozen, {{years}} years on", "text": "Dear {{name}}, {{union}} ({{branch}}) remembers on {{date}}.", "html": "<p>Dear {{name}}</p>" }
            },
            "ru": {
              "sms": "{{name}}, {{date}} в {{time}} вспоминаем нефтяников Жанаозена ({{years}} лет).",
              "email": { "subject": "Жанаозен: {{years}} лет", "text": "{{name}}, присоединяйтесь {{date}}." }
            }
          }
        }
        """;

    /// <summary>Stores the alert of <paramref name="json"/> as fan-out would, and returns it.</summary>
    public AlertRecord StoreAlert(string? json = null)
    {
        var alertEvent = AlertEventParser.Parse(json ?? EventJson()).Value;
        var record = new AlertRecord(AlertId.For(alertEvent), alertEvent, Instant.FromDateTimeOffset(Start), false);
        Alerts[record.AlertId] = record;
        return record;
    }

    /// <summary>The batches dispatched since the last call (and forgets them).</summary>
    public List<DispatchBatch> TakeDispatched()
    {
        lock (Dispatched)
        {
            var taken = Dispatched.ToList();
            Dispatched.Clear();
            return taken;
        }
    }

    /// <summary>The keys of <paramref name="batches"/> on <paramref name="channel"/>, in order.</summary>
    public static List<DeliveryKey> KeysOf(IEnumerable<DispatchBatch> batches, Channel channel) =>
        [.. batches.Where(b => b.Channel == channel).SelectMany(b => b.Keys)];

    /// <summary>Runs every chunk of every subscribed branch to the end (following continuation chunks); returns the keys of every dispatched batch.</summary>
    public async Task<(List<DeliveryKey> Sms, List<DeliveryKey> Email)> FanOutAllAsync(AlertRecord alert)
    {
        TakeDispatched();
        var queue = new Queue<FanOutChunk>((await new AudienceResolver(Membership.Object).ResolveAsync(alert.Event, default))
            .Select(b => new FanOutChunk(alert.AlertId, b.UnionId, b.BranchId, 0, null)));
        while (queue.TryDequeue(out var chunk))
        {
            var result = await Chunks.HandleAsync(chunk, default);
            if (result.Next is { } next)
            {
                queue.Enqueue(next);
            }
        }

        var batches = TakeDispatched();
        return (KeysOf(batches, Channel.Sms), KeysOf(batches, Channel.Email));
    }

    /// <summary>One London contact with <paramref name="phone"/>, an SMS-only alert, and its row stored Sent as <paramref name="providerId"/> (attempt 1): what a status callback finds.</summary>
    public DeliveryKey StoreSentSms(string phone, string providerId = "SM1")
    {
        AddContact(Uk, London, "aigul", phone);
        var alert = StoreAlert(EventJson(channels: """["sms"]"""));
        var row = DeliveryPlanner.Plan(alert, Contacts, Hasher, Time.Now()).Single();
        Deliveries.Put(row with { Status = DeliveryStatus.Sent, ProviderId = providerId, Attempt = 1 });
        return row.Key;
    }

    public DeliveryKey KeyFor(AlertRecord alert, Channel channel, string address) =>
        new(alert.AlertId, channel, channel == Channel.Sms ? Hasher.Hash(PhoneNumber.Parse(address)) : Hasher.Hash(EmailAddress.Parse(address)));

    public void SetUpSmsSuccess(Action<SmsSendRequest>? onSend = null)
    {
        var count = 0;
        Sms.Setup(g => g.SendAsync(It.IsAny<SmsSendRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((SmsSendRequest request, CancellationToken _) =>
            {
                onSend?.Invoke(request);
                return new SmsSendResult("SM" + Interlocked.Increment(ref count).ToString("D32", CultureInfo.InvariantCulture), "queued", 1);
            });
    }

    private void SetUpMembership()
    {
        Membership.Setup(m => m.GetCampaignAsync(It.IsAny<CampaignId>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((CampaignId id, CancellationToken _) => Campaigns.FirstOrDefault(c => c.CampaignId == id));
        Membership.Setup(m => m.GetUnionAsync(It.IsAny<UnionId>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((UnionId id, CancellationToken _) => Unions.FirstOrDefault(u => u.UnionId == id));
        Membership.Setup(m => m.GetBranchAsync(It.IsAny<UnionId>(), It.IsAny<BranchId>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((UnionId u, BranchId b, CancellationToken _) => Branches.FirstOrDefault(x => x.UnionId == u && x.BranchId == b));
        Membership.Setup(m => m.GetBranchesAsync(It.IsAny<UnionId>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((UnionId u, CancellationToken _) => Branches.Where(x => x.UnionId == u).ToList());
        Membership.Setup(m => m.GetSubscriptionsAsync(It.IsAny<CampaignId>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((CampaignId c, CancellationToken _) => Subscriptions.Where(s => s.CampaignId == c).ToList());
        Membership.Setup(m => m.GetContactAsync(It.IsAny<UnionId>(), It.IsAny<BranchId>(), It.IsAny<ContactId>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((UnionId u, BranchId b, ContactId c, CancellationToken _) =>
                Contacts.FirstOrDefault(e => e.Contact.UnionId == u && e.Contact.BranchId == b && e.Contact.ContactId == c));
        Membership.Setup(m => m.GetContactsPageAsync(It.IsAny<UnionId>(), It.IsAny<BranchId>(), It.IsAny<int>(), It.IsAny<string?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((UnionId u, BranchId b, int size, string? token, CancellationToken _) =>
            {
                var all = Contacts.Where(e => e.Contact.UnionId == u && e.Contact.BranchId == b).ToList();
                var start = token is null ? 0 : int.Parse(token, CultureInfo.InvariantCulture);
                var end = Math.Min(all.Count, start + size);
                return new ContactPage(all[start..end], end < all.Count ? end.ToString(CultureInfo.InvariantCulture) : null);
            });
        Membership.Setup(m => m.CountContactsAsync(It.IsAny<UnionId>(), It.IsAny<BranchId>(), It.IsAny<int>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((UnionId u, BranchId b, int atLeast, CancellationToken _) =>
            {
                CountRequests.Add((u, b, atLeast));
                return BranchSizes.TryGetValue((u, b), out var size) ? size : Contacts.Count(e => e.Contact.UnionId == u && e.Contact.BranchId == b);
            });
    }

    private void SetUpCounts()
    {
        Counts.Setup(c => c.GetAsync(It.IsAny<UnionId>(), It.IsAny<BranchId>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((UnionId u, BranchId b, CancellationToken _) => StoredCounts.GetValueOrDefault((u, b)));
        Counts.Setup(c => c.RecordAsync(It.IsAny<UnionId>(), It.IsAny<BranchId>(), It.IsAny<BranchContactCount>(), It.IsAny<CancellationToken>()))
            .Callback((UnionId u, BranchId b, BranchContactCount count, CancellationToken _) => StoredCounts[(u, b)] = count)
            .Returns(Task.CompletedTask);
    }

    /// <summary>What <see cref="IMembershipReader.CountContactsAsync"/> answers for a branch instead of counting <see cref="Contacts"/> (a large audience without its members).</summary>
    public Dictionary<(UnionId, BranchId), int> BranchSizes { get; } = [];

    /// <summary>Every count fan-out asked for (union, branch, atLeast).</summary>
    public System.Collections.Concurrent.ConcurrentBag<(UnionId Union, BranchId Branch, int AtLeast)> CountRequests { get; } = [];

    private void SetUpAlerts()
    {
        AlertStore.Setup(s => s.AddAsync(It.IsAny<AlertRecord>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((AlertRecord record, CancellationToken _) => Alerts.TryAdd(record.AlertId, record));
        AlertStore.Setup(s => s.GetAsync(It.IsAny<AlertId>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((AlertId id, CancellationToken _) => Alerts.GetValueOrDefault(id));
    }

    private void SetUpOptOuts()
    {
        OptOuts.Setup(o => o.IsOptedOutAsync(It.IsAny<RecipientHash>(), It.IsAny<Channel>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((RecipientHash r, Channel c, CancellationToken _) => OptedOut.Contains((r, c)));
        OptOuts.Setup(o => o.FindOptedOutAsync(It.IsAny<IReadOnlyCollection<RecipientHash>>(), It.IsAny<Channel>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((IReadOnlyCollection<RecipientHash> rs, Channel c, CancellationToken _) => rs.Where(r => OptedOut.Contains((r, c))).ToHashSet());
        OptOuts.Setup(o => o.OptOutAsync(It.IsAny<RecipientHash>(), It.IsAny<Channel>(), It.IsAny<OptOutSource>(), It.IsAny<Instant>(), It.IsAny<CancellationToken>()))
            .Callback((RecipientHash r, Channel c, OptOutSource _, Instant _, CancellationToken _) => OptedOut.Add((r, c)))
            .Returns(Task.CompletedTask);
        OptOuts.Setup(o => o.OptInAsync(It.IsAny<RecipientHash>(), It.IsAny<Channel>(), It.IsAny<CancellationToken>()))
            .Callback((RecipientHash r, Channel c, CancellationToken _) => OptedOut.Remove((r, c)))
            .Returns(Task.CompletedTask);
    }

    private void SetUpRecipients()
    {
        Recipients.Setup(r => r.RecordLastCampaignAsync(It.IsAny<RecipientHash>(), It.IsAny<CampaignId>(), It.IsAny<Instant>(), It.IsAny<CancellationToken>()))
            .Callback((RecipientHash r, CampaignId c, Instant _, CancellationToken _) => _lastCampaign[r] = c)
            .Returns(Task.CompletedTask);
        Recipients.Setup(r => r.RecordLastCampaignAsync(It.IsAny<IReadOnlyList<RecipientHash>>(), It.IsAny<CampaignId>(), It.IsAny<Instant>(), It.IsAny<CancellationToken>()))
            .Callback((IReadOnlyList<RecipientHash> rs, CampaignId c, Instant _, CancellationToken _) =>
            {
                foreach (var r in rs)
                {
                    _lastCampaign[r] = c;
                }
            })
            .Returns(Task.CompletedTask);
        Recipients.Setup(r => r.GetLastCampaignAsync(It.IsAny<RecipientHash>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((RecipientHash r, CancellationToken _) => _lastCampaign.GetValueOrDefault(r));
    }

    private void SetUpProviderIds()
    {
        ProviderIds.Setup(p => p.RecordAsync(It.IsAny<string>(), It.IsAny<DeliveryKey>(), It.IsAny<CancellationToken>()))
            .Callback((string sid, DeliveryKey owner, CancellationToken _) =>
            {
                lock (ProviderIdOwners)
                {
                    ProviderIdOwners[sid] = owner.Value;
                }
            })
            .Returns(Task.CompletedTask);
        ProviderIds.Setup(p => p.ClaimAsync(It.IsAny<string>(), It.IsAny<DeliveryKey>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((string sid, DeliveryKey owner, CancellationToken _) =>
            {
                lock (ProviderIdOwners)
                {
                    return ProviderIdOwners.TryAdd(sid, owner.Value) ? owner.Value : ProviderIdOwners[sid];
                }
            });
        ProviderIds.Setup(p => p.FindOwnerAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((string sid, CancellationToken _) =>
            {
                lock (ProviderIdOwners)
                {
                    return ProviderIdOwners.GetValueOrDefault(sid);
                }
            });
    }
}
