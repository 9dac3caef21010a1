using System.Collections.Concurrent;
using ReportingApi.Secrets;

namespace ReportingApi.TestSupport;

/// <summary>
/// An <see cref="ISecretSource"/> that behaves like the Secrets Manager one without a network: <see cref="Stored"/> is
/// what the service holds (change it to rotate a secret), a value once read is cached until <see cref="ISecretSource.Forget"/>
/// or <see cref="ISecretSource.ForgetAll"/>, and <see cref="Reads"/> counts the reads that reached the "service".
/// References in <see cref="Failing"/> fail as access denied.
/// </summary>
public sealed class FakeSecretSource(SecretsProvider provider = SecretsProvider.SecretsManager) : ISecretSource
{
    private readonly ConcurrentDictionary<string, string> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _reads = new(StringComparer.Ordinal);

    public SecretsProvider Provider => provider;

    public ConcurrentDictionary<string, string> Stored { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, bool> Failing { get; } = new(StringComparer.Ordinal);

    public int Reads(string reference) => _reads.GetValueOrDefault(reference);

    public Task<string> GetSecretAsync(string reference, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(reference, out var cached))
        {
            return Task.FromResult(cached);
        }

        _reads.AddOrUpdate(reference, 1, (_, count) => count + 1);
        if (Failing.ContainsKey(reference))
        {
            throw new SecretAccessDeniedException("AccessDeniedException", $"Secrets Manager GetSecretValue for {reference} failed: AccessDeniedException (HTTP 400).");
        }

        if (!Stored.TryGetValue(reference, out var value))
        {
            throw new SecretNotFoundException("ResourceNotFoundException", $"Secrets Manager GetSecretValue for {reference} failed: ResourceNotFoundException (HTTP 400).");
        }

        _cache[reference] = value;
        return Task.FromResult(value);
    }

    public void Forget(string reference) => _cache.TryRemove(reference, out _);

    public void ForgetAll() => _cache.Clear();
}
