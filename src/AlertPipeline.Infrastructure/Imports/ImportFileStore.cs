using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Imports;
using Azure;
using Azure.Storage.Blobs;

namespace AlertPipeline.Infrastructure.Imports;

/// <summary>
/// The uploaded files of import jobs: one blob per job, <c>{union}/{jobId}.csv</c> in the <c>contact-imports</c>
/// container (private; created by the template, and here on first use). A file holds members' numbers and addresses, so
/// it is deleted as soon as its job finishes.
/// </summary>
public sealed class ImportFileStore(BlobServiceClient blobs)
{
    private readonly Lazy<Task<BlobContainerClient>> _container = new(async () =>
    {
        var container = blobs.GetBlobContainerClient(ImportJobOptions.ContainerName);
        await container.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
        return container;
    });

    public async Task PutAsync(UnionId unionId, ImportJobId jobId, byte[] file, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        var container = await _container.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        await container.GetBlobClient(Name(unionId, jobId)).UploadAsync(BinaryData.FromBytes(file), overwrite: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The job's file, or null when it is gone (deleted after the job finished).</summary>
    public async Task<byte[]?> GetAsync(UnionId unionId, ImportJobId jobId, CancellationToken cancellationToken = default)
    {
        var container = await _container.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var content = await container.GetBlobClient(Name(unionId, jobId)).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return content.Value.Content.ToArray();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task DeleteAsync(UnionId unionId, ImportJobId jobId, CancellationToken cancellationToken = default)
    {
        var container = await _container.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        await container.GetBlobClient(Name(unionId, jobId)).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static string Name(UnionId unionId, ImportJobId jobId) => $"{unionId.Value}/{jobId.Value}.csv";
}
