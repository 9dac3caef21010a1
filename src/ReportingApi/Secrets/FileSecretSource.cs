namespace ReportingApi.Secrets;

/// <summary>Secrets in local files: the reference is a path, relative ones resolved against the content root. Read on every call, so a replaced file takes effect.</summary>
public sealed class FileSecretSource(IHostEnvironment environment) : ISecretSource
{
    public SecretsProvider Provider => SecretsProvider.Files;

    public string FullPath(string reference) => Path.GetFullPath(reference, environment.ContentRootPath);

    public async Task<string> GetSecretAsync(string reference, CancellationToken cancellationToken)
    {
        var path = FullPath(reference);
        try
        {
            return await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new SecretNotFoundException("FileNotFound", $"The file {path} does not exist.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SecretSourceException("FileUnreadable", $"The file {path} cannot be read: {e.GetType().Name}.", e);
        }
    }
}
