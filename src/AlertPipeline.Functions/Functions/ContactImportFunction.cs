using AlertPipeline.Core.Imports;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Infrastructure.Imports;
using Microsoft.Azure.Functions.Worker;

namespace AlertPipeline.Functions.Functions;

/// <summary>
/// <c>contact-imports</c> → <see cref="ContactImportJobs.ProcessSliceAsync"/>: one slice of one import job (docs/api.md
/// "Import jobs"); the handler itself sends the job's next message before it writes the checkpoint. A throw fails the
/// invocation: the host redelivers the message, which redoes the slice from the last checkpoint (upserts: no duplicate
/// contacts), then moves it to <c>contact-imports-poison</c>; an upload of the same file nudges a stalled job on.
/// </summary>
public sealed class ContactImportFunction(ContactImportJobs jobs)
{
    public const string Name = "ContactImport";

    [Function(Name)]
    public async Task RunAsync([QueueTrigger(QueueNames.ContactImports)] string message, CancellationToken cancellationToken)
    {
        var job = QueueMessages.Read<ImportJobMessage>(message, QueueNames.ContactImports);
        if (!job.TryParse(out _, out _, out var error))
        {
            throw new PipelineMessageException(error);
        }

        await jobs.ProcessSliceAsync(job, cancellationToken).ConfigureAwait(false);
    }
}
