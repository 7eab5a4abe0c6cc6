using AlertPipeline.Core.Contacts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AlertPipeline.Infrastructure.Configuration;

/// <summary>
/// Configuration section <c>PhoneNumbers</c>. <see cref="FictionalRanges"/> lists unassigned ranges to accept as
/// phone numbers anyway (<c>PhoneNumbers:FictionalRanges:0</c> = <c>+447700900000-+447700900999</c>, Ofcom's drama
/// range): for the demo and the tests only. Empty by default, so production accepts only assigned numbers.
/// </summary>
public sealed class PhoneNumberOptions
{
    public const string SectionName = "PhoneNumbers";

    public List<string> FictionalRanges { get; } = [];
}

public static class PhoneNumberServiceCollectionExtensions
{
    /// <summary>
    /// Reads <c>PhoneNumbers:*</c> and, when it lists fictional ranges, applies them at once to
    /// <see cref="PhoneNumber"/>'s process-wide <see cref="PhoneNumber.FictionalRanges"/> (numbers are parsed before any
    /// host starts, e.g. when seeding). Without the setting nothing changes: a process accepts none unless told to.
    /// A malformed range throws <see cref="OptionsValidationException"/> naming the key.
    /// </summary>
    public static IServiceCollection AddPhoneNumbers(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new PhoneNumberOptions();
        configuration.GetSection(PhoneNumberOptions.SectionName).Bind(options);
        var ranges = new List<PhoneNumberRange>();
        var errors = new List<string>();
        for (var i = 0; i < options.FictionalRanges.Count; i++)
        {
            if (PhoneNumberRange.TryParse(options.FictionalRanges[i], out var range, out var error))
            {
                ranges.Add(range);
            }
            else
            {
                errors.Add($"{PhoneNumberOptions.SectionName}:{nameof(PhoneNumberOptions.FictionalRanges)}:{i}: {error}.");
            }
        }

        if (errors.Count > 0)
        {
            throw new OptionsValidationException(PhoneNumberOptions.SectionName, typeof(PhoneNumberOptions), errors);
        }

        if (ranges.Count > 0)
        {
            PhoneNumber.AcceptFictionalRanges(ranges);
        }
        services.AddSingleton(Options.Create(options));
        return services;
    }
}
