using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace ReportingApi.Aws;

/// <summary>
/// AWS credentials from the SDK's default chain (environment, profile, container/instance role), looked up on first
/// use rather than at start-up, so the app starts on a laptop that never talks to AWS (a failed lookup is tried again).
/// <see cref="ForgetResolved"/> makes every instance look them up anew: a process restored from a SnapStart snapshot
/// must not sign with the credentials of the environment that took the snapshot.
/// </summary>
internal sealed class DefaultChainCredentials : AWSCredentials
{
    // Process-wide, so that one call reaches every client's instance (S3, Secrets Manager, Transfer, Lambda).
    private static long _generation;

    private readonly Func<AWSCredentials> _resolve;
    private Resolved? _resolved;

    public DefaultChainCredentials()
        : this(() => new DefaultAWSCredentialsIdentityResolver().ResolveIdentity(null))
    {
    }

    /// <param name="resolve">Looks the credentials up; a new SDK resolver each time, since one resolver caches what it found.</param>
    internal DefaultChainCredentials(Func<AWSCredentials> resolve) => _resolve = resolve;

    /// <summary>Makes every instance resolve its credentials again on next use.</summary>
    public static void ForgetResolved() => Interlocked.Increment(ref _generation);

    public override ImmutableCredentials GetCredentials() => Current().GetCredentials();

    public override Task<ImmutableCredentials> GetCredentialsAsync() => Current().GetCredentialsAsync();

    private AWSCredentials Current()
    {
        var generation = Interlocked.Read(ref _generation);
        var resolved = Volatile.Read(ref _resolved);
        if (resolved is not null && resolved.Generation == generation)
        {
            return resolved.Credentials;
        }

        // Two threads may both resolve after a reset; either result is good, and a failure is simply tried again.
        var fresh = new Resolved(generation, _resolve());
        Volatile.Write(ref _resolved, fresh);
        return fresh.Credentials;
    }

    private sealed record Resolved(long Generation, AWSCredentials Credentials);
}
