using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ReportingApi.Secrets;

/// <summary>
/// Secrets from Secrets Manager (the reference is an ARN or name), each kept for <see cref="SecretsOptions.CacheSeconds"/>
/// so that Lambda invocations do not pay a call per use, and a rotated value arrives within that time.
/// </summary>
public sealed class SecretsManagerSecretSource(SecretsManagerClient client, IOptions<SecretsOptions> options, TimeProvider clock) : ISecretSource
{
    private readonly ConcurrentDictionary<string, CachedSecret> _cache = new(StringComparer.Ordinal);

    public SecretsProvider Provider => SecretsProvider.SecretsManager;

    public async Task<string> GetSecretAsync(string reference, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(reference, out var cached) && now < cached.Expires)
        {
            return cached.Value;
        }

        var value = await client.GetSecretStringAsync(reference, cancellationToken);
        var lifetime = TimeSpan.FromSeconds(options.Value.CacheSeconds);
        if (lifetime > TimeSpan.Zero)
        {
            _cache[reference] = new CachedSecret(value, now + lifetime);
        }

        return value;
    }

    public void Forget(string reference) => _cache.TryRemove(reference, out _);

    /// <summary>Forgets every cached value (after a SnapStart restore, say, or when a secret is known to have rotated).</summary>
    public void ForgetAll() => _cache.Clear();

    private sealed record CachedSecret(string Value, DateTimeOffset Expires)
    {
        // A record's generated ToString would print the value.
        public override string ToString() => $"cached secret until {Expires:O}";
    }
}
