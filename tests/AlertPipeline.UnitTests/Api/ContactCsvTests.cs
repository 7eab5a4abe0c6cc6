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

    [Fact]
    public void Read_UnterminatedQuote_IsReportedWhereItOpensAndTheLinesAfterItAreRead()
    {
        var result = Read(Header
            + "\na1,Ann,+447700900001,,en,UTC,true,true"
            + "\na2,\"Bob,+447700900002,,en,UTC,true,true"
            + "\na3,Cy,+447700900003,,en,UTC,true,true"
            + "\na4,Di,nope,,en,UTC,true,true\n");

        result.Contacts.Select(c => c.Contact.ContactId.Value).Should().Equal("a1", "a3");
        result.Errors.Should().Equal(
            new CsvLineError(3, "line", "has a quote that is not closed on this line; the lines after it are read on their own"),
            new CsvLineError(5, "phone", "the phone number contains characters other than digits, a leading '+', separators and an extension"));
    }

    [Fact]
    public void Read_QuoteOpenedAndClosedByAStrayQuoteLinesLater_ReportsBothLinesAndReadsTheOnesBetween()
    {
        var result = Read(Header
            + "\na1,\"Ann,+447700900001,,en,UTC,true,true"
            + "\na2,Bob,+447700900002,,en,UTC,true,true"
            + "\na3,\"Bo\"b\",+447700900003,,en,UTC,true,true"
            + "\na4,Di,+447700900004,,en,UTC,true,true\n");

        result.Contacts.Select(c => c.Contact.ContactId.Value).Should().Equal("a2", "a4");
        result.Errors.Should().Equal(
            new CsvLineError(2, "line", "has a quote that is not closed on this line; the lines after it are read on their own"),
            new CsvLineError(4, "line", "has text after a field's closing quote (a quote inside a quoted field is written \"\")"));
    }

    [Theory]
    [InlineData("a1,\"Bo\"b\",+447700900001,,en,UTC,true,true", "has text after a field's closing quote (a quote inside a quoted field is written \"\")")]
    [InlineData("a1,Bo\"b,+447700900001,,en,UTC,true,true", "has a quote inside a field that does not start with a quote (write it as \"\" inside a quoted field)")]
    public void Read_StrayQuoteInAField_IsALineErrorAndTheNextLineIsRead(string line, string message)
    {
        var result = Read(Header + "\n" + line + "\na2,Cy,+447700900002,,en,UTC,true,true\n");

        result.Contacts.Should().ContainSingle().Which.Contact.ContactId.Value.Should().Be("a2");
        result.Errors.Should().Equal(new CsvLineError(2, "line", message));
    }

    [Fact]
    public void Read_QuotedFieldOverSeveralLinesWithTooManyFields_IsReportedAndTheNextLinesAreReadOnTheirOwn()
    {
        var result = Read(Header
            + "\na1,\"Ann"
            + "\nSmith\",+447700900001,,en,UTC,true,true,extra"
            + "\na2,Bob,+447700900002,,en,UTC,true,true\n");

        result.Contacts.Should().ContainSingle().Which.Contact.ContactId.Value.Should().Be("a2");
        result.Errors.Should().Equal(
            new CsvLineError(2, "line", "has 9 fields; the header has 8 (a quoted field runs over several lines; the lines after it are read on their own)"),
            new CsvLineError(3, "line", "has a quote inside a field that does not start with a quote (write it as \"\" inside a quoted field)"));
    }

    [Fact]
    public void Read_InvalidUtf8_IsALineErrorNotAReplacementCharacter()
    {
        byte[] file = [.. Encoding.UTF8.GetBytes(Header + "\na1,Ren"), 0xE9, .. Encoding.UTF8.GetBytes("e,+447700900001,,en,UTC,true,true\na2,Zo\u00eb \ufffd,+447700900002,,en,UTC,true,true\n")];

        var result = ContactCsv.Read(file, Union, Branch);

        result.Errors.Should().Equal(new CsvLineError(2, "name", "is not valid UTF-8 (save the file as UTF-8)"));
        result.Contacts.Should().ContainSingle().Which.Contact.Name.Should().Be("Zo\u00eb \ufffd", "a U+FFFD that the file really holds is valid UTF-8");
    }

    [Fact]
    public void Read_Utf16WithByteOrderMark_IsReadAsText()
    {
        var file = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(Header + "\na1,Zo\u00eb,+447700900001,,en,UTC,true,true\n")).ToArray();

        var result = ContactCsv.Read(file, Union, Branch);

        result.Errors.Should().BeEmpty();
        result.Contacts.Should().ContainSingle().Which.Contact.Name.Should().Be("Zo\u00eb");
    }

    [Fact]
    public void Read_HeaderRepeatingAColumn_IsAFileError()
    {
        var result = Read("contactId,name,phone,email,language,timeZone,smsConsent,emailConsent,phone\na1,Ann,+447700900001,,en,UTC,true,true,+447700900002\n");

        result.FileError.Should().Be(new FieldError("header", "repeated column(s) phone (expected " + Header + ")"));
        result.Contacts.Should().BeEmpty();
    }

    [Fact]
    public void Read_FirstLineIsAMember_IsAFileErrorThatRepeatsNothingOfIt()
    {
        var result = Read("a1,Ann Smith,+447700900001,ann@example.org,en,UTC,true,true\na2,Bob,+447700900002,,en,UTC,true,true\n");

        result.FileError!.Field.Should().Be("header");
        result.FileError.Message.Should().StartWith("the first line is not the header: 0 of its 8 fields are column names")
            .And.NotContainAny("a1", "Ann", "+44", "7700900001", "example.org");
    }

    [Fact]
    public void Read_HeaderWithABadQuote_IsAFileErrorAndTheNextLineIsNeverTakenForTheHeader()
    {
        var result = Read("contactId,\"name,phone,email,language,timeZone,smsConsent,emailConsent\n"
            + "contactId,name,phone,email,language,timeZone,smsConsent,emailConsent\na1,Ann,+447700900001,,en,UTC,true,true\n");
        var stray = Read("contactId,na\"me,phone,email,language,timeZone,smsConsent,emailConsent\n" + Header + "\n");

        result.FileError!.Message.Should().StartWith("the header line has a quote that is never closed");
        stray.FileError!.Message.Should().StartWith("the header line has a quote inside a field");
        result.Contacts.Should().BeEmpty();
    }

    [Fact]
    public void Read_UnknownColumnThatCouldBeData_IsNamedByPosition()
    {
        var result = Read("contactId,name,phone,email,language,timeZone,smsConsent,emailConsent,+447700900009\n");

        result.FileError!.Message.Should().StartWith("unknown column(s) at position 9 ").And.NotContain("+44");
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
