namespace AlertPipeline.Core.Contacts;

/// <summary>The rule for human-readable names: trimmed, not empty, no control characters, bounded length.</summary>
internal static class DisplayText
{
    public static string Require(string? value, string what, int maxLength = 200)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            throw new ArgumentException($"{what} is empty.", what);
        }

        if (trimmed.Length > maxLength)
        {
            throw new ArgumentException($"{what} is longer than {maxLength} characters.", what);
        }

        if (trimmed.Any(char.IsControl))
        {
            throw new ArgumentException($"{what} contains a control character.", what);
        }

        return trimmed;
    }

    public static T NotNull<T>(T? value, string what) where T : class =>
        value ?? throw new ArgumentNullException(what);
}
