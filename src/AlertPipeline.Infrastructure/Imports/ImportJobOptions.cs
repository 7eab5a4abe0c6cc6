using AlertPipeline.Core.Pipeline;

namespace AlertPipeline.Infrastructure.Imports;

/// <summary>Settings of contact import jobs (section <c>Imports</c>, docs/api.md "Import jobs").</summary>
public sealed class ImportJobOptions
{
    public const string SectionName = "Imports";

    /// <summary>The Blob container that holds each job's uploaded file (created by the template, and by the app on first use).</summary>
    public const string ContainerName = "contact-imports";

    /// <summary>Files with more lines than this (header included) become a background job; smaller ones are imported at once.</summary>
    public int JobThresholdLines { get; set; } = 2000;

    /// <summary>Lines worked through per queue message; the checkpoint is written after each slice.</summary>
    public int SliceLines { get; set; } = 1000;

    /// <summary>Table transactions (of up to 100 contacts) in flight per slice: fewer than the synchronous import's 4.</summary>
    public int SliceParallelism { get; set; } = 2;

    /// <summary>Slices this process works on at once, whatever the host's queue batch size (interactive work keeps priority).</summary>
    public int MaxConcurrentSlices { get; set; } = 1;

    /// <summary>The same file, union and branch within this time of a job that did not fail gets that job back.</summary>
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// The queue jobs are sent on. The <c>ContactImport</c> function reads <see cref="QueueNames.ContactImports"/>: change
    /// this only where something else pumps the queue (the integration tests use a queue of their own).
    /// </summary>
    public string QueueName { get; set; } = QueueNames.ContactImports;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (JobThresholdLines < 1)
        {
            errors.Add($"{SectionName}:{nameof(JobThresholdLines)} must be at least 1.");
        }

        if (SliceLines is < 100 or > 20_000)
        {
            errors.Add($"{SectionName}:{nameof(SliceLines)} must be from 100 to 20000.");
        }

        if (SliceParallelism is < 1 or > 8)
        {
            errors.Add($"{SectionName}:{nameof(SliceParallelism)} must be from 1 to 8.");
        }

        if (MaxConcurrentSlices is < 1 or > 16)
        {
            errors.Add($"{SectionName}:{nameof(MaxConcurrentSlices)} must be from 1 to 16.");
        }

        if (IdempotencyWindow < TimeSpan.Zero || IdempotencyWindow > TimeSpan.FromDays(30))
        {
            errors.Add($"{SectionName}:{nameof(IdempotencyWindow)} must be from 00:00:00 to 30.00:00:00.");
        }

        if (string.IsNullOrWhiteSpace(QueueName) || QueueName.Length is < 3 or > 63 || !QueueName.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            errors.Add($"{SectionName}:{nameof(QueueName)} must be a queue name (3-63 lowercase letters, digits and -).");
        }

        return errors;
    }
}
