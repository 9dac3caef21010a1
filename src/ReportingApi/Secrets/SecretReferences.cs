using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace ReportingApi.Secrets;

/// <summary>
/// References to secrets that are kept with data rather than in configuration (a partner's SFTP login): operators set
/// them through the admin API, so they are checked there, and they must mean the same on every instance. With
/// Secrets Manager a reference is the secret's ARN or name; with files it is a path relative to
/// <see cref="SecretsOptions.FolderPath"/>, never one that exists on one machine only.
/// </summary>
public sealed partial class SecretReferences(ISecretSource source, IOptions<SecretsOptions> options)
{
    private const int MaxFileReferenceLength = 500;

    public SecretsProvider Provider => source.Provider;

    /// <summary>Why <paramref name="reference"/> cannot name a secret of <paramref name="provider"/>, or null when it can.</summary>
    public static string? Problem(string? reference, SecretsProvider provider) => provider switch
    {
        _ when string.IsNullOrWhiteSpace(reference) => "is empty",
        SecretsProvider.SecretsManager when !SecretArnPattern().IsMatch(reference) && !SecretNamePattern().IsMatch(reference) =>
            "must be a Secrets Manager secret's ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME) or name (letters, digits and /_+=.@-, at most 512)",
        SecretsProvider.Files when reference.Length > MaxFileReferenceLength || !FilePathPattern().IsMatch(reference)
            || reference.Split('/').Any(segment => segment is "." or "..") =>
            $"must be a file path relative to the secrets folder ({SecretsOptions.Section}:{nameof(SecretsOptions.FolderPath)}): segments of letters, digits and ._- joined by '/', no '..'",
        _ => null,
    };

    /// <summary>The secret's text.</summary>
    /// <exception cref="SecretNotFoundException">No secret (or no value) under that reference.</exception>
    /// <exception cref="SecretSourceException">The source refused or failed the read.</exception>
    public Task<string> GetAsync(string reference, CancellationToken cancellationToken) => source.GetSecretAsync(SourceReference(reference), cancellationToken);

    /// <summary>Drops a cached value, so that the next read gets the current one (after a refused login, say).</summary>
    public void Forget(string reference) => source.Forget(SourceReference(reference));

    // An absolute path stays as it is: a key file path stored before references existed (migration 0006) still works.
    private string SourceReference(string reference) =>
        source.Provider == SecretsProvider.Files ? Path.Combine(options.Value.FolderPath, reference) : reference;

    [GeneratedRegex("^arn:aws(-[a-z]+)*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}$")]
    private static partial Regex SecretArnPattern();

    [GeneratedRegex("^[A-Za-z0-9/_+=.@-]{1,512}$")]
    private static partial Regex SecretNamePattern();

    [GeneratedRegex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")]
    private static partial Regex FilePathPattern();
}
