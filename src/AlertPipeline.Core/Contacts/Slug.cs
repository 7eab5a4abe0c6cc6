namespace AlertPipeline.Core.Contacts;

/// <summary>
/// The rule every strongly typed id shares: 1 to 64 characters of <c>[a-z0-9-]</c>, starting and ending with a letter or
/// digit. Such a value is safe as an Azure Table PartitionKey/RowKey (no <c>/ \ # ?</c>, no control characters) and in
/// URLs, and can be joined with characters outside the set (e.g. <c>_</c> or <c>:</c>) without ambiguity.
/// </summary>
internal static class Slug
{
    public const int MaxLength = 64;

    /// <summary>Null when <paramref name="value"/> is a valid slug, otherwise why not.</summary>
    public static string? Check(string? value, string what, int maxLength = MaxLength)
    {
        if (string.IsNullOrEmpty(value))
        {
            return $"{what} is empty";
        }

        if (value.Length > maxLength)
        {
            return $"{what} is {value.Length} characters long; at most {maxLength} are allowed";
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (!IsSlugChar(c))
            {
                var shown = char.IsControl(c) || char.IsWhiteSpace(c) ? $"U+{(int)c:X4}" : $"'{c}'";
                return $"{what} contains {shown} at position {i}; only lowercase letters a-z, digits and '-' are allowed";
            }
        }

        if (value[0] == '-' || value[^1] == '-')
        {
            return $"{what} must start and end with a letter or digit";
        }

        return null;
    }

    public static bool IsSlugChar(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-';
}
