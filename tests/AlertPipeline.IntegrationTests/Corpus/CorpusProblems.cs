using System.Text.Json;

namespace AlertPipeline.IntegrationTests.Corpus;

/// <summary>Checks an RFC 7807 problem answer against a corpus case: the field it names and a fragment of its message.</summary>
internal static class CorpusProblems
{
    /// <param name="field">The field one of <c>errors[]</c> must name, or null for problems without fields (413, 415): then
    /// <paramref name="message"/> is looked for in <c>detail</c>.</param>
    public static void Expect(JsonElement problem, string? field, string message, string answer)
    {
        problem.GetProperty("detail").GetString().Should().NotBeNullOrWhiteSpace(answer);
        if (field is null)
        {
            problem.GetProperty("detail").GetString().Should().Contain(message, answer);
            return;
        }

        problem.TryGetProperty("errors", out var errors).Should().BeTrue($"a 400 names the field: {answer}");
        errors.EnumerateArray().Should().Contain(
            e => e.GetProperty("field").GetString() == field && e.GetProperty("message").GetString()!.Contains(message, StringComparison.Ordinal),
            $"the answer names '{field}' with '{message}': {answer}");
    }
}
