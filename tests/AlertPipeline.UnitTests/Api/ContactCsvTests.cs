using System.Text;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Infrastructure.Api;

namespace AlertPipeline.UnitTests.Api;

public sealed class ContactCsvTests
{
    private const string Header = "contactId,name,phone,email,language,timeZone,smsConsent,emailConsent";
    private static readonly UnionId Union = UnionId.Parse("u1");
    private static readonly BranchId Branch = BranchId.Parse("b1");

    private static ContactCsvResult Read(string text) => ContactCsv.Read(Encoding.UTF8.GetBytes(text), Union, Branch);

    [Fact]
    public void Read_QuotedFieldSpanningLines_ReportsLaterLinesByPhysicalLine()
    {
        var result = Read(Header + "\na1,\"Ann\nSecond line\",+447700900001,,en,UTC,true,true\na2,Bob,nope,,en,UTC,true,true\na3,\"Cy, Jr.\",+447700900003,,en,UTC,true,true\n");

        result.Contacts.Should().ContainSingle().Which.Contact.Name.Should().Be("Cy, Jr.");
        result.Errors.Should().Equal(
            new CsvLineError(2, "name", "contains a control character (such as a line break)"),
            new CsvLineError(4, "phone", "the phone number contains characters other than digits, a leading '+', separators and an extension"));
    }

    [Fact]
    public void Read_PhoneWithExtension_ImportsTheContactWithAWarning()
    {
        var result = Read(Header + "\na1,Ann,+44 7700 900001 ext 12,,en,UTC,true,true\n");

        result.Contacts.Should().ContainSingle().Which.Contact.Phone!.E164.Should().Be("+447700900001");
        result.Errors.Should().BeEmpty();
        result.Warnings.Should().Equal(new CsvLineError(2, "phone", "the extension was dropped (an SMS cannot dial it); the number was kept"));
    }

    [Fact]
    public void Read_UnassignedCountryCode_IsALineErrorNotAContact()
    {
        // Issue 16: +999999999999 was imported. +999 is no country's code.
        var result = Read(Header + "\na1,Ann,+999999999999,,en,UTC,true,true\na2,Bob,+447700900002,,en,UTC,true,true\n");

        result.Contacts.Should().ContainSingle().Which.Contact.ContactId.Value.Should().Be("a2");
        result.Errors.Should().Equal(new CsvLineError(2, "phone", "the phone number does not start with an assigned country calling code"));
    }

    [Fact]
    public void Read_ColumnsInAnotherOrderWithCrLf_AreMatchedByName()
    {
        var result = Read("emailConsent,smsConsent,timeZone,language,email,phone,name,contactId\r\nno,yes,Asia/Aqtau,kk,a@example.org,+77011234567,Aigul,a1\r\n");

        var contact = result.Contacts.Should().ContainSingle().Subject.Contact;
        contact.ContactId.Value.Should().Be("a1");
        contact.Phone!.E164.Should().Be("+77011234567");
        contact.Consent.Should().Be(new Consent(true, false));
        result.Errors.Should().BeEmpty();
    }

    [Fact]
    public void Read_NationalNumberWithoutCountryCode_SaysItMustBeInternational()
    {
        var result = Read(Header + "\na1,Ann,07700 900001,,en,UTC,true,true\n");

        result.Errors.Should().Equal(new CsvLineError(2, "phone", "the phone number must be international (start with '+' and the country code)"));
    }

    [Fact]
    public void Read_NoPhoneNoEmail_NeedsOne()
    {
        var result = Read(Header + "\na1,Ann,,,en,UTC,true,true\n");

        result.Errors.Should().Equal(new CsvLineError(2, "phone", "a contact needs a phone or an email"));
    }

    [Fact]
    public void Read_SamePhoneWrittenDifferently_IsADuplicate()
    {
        var result = Read(Header + "\na1,Ann,+447700900001,,en,UTC,true,true\na2,Bob,0044 (0)7700 900001,,en,UTC,true,true\n");

        result.Contacts.Should().ContainSingle();
        result.Errors.Should().Equal(new CsvLineError(3, "phone", "duplicate phone number (first on line 2)"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("contactId,name\n")]
    public void Read_EmptyFileOrMissingColumns_IsAFileError(string text)
    {
        var result = Read(text);

        result.FileError.Should().NotBeNull();
        result.FileError!.Field.Should().Be("header");
        result.Contacts.Should().BeEmpty();
    }
}

public sealed class ApiKeyHashTests
{
    [Fact]
    public void Matches_TheSecretsHash_IsTrueAnyOtherIsFalse()
    {
        var hash = ApiKeyService.Hash("s3cret");

        hash.Should().Be("1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0").And.HaveLength(64);
        ApiKeyService.Matches("s3cret", hash.ToUpperInvariant()).Should().BeTrue();
        ApiKeyService.Matches("s3cret ", hash).Should().BeFalse();
        ApiKeyService.Matches("s3cret", null).Should().BeFalse();
        ApiKeyService.Matches("s3cret", "").Should().BeFalse();
    }

    [Fact]
    public void ApiOptions_AdminKeyHashNotHex_IsNamed()
    {
        new ApiOptions { AdminKeyHash = "abc" }.Validate().Should().ContainSingle().Which.Should().StartWith("Api:AdminKeyHash");
        new ApiOptions { AdminKeyHash = ApiKeyService.Hash("x") }.Validate().Should().BeEmpty();
        new ApiOptions().Validate().Should().BeEmpty();
    }
}
