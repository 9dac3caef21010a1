using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace ReportingApi.Aws;

/// <summary>
/// AWS credentials from the SDK's default chain (environment, profile, container/instance role), looked up on first
/// use rather than at start-up, so the app starts on a laptop that never talks to AWS (a failed lookup is tried again).
/// </summary>
internal sealed class DefaultChainCredentials : AWSCredentials
{
    private readonly Lazy<AWSCredentials> _resolved = new(
        () => new DefaultAWSCredentialsIdentityResolver().ResolveIdentity(null), LazyThreadSafetyMode.PublicationOnly);

    public override ImmutableCredentials GetCredentials() => _resolved.Value.GetCredentials();

    public override Task<ImmutableCredentials> GetCredentialsAsync() => _resolved.Value.GetCredentialsAsync();
}
