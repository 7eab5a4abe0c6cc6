using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace AlertPipeline.Infrastructure.Channels.Outbox;

/// <summary>
/// Appends whole JSON lines to a file, safely from many threads (one gate per path) and many processes (an exclusive
/// advisory lock per write, retried briefly), so local hosts scaled out on one machine can share an outbox.
/// </summary>
internal static class OutboxFile
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static async Task AppendAsync<T>(string path, T record, CancellationToken cancellationToken)
    {
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(record, Json) + "\n");
        var full = Path.GetFullPath(path);
        var gate = Gates.GetOrAdd(full, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            // FileShare.None takes an exclusive advisory lock (flock) on Unix: other writers and readers wait.
            await using var stream = await OpenAsync(full, FileMode.Append, FileAccess.Write, FileShare.None, cancellationToken).ConfigureAwait(false);
            await stream.WriteAsync(line, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    public static async IAsyncEnumerable<T> ReadAsync<T>(string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            yield break;
        }

        await using var stream = await OpenAsync(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var record = JsonSerializer.Deserialize<T>(line, Json);
            if (record is not null)
            {
                yield return record;
            }
        }
    }

    private static async Task<FileStream> OpenAsync(string path, FileMode mode, FileAccess access, FileShare share, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, mode, access, share, 4096, FileOptions.Asynchronous);
            }
            catch (IOException ex) when (attempt < 400 && ex is not (FileNotFoundException or DirectoryNotFoundException))
            {
                // Another process holds the lock for one line's write: wait a moment.
                await Task.Delay(TimeSpan.FromMilliseconds(2 + Random.Shared.Next(8)), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
