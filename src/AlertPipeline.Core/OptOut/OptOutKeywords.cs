using System.Collections.Frozen;

namespace AlertPipeline.Core.OptOut;

/// <summary>What an inbound SMS asks for.</summary>
public enum InboundKeyword
{
    /// <summary>Not a keyword: an ordinary reply.</summary>
    None,

    /// <summary>Stop all messages (STOP…).</summary>
    OptOut,

    /// <summary>Resume messages after an opt-out (START…).</summary>
    OptIn,

    /// <summary>Asks who we are and how to stop (HELP, INFO).</summary>
    Help,
}

/// <summary>
/// Classifies an inbound SMS body. The whole body, trimmed, must be the keyword, compared case-insensitively (as Twilio
/// does: "STOP" and " stop " count, "please stop" and "STOP." do not).
/// <para>
/// English keywords are Twilio's defaults, which Twilio itself also enforces (it blocks further messages after STOP
/// and answers them with error 21610). The Russian ones are ours: СТОП, ОТПИСАТЬСЯ, ОТМЕНА (opt out), СТАРТ (opt in),
/// ПОМОЩЬ, ИНФО (help). Twilio does not know them, so for these we alone record the opt-out and send the confirmation
/// reply. "ДА" is deliberately not an opt-in: it is too common an answer to anything.
/// </para>
/// </summary>
public static class OptOutKeywords
{
    public static IReadOnlyList<string> OptOutWords { get; } = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "СТОП", "ОТПИСАТЬСЯ", "ОТМЕНА"];

    public static IReadOnlyList<string> OptInWords { get; } = ["START", "YES", "UNSTOP", "СТАРТ"];

    public static IReadOnlyList<string> HelpWords { get; } = ["HELP", "INFO", "ПОМОЩЬ", "ИНФО"];

    private static readonly FrozenDictionary<string, InboundKeyword> Words =
        OptOutWords.Select(w => KeyValuePair.Create(w, InboundKeyword.OptOut))
            .Concat(OptInWords.Select(w => KeyValuePair.Create(w, InboundKeyword.OptIn)))
            .Concat(HelpWords.Select(w => KeyValuePair.Create(w, InboundKeyword.Help)))
            .ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    public static InboundKeyword Classify(string? body) =>
        body is not null && Words.TryGetValue(body.Trim(), out var keyword) ? keyword : InboundKeyword.None;
}
