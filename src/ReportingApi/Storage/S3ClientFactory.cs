using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using ReportingApi.Aws;

namespace ReportingApi.Storage;

/// <summary>
/// Builds the S3 client from <see cref="S3StoreOptions"/>; credentials come from the SDK's default chain through
/// <see cref="DefaultChainCredentials"/>, so that a SnapStart restore can make the client look them up anew.
/// </summary>
internal static class S3ClientFactory
{
    /// <summary>Region to sign for when only a ServiceUrl is given (S3-compatible servers do not care which).</summary>
    private const string FallbackSigningRegion = "us-east-1";

    /// <param name="decorateHandler">Wraps the HTTP handler, e.g. to observe requests in tests; null in production.</param>
    public static AmazonS3Client Create(S3StoreOptions options, Func<HttpMessageHandler, HttpMessageHandler>? decorateHandler = null) =>
        new(new DefaultChainCredentials(), CreateConfig(options, decorateHandler));

    internal static AmazonS3Config CreateConfig(S3StoreOptions options, Func<HttpMessageHandler, HttpMessageHandler>? decorateHandler = null)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            RequestChecksumCalculation = options.RequestChecksumCalculation,
        };
        if (!string.IsNullOrEmpty(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = string.IsNullOrEmpty(options.Region) ? FallbackSigningRegion : options.Region;
        }
        else if (!string.IsNullOrEmpty(options.Region))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        if (!string.IsNullOrEmpty(options.CaCertificatePath) || decorateHandler is not null)
        {
            config.HttpClientFactory = new S3HttpClientFactory(LoadTrustedRoots(options.CaCertificatePath), decorateHandler);
        }

        return config;
    }

    private static X509Certificate2Collection? LoadTrustedRoots(string? pemPath)
    {
        if (string.IsNullOrEmpty(pemPath))
        {
            return null;
        }

        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(pemPath);
        if (roots.Count == 0)
        {
            throw new InvalidOperationException($"No certificate in CA file '{pemPath}'.");
        }

        return roots;
    }

    /// <summary>
    /// HttpClients for the SDK that trust only the given CA certificates (when given) for the S3 endpoint. Host names are
    /// still checked; nothing else in the process is affected.
    /// </summary>
    private sealed class S3HttpClientFactory(
        X509Certificate2Collection? trustedRoots,
        Func<HttpMessageHandler, HttpMessageHandler>? decorateHandler) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig)
        {
            var handler = new SocketsHttpHandler
            {
                AutomaticDecompression = System.Net.DecompressionMethods.None,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            };
            if (clientConfig.MaxConnectionsPerServer is { } maxConnections)
            {
                handler.MaxConnectionsPerServer = maxConnections;
            }

            if (trustedRoots is not null)
            {
                var chainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    // A private CA publishes no revocation lists; checking would fail every connection.
                    RevocationMode = X509RevocationMode.NoCheck,
                };
                chainPolicy.CustomTrustStore.AddRange(trustedRoots);
                handler.SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = chainPolicy };
            }

            var client = new HttpClient(decorateHandler is null ? handler : decorateHandler(handler), disposeHandler: true);
            if (clientConfig.Timeout is { } timeout)
            {
                client.Timeout = timeout;
            }

            return client;
        }

        // One HttpClient per S3 client, disposed with it: the trust settings are this client's alone.
        public override string? GetConfigUniqueString(IClientConfig clientConfig) => null;
    }
}
