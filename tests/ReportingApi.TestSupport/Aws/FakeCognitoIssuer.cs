using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ReportingApi.TestSupport.Aws;

/// <summary>
/// The token side of a Cognito user pool on loopback, because Cognito does not run here (moto has no JWKS for its
/// pools). Like Cognito it serves <c>{Issuer}/.well-known/openid-configuration</c> and the <c>jwks_uri</c> named
/// there (<c>{Issuer}/.well-known/jwks.json</c>, RSA keys with <c>kid</c>, <c>alg</c> RS256), under an issuer URL
/// that ends in a pool id; it issues access tokens shaped as Cognito's client-credentials tokens (no <c>aud</c>;
/// <c>client_id</c>, <c>token_use</c>, space-separated <c>scope</c>), signed with keys made here. Over HTTPS with a
/// certificate made here when asked (<see cref="TrustingHandler"/> trusts exactly that one). It counts the metadata
/// and key requests, so tests see when the app fetches them.
/// </summary>
public sealed class FakeCognitoIssuer : LoopbackFake
{
    public const string PoolId = "eu-central-1_TestPool";

    private static readonly string[] ResponseTypes = ["code", "token"];
    private static readonly string[] MetadataScopes = ["openid", "email", "phone", "profile"];
    private static readonly string[] SubjectTypes = ["public"];
    private static readonly string[] SigningAlgorithms = [SecurityAlgorithms.RsaSha256];
    private static readonly string[] ClientAuthMethods = ["client_secret_basic", "client_secret_post"];

    private readonly Lock _keysLock = new();
    private readonly List<RsaSecurityKey> _published = [];
    private readonly X509Certificate2? _certificate;
    private int _metadataRequests;
    private int _keyRequests;

    private FakeCognitoIssuer(X509Certificate2? certificate)
    {
        _certificate = certificate;
        CurrentKey = PublishNewKey();
    }

    /// <summary>The pool's issuer URL, as tokens name it in <c>iss</c> and as <c>Authentication:Issuer</c> takes it.</summary>
    public string Issuer => Url + PoolId;

    /// <summary>The key new tokens are signed with; always published.</summary>
    public RsaSecurityKey CurrentKey { get; private set; }

    public int MetadataRequests => Volatile.Read(ref _metadataRequests);

    public int KeyRequests => Volatile.Read(ref _keyRequests);

    public static Task<FakeCognitoIssuer> StartAsync(bool https = false)
    {
        var certificate = https ? CreateLoopbackCertificate() : null;
        return StartAsync(new FakeCognitoIssuer(certificate), certificate);
    }

    /// <summary>A new RSA key, unpublished: what a forger has, or a key the issuer has not announced yet.</summary>
    public static RsaSecurityKey CreateKey() => new(RSA.Create(2048)) { KeyId = Guid.NewGuid().ToString("N") };

    /// <summary>Adds a new key to the JWKS (keeping the others), as a rotation does, and signs new tokens with it.</summary>
    public RsaSecurityKey PublishNewKey()
    {
        var key = CreateKey();
        lock (_keysLock)
        {
            _published.Add(key);
        }

        CurrentKey = key;
        return key;
    }

    /// <summary>
    /// An access token as Cognito issues it for the client-credentials grant, valid for an hour, signed with
    /// <see cref="CurrentKey"/>. <paramref name="change"/> alters the descriptor (claims, times, issuer, key) to make
    /// the token wrong in one way.
    /// </summary>
    public string CreateAccessToken(string clientId, string scope, Action<SecurityTokenDescriptor>? change = null)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(1),
            SigningCredentials = new SigningCredentials(CurrentKey, SecurityAlgorithms.RsaSha256),
            Claims = new Dictionary<string, object>
            {
                ["sub"] = clientId,
                ["token_use"] = "access",
                ["scope"] = scope,
                ["auth_time"] = EpochTime.GetIntDate(now),
                ["jti"] = Guid.NewGuid().ToString(),
                ["client_id"] = clientId,
                ["version"] = 2,
            },
        };
        change?.Invoke(descriptor);
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    /// <summary>An HTTP handler that trusts this issuer's certificate and no other, for the app's metadata requests.</summary>
    public HttpMessageHandler TrustingHandler() => new SocketsHttpHandler
    {
        SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && _certificate is not null && certificate.GetCertHashString() == _certificate.GetCertHashString() },
    };

    protected override async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        if (path == $"/{PoolId}/.well-known/openid-configuration")
        {
            Interlocked.Increment(ref _metadataRequests);
            await context.Response.WriteAsJsonAsync(new Dictionary<string, object>
            {
                ["issuer"] = Issuer,
                ["jwks_uri"] = Issuer + "/.well-known/jwks.json",
                ["authorization_endpoint"] = Url + "oauth2/authorize",
                ["token_endpoint"] = Url + "oauth2/token",
                ["userinfo_endpoint"] = Url + "oauth2/userInfo",
                ["response_types_supported"] = ResponseTypes,
                ["scopes_supported"] = MetadataScopes,
                ["subject_types_supported"] = SubjectTypes,
                ["id_token_signing_alg_values_supported"] = SigningAlgorithms,
                ["token_endpoint_auth_methods_supported"] = ClientAuthMethods,
            });
        }
        else if (path == $"/{PoolId}/.well-known/jwks.json")
        {
            Interlocked.Increment(ref _keyRequests);
            RsaSecurityKey[] keys;
            lock (_keysLock)
            {
                keys = [.. _published];
            }

            await context.Response.WriteAsJsonAsync(new { keys = keys.Select(Jwk) });
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }

    private static Dictionary<string, string> Jwk(RsaSecurityKey key)
    {
        var parameters = key.Rsa.ExportParameters(includePrivateParameters: false);
        return new()
        {
            ["alg"] = SecurityAlgorithms.RsaSha256,
            ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
            ["kid"] = key.KeyId,
            ["kty"] = "RSA",
            ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
            ["use"] = "sig",
        };
    }

    private static X509Certificate2 CreateLoopbackCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=cognito-idp test issuer", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // Kestrel needs the private key in a form it can use for TLS; a PFX round trip gives it one on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }
}
