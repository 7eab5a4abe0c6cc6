namespace AlertPipeline.Core.Messaging;

/// <summary>
/// Variable names filled per recipient at fan-out time; an event's own variables may not use them.
/// </summary>
public static class TemplateVariables
{
    /// <summary>The contact's name.</summary>
    public const string Name = "name";

    /// <summary>The contact's union's name.</summary>
    public const string Union = "union";

    /// <summary>The contact's branch's name.</summary>
    public const string Branch = "branch";

    /// <summary>The campaign's name.</summary>
    public const string Campaign = "campaign";

    /// <summary>The occurrence's date in the contact's time zone.</summary>
    public const string Date = "date";

    /// <summary>The occurrence's time in the contact's time zone.</summary>
    public const string Time = "time";

    public static IReadOnlySet<string> PerRecipient { get; } =
        new HashSet<string>([Name, Union, Branch, Campaign, Date, Time], StringComparer.Ordinal);
}
