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
    private volatile Task<BlobContainerClient>? _container;

    public async Task PutAsync(UnionId unionId, ImportJobId jobId, byte[] file, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        var container = await ContainerAsync(cancellationToken).ConfigureAwait(false);
        await container.GetBlobClient(Name(unionId, jobId)).UploadAsync(BinaryData.FromBytes(file), overwrite: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The job's file, or null when it is gone (deleted after the job finished).</summary>
    public async Task<byte[]?> GetAsync(UnionId unionId, ImportJobId jobId, CancellationToken cancellationToken = default)
    {
        var container = await ContainerAsync(cancellationToken).ConfigureAwait(false);
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
        var container = await ContainerAsync(cancellationToken).ConfigureAwait(false);
        await container.GetBlobClient(Name(unionId, jobId)).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The container, created once per process; a failed creation is tried again on the next use.</summary>
    private async Task<BlobContainerClient> ContainerAsync(CancellationToken cancellationToken)
    {
        var creation = _container ??= CreateAsync();
        try
        {
            return await creation.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            _ = Interlocked.CompareExchange(ref _container, null, creation);
            throw;
        }
    }

    private async Task<BlobContainerClient> CreateAsync()
    {
        var container = blobs.GetBlobContainerClient(ImportJobOptions.ContainerName);
        await container.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
        return container;
    }

    private static string Name(UnionId unionId, ImportJobId jobId) => $"{unionId.Value}/{jobId.Value}.csv";
}
