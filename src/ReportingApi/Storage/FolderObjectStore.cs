using Microsoft.Extensions.Options;

namespace ReportingApi.Storage;

/// <summary>
/// Objects as files under a root folder (the embedded default). A write goes to a hidden temporary file in the
/// target folder and is renamed into place when complete, so readers see the old object or the whole new one.
/// The content type is not kept.
/// </summary>
public sealed class FolderObjectStore : IObjectStore
{
    private const int CopyBufferSize = 81920;
    private const string TempFileSuffix = ".tmp";

    private readonly string _root;

    public FolderObjectStore(IOptions<ObjectStoreOptions> options, IHostEnvironment environment)
        : this(Path.Combine(environment.ContentRootPath, options.Value.FolderPath))
    {
    }

    internal FolderObjectStore(string rootPath)
    {
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootPath));
        Directory.CreateDirectory(_root);
    }

    public string RootPath => _root;

    public async Task<long> PutAsync(string key, Stream content, string contentType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = PathOf(key);
        var tempPath = CreateTempPath(path);
        try
        {
            long length;
            await using (var file = OpenNewFile(tempPath))
            {
                await content.CopyToAsync(file, CopyBufferSize, cancellationToken);
                length = file.Length;
                // On disk before the rename makes it visible, so a crash cannot leave a short file under the key.
                file.Flush(flushToDisk: true);
            }

            File.Move(tempPath, path, overwrite: true);
            return length;
        }
        catch
        {
            TryDelete(tempPath);
            throw;
        }
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        try
        {
            // FileShare.Delete: an overwrite (rename) or delete while someone reads must not fail.
            Stream stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read | FileShare.Delete,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            });
            return Task.FromResult(stream);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ObjectNotFoundException(key);
        }
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) => Task.FromResult(File.Exists(PathOf(key)));

    public async Task CopyAsync(string sourceKey, string destinationKey, CancellationToken cancellationToken)
    {
        ObjectKeys.Validate(destinationKey, nameof(destinationKey));
        await using var source = await OpenReadAsync(sourceKey, cancellationToken);
        await PutAsync(destinationKey, source, "", cancellationToken);
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing there: deleting a missing object is not an error.
        }

        return Task.CompletedTask;
    }

    private string PathOf(string key)
    {
        ObjectKeys.Validate(key);
        var path = Path.GetFullPath(Path.Join(_root, key));
        // ObjectKeys already rules out escapes; this guards against a rule being loosened later.
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Invalid object key '{key}': it leaves the store.", nameof(key));
        }

        return path;
    }

    private static string CreateTempPath(string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        return Path.Join(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}{TempFileSuffix}");
    }

    private static FileStream OpenNewFile(string path) => new(path, new FileStreamOptions
    {
        Mode = FileMode.CreateNew,
        Access = FileAccess.Write,
        Share = FileShare.None,
        Options = FileOptions.Asynchronous,
    });

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp file is hidden and never read as an object.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
