using AlertPipeline.Core.Contacts;
using AlertPipeline.Infrastructure.Configuration;
using AlertPipeline.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AlertPipeline.UnitTests.Core.Contacts;

/// <summary>Changes the process-wide fictional ranges, so it runs alone (no other test parses numbers meanwhile).</summary>
[CollectionDefinition(nameof(PhoneNumberFictionalRangeTests), DisableParallelization = true)]
public sealed class PhoneNumberFictionalRangeCollection;

[Collection(nameof(PhoneNumberFictionalRangeTests))]
public sealed class PhoneNumberFictionalRangeTests : IDisposable
{
    public void Dispose() => FictionalNumbers.Accept();

    [Theory]
    [InlineData("+44 7700 901000")] // next to the drama range, still unassigned
    [InlineData("+44 7700 999999")]
    public void TryParse_UnassignedNumberOutsideTheAcceptedFictionalRanges_IsRefused(string input)
    {
        PhoneNumber.AcceptFictionalRanges([PhoneNumberRange.UkDrama]);

        PhoneNumber.TryParse("+44 7700 900999", null, out _, out _).Should().BeTrue();
        PhoneNumber.TryParse(input, null, out _, out var error).Should().BeFalse();

        error.Should().Be(PhoneNumberError.InvalidNationalNumber);
    }

    [Fact]
    public void TryParse_DramaNumberWithoutFictionalRanges_IsRefusedAsUnassigned()
    {
        PhoneNumber.AcceptFictionalRanges([]);

        PhoneNumber.TryParse("07700 900123", "GB", out _, out var error).Should().BeFalse();

        error.Should().Be(PhoneNumberError.InvalidNationalNumber);
        error.Describe().Should().Contain("not in a range its country has assigned");
    }

    [Fact]
    public void AddPhoneNumbers_ConfiguredRange_IsAccepted()
    {
        PhoneNumber.AcceptFictionalRanges([]);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PhoneNumbers:FictionalRanges:0"] = "+447700900000-+447700900999",
        }).Build();

        new ServiceCollection().AddPhoneNumbers(configuration);

        PhoneNumber.FictionalRanges.Should().Equal(PhoneNumberRange.UkDrama);
        PhoneNumber.Parse("07700 900123", "GB").E164.Should().Be("+447700900123");
    }

    [Fact]
    public void AddPhoneNumbers_NoSetting_AcceptsNoFictionalRange()
    {
        PhoneNumber.AcceptFictionalRanges([]);

        new ServiceCollection().AddPhoneNumbers(new ConfigurationBuilder().Build());

        PhoneNumber.FictionalRanges.Should().BeEmpty("production accepts only assigned numbers");
    }
}

public class PhoneNumberRangeTests
{
    [Fact]
    public void Parse_DramaRange_ContainsItsEndsOnly()
    {
        var range = PhoneNumberRange.Parse(" +447700900000 - +447700900999 ");

        range.Should().Be(PhoneNumberRange.UkDrama);
        range.Contains("+447700900000").Should().BeTrue();
        range.Contains("+447700900999").Should().BeTrue();
        range.Contains("+447700901000").Should().BeFalse();
        range.Contains("+44770090012").Should().BeFalse("a shorter number is not in the range");
        range.ToString().Should().Be("+447700900000-+447700900999");
    }

    [Theory]
    [InlineData("")]
    [InlineData("+447700900000")]
    [InlineData("447700900000-447700900999")]
    [InlineData("+447700900000-+44770090099")]
    [InlineData("+447700900999-+447700900000")]
    [InlineData("+44770090000a-+447700900999")]
    public void TryParse_Malformed_SaysHowToWriteOne(string text)
    {
        PhoneNumberRange.TryParse(text, out var range, out var error).Should().BeFalse();

        range.Should().BeNull();
        error.Should().Contain("range");
    }

    [Fact]
    public void AddPhoneNumbers_MalformedRange_ThrowsNamingTheKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PhoneNumbers:FictionalRanges:0"] = "+447700900000-+447700900999",
            ["PhoneNumbers:FictionalRanges:1"] = "07700 900000 to 07700 900999",
        }).Build();

        FluentActions.Invoking(() => new ServiceCollection().AddPhoneNumbers(configuration))
            .Should().Throw<OptionsValidationException>().WithMessage("*PhoneNumbers:FictionalRanges:1*");
    }
}
