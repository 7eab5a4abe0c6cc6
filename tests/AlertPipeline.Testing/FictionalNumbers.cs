using AlertPipeline.Core.Contacts;

namespace AlertPipeline.Testing;

/// <summary>
/// The tests' phone numbers are in Ofcom's drama range (+44 7700 900000–900999) and, for tests that need thousands,
/// the rest of the 07700 9xxxxx block around it: all of it unassigned, so no real person's number, and rightly invalid
/// to libphonenumber. Each test assembly accepts <see cref="Block"/> once, before any test runs (its
/// <c>TestAssemblySetup</c> module initializer), as the demo accepts the drama range through
/// <c>PhoneNumbers:FictionalRanges</c>; processes the tests start get <see cref="Settings"/>.
/// </summary>
public static class FictionalNumbers
{
    /// <summary>+447700900000 to +447700999999.</summary>
    public static PhoneNumberRange Block { get; } = PhoneNumberRange.Parse("+447700900000-+447700999999");

    /// <summary>The configuration keys (colon form) accepting <see cref="Block"/> in a process the tests start.</summary>
    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["PhoneNumbers:FictionalRanges:0"] = Block.ToString(),
    };

    public static void Accept() => PhoneNumber.AcceptFictionalRanges([Block]);
}
