using System.ComponentModel.DataAnnotations;

namespace ReportingApi.Security;

/// <summary>How access tokens are validated. In production: the Cognito user pool's issuer, whose JWKS signs them.</summary>
public sealed class TokenValidationSettings
{
    public const string Section = "Authentication";

    /// <summary>
    /// Issuer that must sign every token, e.g. <c>https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_AbC123</c>.
    /// Its metadata is read from <c>{Issuer}/.well-known/openid-configuration</c>, and its signing keys from the
    /// <c>jwks_uri</c> named there (Cognito: <c>{Issuer}/.well-known/jwks.json</c>). Required, and https, outside
    /// Development (checked at start); with the local token endpoint enabled, the local issuer is used instead.
    /// </summary>
    public string Issuer { get; set; } = "";

    /// <summary>Tolerated clock difference between us and the issuer.</summary>
    [Range(0, 600)]
    public int ClockSkewSeconds { get; set; } = 60;

    /// <summary>The issuer without a trailing slash, as tokens name it in <c>iss</c>.</summary>
    internal string NormalizedIssuer => (Issuer ?? "").TrimEnd('/');

    /// <summary>An absolute URL without query or fragment; https unless <paramref name="allowHttp"/> (Development).</summary>
    internal bool HasValidIssuer(bool allowHttp) =>
        Uri.TryCreate(NormalizedIssuer, UriKind.Absolute, out var issuer)
        && (issuer.Scheme == Uri.UriSchemeHttps || (allowHttp && issuer.Scheme == Uri.UriSchemeHttp))
        && issuer.Query.Length == 0 && issuer.Fragment.Length == 0;
}

/// <summary>A Cognito-like client-credentials token endpoint for Development: it issues tokens for configured clients.</summary>
public sealed class LocalTokenEndpointOptions
{
    public const string Section = "LocalTokenEndpoint";

    public bool Enabled { get; set; }

    [Range(1, 1440)]
    public int TokenLifetimeMinutes { get; set; } = 60;

    public List<LocalClient> Clients { get; set; } = [];
}

public sealed class LocalClient
{
    [Required(AllowEmptyStrings = false)]
    public string ClientId { get; set; } = "";

    [Required(AllowEmptyStrings = false)]
    public string ClientSecret { get; set; } = "";

    public List<string> Scopes { get; set; } = [];
}
