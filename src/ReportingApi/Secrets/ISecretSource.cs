namespace ReportingApi.Secrets;

/// <summary>Reads a secret by its reference: a file path, or a Secrets Manager ARN, depending on <see cref="SecretsOptions.Provider"/>.</summary>
public interface ISecretSource
{
    SecretsProvider Provider { get; }

    /// <summary>The secret's text.</summary>
    /// <exception cref="SecretNotFoundException">No secret (or no value) under that reference.</exception>
    /// <exception cref="SecretSourceException">The source refused or failed the read.</exception>
    Task<string> GetSecretAsync(string reference, CancellationToken cancellationToken);

    /// <summary>Drops a cached value, so that the next read goes to the source (after a refused login, say). Sources without a cache do nothing.</summary>
    void Forget(string reference)
    {
    }

    /// <summary>Drops every cached value (after a SnapStart restore). Sources without a cache do nothing.</summary>
    void ForgetAll()
    {
    }
}
