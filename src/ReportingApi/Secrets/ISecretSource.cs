namespace ReportingApi.Secrets;

/// <summary>Reads a secret by its reference: a file path, or a Secrets Manager ARN, depending on <see cref="SecretsOptions.Provider"/>.</summary>
public interface ISecretSource
{
    SecretsProvider Provider { get; }

    /// <summary>The secret's text.</summary>
    /// <exception cref="SecretNotFoundException">No secret (or no value) under that reference.</exception>
    /// <exception cref="SecretSourceException">The source refused or failed the read.</exception>
    Task<string> GetSecretAsync(string reference, CancellationToken cancellationToken);
}
