using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Messaging;

namespace AlertPipeline.UnitTests.Core.Messaging;

public class TemplateRendererTests
{
    private static readonly Dictionary<string, string> Vars = new()
    {
        ["name"] = "Aigul",
        ["place"] = "Aqtau <city> court & \"square\"",
        ["date"] = "16.12.2025",
    };

    private static MessageTemplate Template(string? sms, EmailTemplate? email = null) => new(LanguageTag.English, sms, email);

    [Fact]
    public void Render_FillsEveryPlaceholder()
    {
        var result = TemplateRenderer.Render(Template("{{name}}: {{ date }} at {{place}}. {{name}}!"), Vars);

        result.Value.Sms.Should().Be("Aigul: 16.12.2025 at Aqtau <city> court & \"square\". Aigul!");
        result.Value.Language.Should().Be(LanguageTag.English);
        result.Value.Email.Should().BeNull();
    }

    [Fact]
    public void Render_MissingVariable_FailsNamingItAndTheText()
    {
        var result = TemplateRenderer.Render(Template("{{name}} at {{time}} and {{time}} and {{venue}}"), Vars);

        result.IsSuccess.Should().BeFalse();
        result.Errors.Select(e => e.ToString()).Should().Equal(
            "sms: unknown variable 'time': no value was given for {{time}}",
            "sms: unknown variable 'venue': no value was given for {{venue}}");
    }

    [Fact]
    public void Render_VariableNamesAreCaseSensitive()
    {
        TemplateRenderer.Render(Template("{{Name}}"), Vars).Errors.Should().ContainSingle()
            .Which.Message.Should().Contain("'Name'");
    }

    [Fact]
    public void Render_Html_EscapesValuesButNotTheTemplate()
    {
        var email = new EmailTemplate("At {{place}}", "At {{place}}", "<p>At <b>{{place}}</b></p>");

        var result = TemplateRenderer.Render(Template(null, email), Vars).Value.Email!;

        result.Html.Should().Be("<p>At <b>Aqtau &lt;city&gt; court &amp; &quot;square&quot;</b></p>");
        result.Text.Should().Be("At Aqtau <city> court & \"square\"");
    }

    [Fact]
    public void Render_Subject_TurnsLineBreaksInValuesIntoSpaces()
    {
        var vars = new Dictionary<string, string> { ["place"] = "Aqtau\r\nBcc: someone@example.org" };

        var result = TemplateRenderer.Render(Template(null, new EmailTemplate("Trial at {{place}}", "{{place}}")), vars).Value.Email!;

        result.Subject.Should().Be("Trial at Aqtau Bcc: someone@example.org");
        result.Text.Should().Be("Aqtau\r\nBcc: someone@example.org");
    }

    [Fact]
    public void Render_ErrorsInSeveralTexts_AreAllReportedWithTheirPaths()
    {
        var email = new EmailTemplate("{{a}}", "{{b}}", "{{c");

        var result = TemplateRenderer.Render(Template("{{d}}", email), Vars);

        result.Errors.Select(e => e.Path).Should().Equal("sms", "email.subject", "email.text", "email.html");
    }

    [Fact]
    public void Render_SmsThatRendersEmpty_Fails()
    {
        var vars = new Dictionary<string, string> { ["x"] = "  " };

        TemplateRenderer.Render(Template("{{x}}"), vars).Errors.Should().ContainSingle()
            .Which.ToString().Should().Be("sms: renders to an empty message, which cannot be sent");
    }

    [Fact]
    public void Render_SmsOver1600Characters_Fails()
    {
        var vars = new Dictionary<string, string> { ["x"] = new string('a', 1590) };

        TemplateRenderer.Render(Template("{{x}} 1234567890"), vars).Errors.Should().ContainSingle()
            .Which.Message.Should().Be("renders to 1601 characters; at most 1600 can be sent");
        TemplateRenderer.Render(Template("{{x}}123456789"), vars).IsSuccess.Should().BeTrue();
    }

    [Fact]
    public void Render_EmptySubject_Fails()
    {
        var vars = new Dictionary<string, string> { ["x"] = "" };

        TemplateRenderer.Render(Template(null, new EmailTemplate("{{x}}", "body")), vars).Errors.Should().ContainSingle()
            .Which.Path.Should().Be("email.subject");
    }

    [Fact]
    public void Render_LiteralBracesThatAreNotPlaceholders_StayAsTheyAre()
    {
        TemplateRenderer.Render(Template("{a} }} { {name}"), Vars).Value.Sms.Should().Be("{a} }} { {name}");
    }

    [Fact]
    public void Render_ValueContainingPlaceholderSyntax_IsNotExpandedAgain()
    {
        var vars = new Dictionary<string, string> { ["name"] = "{{place}}" };

        TemplateRenderer.Render(Template("Hi {{name}}"), vars).Value.Sms.Should().Be("Hi {{place}}");
    }

    [Fact]
    public void Placeholders_ListsNamesInOrderOfFirstUse()
    {
        TemplateText.Placeholders("{{b}} {{a}} {{b}}").Value.Should().Equal("b", "a");
    }
}
