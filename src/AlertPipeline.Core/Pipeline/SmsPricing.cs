namespace AlertPipeline.Core.Pipeline;

/// <summary>
/// The price of one SMS segment, for cost estimates (<c>Pipeline:SmsPricePerSegment</c>, <c>Pipeline:SmsPriceCurrency</c>).
/// Bound from the <c>Pipeline</c> section beside <see cref="PipelineOptions"/>; validated on start.
/// </summary>
public sealed class SmsPricingOptions
{
    public const string SectionName = PipelineOptions.SectionName;

    /// <summary>Price per segment in <see cref="SmsPriceCurrency"/> (e.g. 0.0524); 0 when unknown.</summary>
    public decimal SmsPricePerSegment { get; set; }

    /// <summary>ISO 4217 code, three capital letters.</summary>
    public string SmsPriceCurrency { get; set; } = "USD";

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (SmsPricePerSegment is < 0 or > 100)
        {
            errors.Add($"{SectionName}:{nameof(SmsPricePerSegment)} must be between 0 and 100 (a price per SMS segment).");
        }

        if (SmsPriceCurrency is not { Length: 3 } || !SmsPriceCurrency.All(char.IsAsciiLetterUpper))
        {
            errors.Add($"{SectionName}:{nameof(SmsPriceCurrency)} must be an ISO 4217 code of three capital letters (e.g. USD, EUR, GBP).");
        }

        return errors;
    }

    /// <summary>The estimate for <paramref name="segments"/>, rounded to 4 decimal places.</summary>
    public decimal Estimate(long segments) => Math.Round(segments * SmsPricePerSegment, 4, MidpointRounding.AwayFromZero);
}
